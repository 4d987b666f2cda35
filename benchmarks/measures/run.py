"""The whole `classlab run` in a fresh process, against the problem set's code's steps added up (from the nets, SVC
and part 2 measures); and two worker processes against the serial run."""

from .common import log, run_cli


def measure(b, res):
    wall, doc = run_cli(b.cli_args)
    n = res["nets"]
    seed_steps = {
        "dense": n["dense"]["epoch_s"]["seed"] * b.epochs + n["dense"]["eval_s_seed"],
        "cnn": n["cnn"]["epoch_s"]["seed"] * b.epochs + n["cnn"]["eval_s_seed"],
        "svc": res["svc"]["seed_arrays_s"] + res["svc"]["fit_predict_s"]["seed"],
        "part2": res["part2"]["seed_s"],
    }
    out = {"classlab_s": wall, "seed_steps_s": seed_steps, "seed_total_s": sum(seed_steps.values()),
           "speedup": sum(seed_steps.values()) / wall, "peak_rss_mib": doc["resources"]["peak_rss_mib"],
           "classlab_timings": doc["timings"]}
    log(f"whole run: {out}")
    return out


def workers(b):
    fast = ["--only", "2.1,2.2,2.3,2.4", "--seeds", "4"]
    serial_fast, _ = run_cli(fast)
    workers_fast, _ = run_cli(fast + ["--workers", "2"])
    serial_whole, _ = run_cli(b.cli_args)
    workers_whole, _ = run_cli(b.cli_args + ["--workers", "2"])
    res = {"part2_4_seeds": {"serial_s": serial_fast, "workers_s": workers_fast,
                             "speedup": serial_fast / workers_fast},
           "whole_run": {"serial_s": serial_whole, "workers_s": workers_whole, "speedup": serial_whole / workers_whole}}
    log(f"workers: {res}")
    return res
