"""The small tools' start: `classlab check` of one answer and `classlab grade` of the real class (tests/moodle:
the Responses and Grades downloads), each a whole process in a fresh interpreter, as a student or a script runs
them. Rounds alternate classlab with a baseline tree (another commit's ``src/``, ``--tools-baseline``), so that
both meet the same machine; the median of the rounds, with the fastest and slowest."""

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import HERE, SRC

MOODLE = HERE.parent / "tests" / "moodle"


def _commands(key, out):
    grades = MOODLE / "class-en"
    return {"check": ["check", "--key", key, "--lang", "en", "1.4=0.27"],
            "grade": ["grade", "--key", key, grades / "responses-ui-de.csv", grades / "grades-ui-de.csv", "--out", out,
                      "--force"]}


def _run(src, args):
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "classlab", *map(str, args)], env=env, capture_output=True)
    spent = time.perf_counter() - t
    if done.returncode not in (0, 1):
        raise RuntimeError(f"classlab {args[0]} from {src}: {done.stderr.decode()[-500:]}")
    return spent


def measure(b, baseline=None, rounds=9):
    work = Path(tempfile.mkdtemp(prefix="classlab-tools-"))
    try:
        key = work / "key"
        key.mkdir()
        shutil.copy(MOODLE / "key" / "answers.json", key)
        sides = {"classlab": SRC} | ({"baseline": Path(baseline)} if baseline else {})
        for src in sides.values():  # each side keys its own way (key.json), once, before the rounds
            _run(src, ["key", key, "--corrected-credit", "50"] + (["--force"] if src == SRC else []))
        times = {cmd: {side: [] for side in sides} for cmd in ("check", "grade")}
        for _ in range(3 if b.smoke else rounds):
            for side, src in sides.items():
                for cmd, args in _commands(key, work / "graded").items():
                    times[cmd][side].append(_run(src, args))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = {"rounds": len(times["check"]["classlab"]), "baseline": str(baseline) if baseline else None}
    for cmd, by_side in times.items():
        out[cmd] = {side: {"median_s": statistics.median(ts), "min_s": min(ts), "max_s": max(ts)}
                    for side, ts in by_side.items()}
    return out
