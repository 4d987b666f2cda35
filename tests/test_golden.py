"""Golden values: every unit's result and every answer of a small fixed run, against a stored file.

The run is ``classlab run --quick --seeds 2`` on the tests' own small CIFAR-10 image archive and
the embedded points (the session's ``quick_run``). Whatever changes a number (a setting, a layer, a
loss, a protocol, a rounding rule) shows here as a difference. When a change is meant, regenerate the
file from the code and review its diff like any other change:

    scripts/test tests/test_golden.py --update-golden

On the machine kind that wrote the file (same CPU vendor and ISA, library versions and threads) the
comparison is exact, bit for bit. On another kind, float rounding in BLAS and oneDNN kernels may
differ in the last bits; there numbers are compared to 1e-4 relative, and an accuracy or a confusion
matrix may differ by one test image.
"""

import json
import math
import platform
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parent / "golden" / "quick_run.json"
REGENERATE = "scripts/test tests/test_golden.py --update-golden"
VOLATILE = {"seconds", "epoch_seconds", "train_seconds",  # timings: never the same twice
            "source", "checksum",  # where the fixture was written and its archive's time stamps
            "X", "y", "train_mask", "pixels", "explorer"}  # copies of the inputs, and of the units' snapshots


def fingerprint():
    """What decides float rounding: CPU vendor, family and model (OpenBLAS and oneDNN pick their kernels by
    them: Zen 4 and Zen 5 share their ISA flags and still round logistic regression differently), vector ISA,
    the numeric libraries, the thread count."""
    import numpy
    import torch

    info, flags = {}, set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("vendor_id", "cpu family", "model") and key not in info:
                info[key] = value.strip()
            elif key == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    cpu = "-".join(info.get(k, "?") for k in ("vendor_id", "cpu family", "model")) if info else platform.machine()
    isa = "+".join(f for f in ("avx2", "avx512f", "avx512_bf16", "amx_bf16") if f in flags) or "base"
    return (f"{cpu}/{isa}/torch-{torch.__version__}/numpy-{numpy.__version__}/"
            f"threads-{torch.get_num_threads()}")


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def results_of(out, doc):
    units = {f.stem: _strip(json.loads(f.read_text())) for f in sorted((out / "units").glob("*.json"))}
    answers = {id: _strip({k: a[k] for k in ("value", "display", "corrected", "per_seed", "spread", "details")})
               for id, a in doc["answers"].items()}
    pitfalls = {p["id"]: _strip({k: p[k] for k in ("faithful", "corrected", "effect")}) for p in doc["pitfalls"]}
    return {"units": units, "answers": answers, "pitfalls": pitfalls}


def differences(expected, actual, exact, path="", key=""):
    """Paths where ``actual`` differs from ``expected`` (exactly, or within float rounding)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{path}/{k}: missing" for k in expected if k not in actual]
        out += [f"{path}/{k}: not in the golden file" for k in actual if k not in expected]
        for k in expected.keys() & actual.keys():
            out += differences(expected[k], actual[k], exact, f"{path}/{k}", k)
        return out
    if not exact and key == "confusion" and _flat(expected) is not None and _flat(actual) is not None:
        a, b = _flat(expected), _flat(actual)
        return [] if len(a) == len(b) and sum(abs(x - y) for x, y in zip(a, b)) <= 2 else [f"{path}: {actual}"]
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{path}: length {len(actual)}, golden {len(expected)}"]
        out = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            out += differences(e, a, exact, f"{path}[{i}]", key)
        return out
    if exact or isinstance(expected, (str, bool)) or expected is None:
        if not exact and isinstance(expected, str) and key in ("display", "effect", "accepted"):
            return []  # printed from floats: follows the numbers, which are compared
        return [] if expected == actual and type(expected) is type(actual) else [f"{path}: {actual!r}, golden {expected!r}"]
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        tolerance = 1 / 60 + 1e-9 if "accuracy" in path or key in ("value", "corrected") else 0
        if math.isclose(expected, actual, rel_tol=1e-4, abs_tol=1e-6) or abs(expected - actual) <= tolerance:
            return []
    return [f"{path}: {actual!r}, golden {expected!r}"]


def _flat(matrix):
    try:
        return [v for row in matrix for v in row]
    except TypeError:
        return None


def test_quick_run_equals_the_golden_file(quick_run, request):
    out, _, doc = quick_run
    actual = results_of(out, doc)
    here = fingerprint()
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps({"regenerate": REGENERATE, "machine": here, "results": actual},
                                     indent=1, sort_keys=True) + "\n")
        pytest.skip(f"wrote {GOLDEN} on {here}: review its diff")
    golden = json.loads(GOLDEN.read_text())
    exact = golden["machine"] == here
    found = differences(golden["results"], actual, exact)
    assert not found, (
        f"{len(found)} result(s) differ from {GOLDEN.name} ({'exact' if exact else 'within float rounding'}: "
        f"written on {golden['machine']}, this is {here}). If the change is meant, run {REGENERATE} "
        "and review the diff.\n" + "\n".join(found[:40]))
