"""Where a run executes changes nothing: serial, local worker processes and Ray tasks give bitwise the
same answers for the same seeds and threads per unit; runs of single seeds merged equal one run of all.
Logs get a plain line per epoch and per unit."""

import contextlib
import io
import json
import os

import pytest

from conftest import run_cli
from test_resume import medium_cifar  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow
SMALL = ["--epochs", "1", "--points-epochs", "3", "--svc-train-points", "100", "--threads", "1"]


def values(out):
    """What a run computed (timings, dates, paths and commands aside)."""
    doc = json.loads((out / "answers.json").read_text())
    units = {}
    for f in sorted((out / "units").glob("*.json")):
        result = json.loads(f.read_text())
        result.pop("seconds", None)
        result.get("history", {}).pop("epoch_seconds", None)
        units[f.stem] = result
    answers = {k: {f: a[f] for f in ("value", "display", "corrected", "per_seed", "spread")}
               for k, a in doc["answers"].items()}
    return answers, doc["pitfalls"], units


@pytest.fixture(scope="module")
def serial_run(tmp_path_factory, cifar_forms):
    tmp = tmp_path_factory.mktemp("serial")
    code, _, err = run_cli("run", "--cifar", cifar_forms["batches-folder"], "--data-dir", tmp / "d", "--out",
                           tmp / "o", "--seeds", "2", *SMALL)
    assert code == 0, err
    return tmp / "o"


def test_worker_processes_equal_serial(serial_run, cifar_forms, tmp_path):
    code, _, err = run_cli("run", "--cifar", cifar_forms["batches-folder"], "--data-dir", tmp_path / "d", "--out",
                           tmp_path / "o", "--seeds", "2", *SMALL, "--workers", "2")
    assert code == 0, err
    assert values(tmp_path / "o") == values(serial_run)


def test_ray_tasks_equal_serial(serial_run, cifar_forms, tmp_path):
    if not os.environ.get("CLASSLAB_REQUIRE_RAY"):
        pytest.importorskip("ray")
    code, _, err = run_cli("run", "--cifar", cifar_forms["batches-folder"], "--data-dir", tmp_path / "d", "--out",
                           tmp_path / "o", "--seeds", "2", *SMALL, "--ray")
    assert code == 0, err
    assert values(tmp_path / "o") == values(serial_run)


def test_ray_shows_every_log_line(monkeypatch):
    """Ray folds log lines that differ only in numbers (epoch 2/3 of seed 1 and of seed 2) unless told not to."""
    if not os.environ.get("CLASSLAB_REQUIRE_RAY"):
        pytest.importorskip("ray")
    from classlab._executors import import_ray

    monkeypatch.delenv("RAY_DEDUP_LOGS", raising=False)
    import_ray()
    assert os.environ["RAY_DEDUP_LOGS"] == "0"
    monkeypatch.setenv("RAY_DEDUP_LOGS", "1")
    import_ray()
    assert os.environ["RAY_DEDUP_LOGS"] == "1"  # the user's own choice stays


def test_single_seed_runs_merged_equal_one_run_of_all_seeds(serial_run, cifar_forms, tmp_path):
    """A Slurm job array: one seed per task, then `classlab merge`."""
    runs = []
    for seed in (1, 0):  # merge sorts the seeds; the order of the folders does not matter
        out = tmp_path / f"seed-{seed}"
        code, _, err = run_cli("run", "--cifar", cifar_forms["batches-folder"], "--data-dir", tmp_path / "d",
                               "--out", out, "--seed-list", seed, *SMALL)
        assert code == 0, err
        runs.append(out)
    code, stdout, err = run_cli("merge", tmp_path / "merged", *runs)
    assert code == 0, err
    assert values(tmp_path / "merged") == values(serial_run)
    assert "1.4" in stdout
    # the merged folder is a run like any other: it merges again, and renders the same
    code, _, err = run_cli("merge", tmp_path / "again", tmp_path / "merged")
    assert code == 0, err
    assert values(tmp_path / "again") == values(serial_run)


@pytest.fixture(scope="module")
def one_seed_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("one")
    assert run_cli("run", "--only", "2.1,2.3", "--points-epochs", "2", "--seed-list", "0", "--out", tmp / "a")[0] == 0
    return tmp / "a"


@pytest.mark.parametrize("args,message", [
    (["--points-epochs", "3", "--seed-list", "1"], "settings (points_epochs 3 vs 2)"),
    (["--points-epochs", "2", "--seed-list", "0"], "seed 0 is in"),
    (["--points-epochs", "2", "--seed-list", "1", "--only", "2.1"], "questions"),
])
def test_merge_refuses_runs_that_differ(one_seed_run, tmp_path, args, message):
    assert run_cli("run", "--only", "2.1,2.3", *args, "--out", tmp_path / "b")[0] == 0
    code, _, err = run_cli("merge", tmp_path / "m", one_seed_run, tmp_path / "b")
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "m" / "answers.json").exists()


def test_merge_refuses_other_data(one_seed_run, tmp_path):
    import numpy as np

    from classlab.data.points import load_points

    pts = load_points()
    np.save(tmp_path / "X.npy", pts.X[::-1].copy())
    np.save(tmp_path / "y.npy", pts.y[::-1].copy())
    assert run_cli("run", "--only", "2.1,2.3", "--points-epochs", "2", "--seed-list", "1", "--points-x",
                   tmp_path / "X.npy", "--points-y", tmp_path / "y.npy", "--out", tmp_path / "b")[0] == 0
    code, _, err = run_cli("merge", tmp_path / "m", one_seed_run, tmp_path / "b")
    assert code == 2 and "part 2 points" in err


def test_merge_refuses_unfinished_and_foreign_folders(one_seed_run, tmp_path):
    import shutil

    shutil.copytree(one_seed_run, tmp_path / "cut")
    next((tmp_path / "cut" / "units").glob("points-corrected*.json")).unlink()
    code, _, err = run_cli("merge", tmp_path / "m", one_seed_run, tmp_path / "cut")
    assert code == 2 and "unfinished" in err and "--resume" in err
    code, _, err = run_cli("merge", tmp_path / "m", tmp_path / "nothing")
    assert code == 2 and "not a classlab run" in err


def test_log_gets_a_line_per_epoch_and_per_unit(cifar_forms, tmp_path):
    """Not at a terminal (a batch job's log): plain lines as units and epochs finish."""
    from classlab._cli import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", "--only", "1.4", "--cifar", str(cifar_forms["batches-folder"]), "--data-dir",
                     str(tmp_path / "d"), "--out", str(tmp_path / "o"), "--epochs", "2"])
    assert code == 0
    lines = err.getvalue().splitlines()
    assert any("1.4 Dense net seed 0: epoch 1/2 done" in line for line in lines), lines
    assert any("1.4 Dense net seed 0: epoch 2/2 done" in line for line in lines), lines
    assert any("finished 1.4 Dense net seed 0 (2/2 units)" in line and "left" in line for line in lines), lines


def test_workers_log_their_epochs_too(cifar_forms, tmp_path, capfd):
    code, _, _ = run_cli("run", "--only", "1.4", "--cifar", cifar_forms["batches-folder"], "--data-dir",
                         tmp_path / "d", "--out", tmp_path / "o", "--epochs", "2", "--workers", "2")
    assert code == 0
    assert "1.4 Dense net seed 0: epoch 2/2 done" in capfd.readouterr().err


def test_ray_missing_is_one_line(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    code, _, err = run_cli("run", "--only", "2.1", "--out", tmp_path / "o", "--ray")
    assert code == 2 and "pip install 'classlab[ray]'" in err and err.count("\n") == 1
    assert not (tmp_path / "o" / "units").exists()


def test_interrupted_worker_run_resumes_to_the_same_answers(medium_cifar, tmp_path):  # noqa: F811
    """Ctrl-C in a run with worker processes: they stop, and --resume (with workers again) finishes the work."""
    import signal
    import subprocess
    import sys
    import time

    from test_resume import _ctrl_c_works, _env

    args = [sys.executable, "-m", "classlab", "run", "--cifar", str(medium_cifar), "--data-dir", str(tmp_path / "d"),
            "--only", "1.4,1.6", "--epochs", "3", "--threads", "1"]
    subprocess.run(args + ["--out", str(tmp_path / "straight")], check=True, env=_env(), capture_output=True)
    out = tmp_path / "broken"
    proc = subprocess.Popen(args + ["--out", str(out), "--workers", "2"], env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_ctrl_c_works)
    deadline = time.time() + 120
    while not (out / "checkpoints" / "cnn-seed0.pt").exists() and time.time() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and f"--resume {out}" in err, err
    assert not (out / "answers.json").exists()
    resumed = subprocess.run([sys.executable, "-m", "classlab", "run", "--resume", str(out), "--workers", "2"],
                             env=_env(), capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert values(out) == values(tmp_path / "straight")
