"""Peak memory of --quick runs with 1 and 20 seeds (the whole run's peak is measured by ``run``)."""

from .common import log, run_cli


def measure(b):
    args = ["--cifar", b.cifar, "--quick"] + (["--data-dir", b.data_dir] if b.data_dir else [])
    res = {str(k): run_cli(args + ["--seeds", str(k)])[1]["resources"]["peak_rss_mib"] for k in (1, 20)}
    log(f"quick memory: {res}")
    return res
