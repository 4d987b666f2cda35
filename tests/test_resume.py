"""Nothing lost: a run killed mid-epoch and resumed gives bitwise the answers of an uninterrupted
run; the same seed gives bitwise the same answers; Ctrl-C stops cleanly with exit code 130."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from conftest import write_batches

pytestmark = pytest.mark.slow
N_TRAIN = 3000  # big enough that one CNN epoch takes a good fraction of a second


@pytest.fixture(scope="module")
def medium_cifar(tmp_path_factory):
    rng = np.random.default_rng(11)
    per_batch = N_TRAIN // 5
    x = rng.integers(0, 256, (N_TRAIN, 3, 32, 32), dtype=np.uint8)
    y = rng.integers(0, 10, N_TRAIN)
    xt = rng.integers(0, 256, (200, 3, 32, 32), dtype=np.uint8)
    yt = rng.integers(0, 10, 200)
    root = tmp_path_factory.mktemp("medium")
    write_batches(root, (x, y), (xt, yt), per_batch=per_batch)
    return root


def _cmd(cifar, out, data_dir, *extra):
    return [sys.executable, "-m", "classlab", "run", "--cifar", str(cifar), "--data-dir", str(data_dir),
            "--out", str(out), "--only", "1.6", "--epochs", "3", "--threads", "2", "--svc-train-points", "100", *extra]


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


def _ctrl_c_works():
    """Let the child take Ctrl-C even where this test runs with SIGINT ignored (a background job of a
    non-interactive shell): Python turns SIGINT into KeyboardInterrupt only if it starts at SIG_DFL."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _values(out):
    """Everything in answers.json that the run computed (timings and dates aside)."""
    doc = json.loads((out / "answers.json").read_text())
    units = {}
    for f in sorted((out / "units").glob("*.json")):
        result = json.loads(f.read_text())
        result.pop("seconds", None)
        result.get("history", {}).pop("epoch_seconds", None)
        units[f.stem] = result
    answers = {k: {f: a[f] for f in ("value", "display", "corrected", "per_seed")} for k, a in doc["answers"].items()}
    return answers, doc["pitfalls"], units


def test_killed_mid_epoch_and_resumed_equals_uninterrupted(medium_cifar, tmp_path):
    data_dir = tmp_path / "data"
    straight = tmp_path / "straight"
    subprocess.run(_cmd(medium_cifar, straight, data_dir), check=True, env=_env(), capture_output=True)

    broken = tmp_path / "broken"
    proc = subprocess.Popen(_cmd(medium_cifar, broken, data_dir), env=_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    checkpoint = broken / "checkpoints" / "cnn-seed0.pt"
    deadline = time.time() + 120
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    time.sleep(0.15)  # into epoch 2
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    state = torch.load(checkpoint, weights_only=True)
    assert state["epoch"] == 1, "the kill was meant to land in epoch 2"
    assert not (broken / "answers.json").exists()

    resumed = subprocess.run([sys.executable, "-m", "classlab", "run", "--resume", str(broken)], env=_env(),
                             capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert _values(broken) == _values(straight)
    assert torch.load(checkpoint, weights_only=True)["epoch"] == 3


def test_same_seed_same_answers(medium_cifar, tmp_path):
    data_dir = tmp_path / "data"
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run(_cmd(medium_cifar, out, data_dir, "--only", "1.4,1.6,1.7,1.8,2.3,2.4", "--epochs", "1",
                            "--points-epochs", "5"), check=True, env=_env(), capture_output=True)
        runs.append(_values(out))
    assert runs[0] == runs[1]


def test_ctrl_c_stops_cleanly_and_says_how_to_resume(medium_cifar, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd(medium_cifar, out, tmp_path / "data"), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_works)
    checkpoint = out / "checkpoints" / "cnn-seed0.pt"
    deadline = time.time() + 120
    while not checkpoint.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert f"classlab run --resume {out}" in err
    assert "Traceback" not in err
    assert not (out / "answers.json").exists()
    # Finished units are kept: part of the work is never lost.
    assert checkpoint.exists()


def test_resume_of_nothing_is_one_line(tmp_path):
    from conftest import run_cli

    code, _, err = run_cli("run", "--resume", tmp_path)
    assert code == 2 and "nothing to resume" in err
