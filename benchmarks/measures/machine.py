"""What the machine is and what ran on it: the CPU (model, flags), its kind, the libraries, torch's CPU
capability, the instruction set oneDNN picks for convolutions, the SVC's Gram path, and the fp32 big-matmul rate."""

import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch

from classlab import _cpu
from classlab.svm import gram_path

FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "avx_vnni", "amx_tile", "amx_int8", "amx_bf16")
FORCED_AVX2 = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2"}


def cpu_info():
    info = _cpu.cpu()
    return {"model_name": info["model_name"] or platform.processor() or platform.machine(), "vendor": info["vendor"],
            "family": info["family"], "model": info["model"], "flags": [f for f in FLAGS if f in info["flags"]]}


def forced_avx2():
    """Whether this process runs with the CPU forced down to AVX2 (the stand-in for a laptop)."""
    return all(os.environ.get(k, "").lower() == v.lower() for k, v in FORCED_AVX2.items())


def machine_kind(info=None):
    """A short name for the kind of CPU: what decides classlab's speed (vendor, generation, vector units)."""
    info = info or cpu_info()
    if info["vendor"] == "AuthenticAMD":
        generation = {25: "zen4" if "avx512f" in info["flags"] else "zen3", 26: "zen5"}.get(
            info["family"], f"family{info['family']}")
        kind = f"amd-epyc-{generation}"
    elif info["vendor"] == "GenuineIntel":
        kind = "intel-xeon-" + ("amx" if "amx_bf16" in info["flags"] else "avx512" if "avx512f" in info["flags"]
                                else f"family{info['family']}-model{info['model']}")
    else:
        kind = re.sub(r"[^a-z0-9]+", "-", info["model_name"].lower()).strip("-") or platform.machine()
    return kind + ("-as-avx2" if forced_avx2() else "")


def onednn_isa(precision):
    """The implementation oneDNN runs a convolution with, in this precision (ONEDNN_VERBOSE, a fresh process)."""
    code = ("import torch; c = torch.nn.Conv2d(32, 64, 3).to(memory_format=torch.channels_last); "
            "x = torch.randn(8, 32, 15, 15).contiguous(memory_format=torch.channels_last)\n"
            f"with torch.autocast('cpu', dtype=torch.bfloat16, enabled={precision == 'bf16'}): c(x)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=dict(os.environ, ONEDNN_VERBOSE="1")).stdout
    return sorted(set(re.findall(r",exec,cpu,convolution,([^,]+),", out))) or ["unknown"]


def versions():
    import sklearn

    config = torch.__config__.show()
    mkl = re.search(r"Math Kernel Library Version ([\d.]+)", config)
    dnn = re.search(r"MKL-DNN v([\d.]+)", config)
    return {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "scikit-learn": sklearn.__version__, "mkl": mkl and mkl[1], "onednn": dnn and dnn[1],
            "torch_cpu_capability": torch.backends.cpu.get_cpu_capability()}


def paths():
    """Which of classlab's paths ran here: the SVC's integer product, the convolutions' oneDNN implementation."""
    return {"gram": gram_path(), "numpy_sgemm_gflops": numpy_sgemm_gflops(), "conv_fp32": onednn_isa("fp32"),
            "conv_bf16": onednn_isa("bf16"),
            "forced_avx2": forced_avx2(), "int8_dot_instructions": _cpu.has_int8_dot(),
            "bf16_instructions": _cpu.has_bf16()}


def numpy_sgemm_gflops(n=4096, repeats=3):
    """The same for numpy's BLAS (OpenBLAS in numpy's wheels), which the SVC's float32 product uses."""
    a, b = np.random.default_rng(0).standard_normal((2, n, n), dtype=np.float32)
    a @ b
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def matmul_gflops(n=4096, repeats=3):
    """The fp32 rate of one big square matmul (torch.mm): the machine's compute limit for dense work."""
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times) / 1e9
