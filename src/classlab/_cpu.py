"""What this CPU does in hardware, as its flags say (Linux's /proc/cpuinfo: "flags" on x86, "Features" on Arm;
elsewhere nothing is known, and classlab takes the paths that are safe everywhere).

These facts choose classlab's fast paths: the SVC's exact integer product (int8 with hardware dot products,
else float32) and the advice on ``--precision bf16``. The benchmark records them beside every figure.
"""

from functools import cache
from pathlib import Path

INT8_DOT = ("avx512_vnni", "avx_vnni", "amx_int8")  # x86 int8 dot products (Arm: untested, so float32)
BF16 = ("avx512_bf16", "amx_bf16", "avx_ne_convert", "bf16")  # bfloat16 arithmetic in hardware


@cache
def cpu():
    """``{"model_name", "vendor", "family", "model", "flags"}`` of the first CPU (flags: a frozenset)."""
    info = {"model_name": "", "vendor": "", "family": None, "model": None, "flags": frozenset()}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return info
    for line in text.splitlines():
        key, _, value = (part.strip() for part in line.partition(":"))
        if key == "model name" and not info["model_name"]:
            info["model_name"] = value
        elif key == "vendor_id" and not info["vendor"]:
            info["vendor"] = value
        elif key == "cpu family" and info["family"] is None:
            info["family"] = int(value)
        elif key == "model" and info["model"] is None and value.isdigit():
            info["model"] = int(value)
        elif key in ("flags", "Features") and not info["flags"]:
            info["flags"] = frozenset(value.split())
    return info


def flags():
    return cpu()["flags"]


def has_int8_dot(cpu_flags=None):
    """Whether the CPU multiplies int8 matrices with dot-product instructions (without them, an int8 product is a
    slow path: on AMD Zen 3, 1.7-5.6 GOP/s against 53-78 GFLOP/s for float32)."""
    return bool(set(INT8_DOT) & set(flags() if cpu_flags is None else cpu_flags))


def has_bf16(cpu_flags=None):
    """Whether the CPU computes in bfloat16 in hardware (without it, oneDNN emulates bf16, slower than fp32)."""
    return bool(set(BF16) & set(flags() if cpu_flags is None else cpu_flags))
