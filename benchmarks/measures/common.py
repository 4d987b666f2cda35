"""What the measures share: the benchmark's setup (``Bench``), timing, and classlab run in a fresh process."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]  # benchmarks/
SRC = HERE.parent / "src"


@dataclass
class Bench:
    """The shared setup of the measures: the data, the settings, and what to pass to `classlab run`."""

    smoke: bool
    cifar: str
    data_dir: str | None
    data: object  # classlab.data.cifar.Cifar10, the subset measured
    settings: object  # classlab.Settings, on the CPU
    inputs: object
    ctx: object  # classlab._context.Context
    cli_args: list
    epochs: int
    seeds: int
    svc_n: int
    part2_repeats: int
    threads: int


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def best_of(fn, repeats=5):
    """The fastest of ``repeats`` calls of ``fn`` (noise only adds time), in seconds."""
    fn()
    return min(timed(fn)[1] for _ in range(repeats))


def mean_sd(values):
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "values": values}


def log(text):
    print(f"  {text}", flush=True)


def run_cli(args, command="run"):
    """`classlab run` (or another command) in a fresh process on the CPU: wall time and answers.json."""
    out = Path(tempfile.mkdtemp(prefix="classlab-bench-")) / "out"
    extra = ["--device", "cpu", "--out", str(out)] if command == "run" else []
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classlab", command, *extra, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(SRC)))
    wall = time.perf_counter() - t
    return wall, json.loads((out / "answers.json").read_text())


def classlab_net(which, seed, ctx):
    from classlab._units import CifarNet

    r = CifarNet(which, seed).run(ctx)
    return {"accuracy": r["faithful"]["accuracy"], "accuracy_clean": r["corrected"]["accuracy"],
            "epoch_s": r["history"]["epoch_seconds"], "total_s": r["seconds"]["train"] + r["seconds"]["evaluate"]}
