"""Fault tolerance on a real two-node Ray cluster started here: the worker that trains a unit is
killed in the middle of training; Ray runs the task again, it continues from its last epoch's
checkpoint in the shared run folder, and the answers equal an uninterrupted run's."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from test_executors import values
from test_resume import medium_cifar  # noqa: F401  (a fixture)

ray = pytest.importorskip("ray") if not os.environ.get("CLASSLAB_REQUIRE_RAY") else __import__("ray")
pytestmark = pytest.mark.slow
RAY = str(Path(sys.executable).with_name("ray"))
ENV = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_AUTH_MODE="disabled",
           PYTHONPATH=os.pathsep.join(p for p in sys.path if p))


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """`ray start --head`, then a second node joining it; one CPU each, all on loopback."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's sockets live under it
    head = [RAY, "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=1",
            "--include-dashboard=false", f"--temp-dir={temp}", "--disable-usage-stats"]
    try:
        subprocess.run(head, check=True, env=ENV, capture_output=True, timeout=120)
        subprocess.run([RAY, "start", f"--address=127.0.0.1:{port}", "--node-ip-address=127.0.0.1", "--num-cpus=1"],
                       check=True, env=ENV, capture_output=True, timeout=120)
        deadline = time.time() + 60
        while time.time() < deadline:
            status = subprocess.run([RAY, "status", f"--address=127.0.0.1:{port}"], env=ENV, capture_output=True,
                                    text=True).stdout
            if status.count(" node_") >= 2 and "0.0/2.0 CPU" in status:
                break
            time.sleep(1)
        else:
            pytest.fail(f"the second node did not join:\n{status}")
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([RAY, "stop", "--force"], env=ENV, capture_output=True, timeout=120)


def _task_workers():
    """Pids of Ray workers running classlab's task (Ray titles them after the task's function)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"ray::run_elsewhere" in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            pass
    return pids


def _wait_dead(pids, timeout=10):
    """Until every pid is gone or a zombie (SIGKILL is delivered asynchronously)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        alive = []
        for pid in pids:
            try:
                if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append(pid)
            except (OSError, IndexError):
                pass
        if not alive:
            return
        time.sleep(0.005)


def test_killed_worker_is_retried_from_its_checkpoint(cluster, medium_cifar, tmp_path):  # noqa: F811
    args = ["--cifar", str(medium_cifar), "--data-dir", str(tmp_path / "data"), "--only", "1.6", "--epochs", "3",
            "--threads", "1", "--svc-train-points", "100"]
    straight = tmp_path / "straight"
    subprocess.run([sys.executable, "-m", "classlab", "run", *args, "--out", str(straight)], check=True, env=ENV,
                   capture_output=True)

    out = tmp_path / "on-ray"
    proc = subprocess.Popen([sys.executable, "-m", "classlab", "run", *args, "--out", str(out), "--ray-address",
                             cluster], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    checkpoint = out / "checkpoints" / "cnn-seed0.pt"
    deadline = time.time() + 180
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # into epoch 2
    killed = _task_workers()
    assert killed, "no Ray worker was running the unit"
    import torch

    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    _wait_dead(killed)
    # Read after the kill: a worker can still finish an epoch (and write its checkpoint) until it is dead.
    epoch_at_kill = torch.load(checkpoint, weights_only=True)["epoch"]
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stderr
    assert 1 <= epoch_at_kill < 3, "the kill was meant to land in the middle of training"
    assert not set(killed) & set(_task_workers())
    assert values(out) == values(straight)
    # Continued from the checkpoint, not retrained: the attempt that finished logged only the epochs after it.
    epochs_by_pid = {}
    for pid, epoch in re.findall(r"pid=(\d+)\).*CNN seed 0: epoch (\d)/3 done", stdout + stderr):
        epochs_by_pid.setdefault(int(pid), set()).add(int(epoch))
    assert set(killed) & set(epochs_by_pid), epochs_by_pid
    (last,) = [pid for pid, epochs in epochs_by_pid.items() if 3 in epochs]
    assert last not in killed and min(epochs_by_pid[last]) == epoch_at_kill + 1, epochs_by_pid
    assert json.loads((out / "answers.json").read_text())["answers"]["1.6"]["per_seed"]
