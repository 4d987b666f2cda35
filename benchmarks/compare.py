"""classlab against the problem set's own code, side by side in one invocation.

    python benchmarks/compare.py --cifar ../shared/data/cifar10-jpeg.tar.gz

Runs both on the same data and machine, alternating them, and writes a table of ratios (medians
over repeats) to benchmarks/results/ as JSON and Markdown:

* dense and CNN epoch times, and accuracy parity over seeds (each seed trains 10 epochs both ways);
* the nets' fraction of this machine's compute limit: training FLOPs per epoch from the layer
  shapes (forward multiply-adds x 2 x 3, minus the first layer's input gradient) over the epoch
  time, against the fp32 matrix-multiply rate measured here (a large torch.mm);
* SVC fit+predict: SVC(kernel='rbf') against classlab's precomputed-kernel SVC on the same
  features, with the support vectors and predictions compared;
* part 2 as a whole; the whole `classlab run` against the seed code's steps added up;
* peak memory of the whole run, and of --quick runs with 1 and 20 seeds; bf16 as an option.

``--smoke`` shrinks everything (a subset, 2 epochs, 1 seed) to check the script itself.
"""

import argparse
import dataclasses
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import seed_code  # noqa: E402

from classlab.data.augment import normalize  # noqa: E402
from classlab.data.cifar import load_cifar10  # noqa: E402
from classlab.models import CNN, Dense  # noqa: E402
from classlab.settings import DEFAULT  # noqa: E402
from classlab.svm import RBFSVC  # noqa: E402
from classlab._context import Context, Inputs  # noqa: E402
from classlab._units import CifarNet  # noqa: E402


def training_flops_per_sample(model):
    """Forward multiply-adds x 2 (FLOPs) x 3 (forward, input gradient, weight gradient), minus the
    first layer's input gradient, which no one needs. From the layer shapes, via forward hooks."""
    macs = []

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            k = module.in_channels // module.groups * module.kernel_size[0] * module.kernel_size[1]
            macs.append(output[0].numel() * k)
        elif isinstance(module, torch.nn.Linear):
            macs.append(module.in_features * module.out_features)

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros(1, 3, 32, 32))
    for h in handles:
        h.remove()
    return 2 * 3 * sum(macs) - 2 * macs[0]


def matmul_gflops(n=4096, repeats=3):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def classlab_net(which, seed, ctx):
    r = CifarNet(which, seed).run(ctx)
    return {"accuracy": r["faithful"]["accuracy"], "accuracy_clean": r["corrected"]["accuracy"],
            "epoch_s": r["history"]["epoch_seconds"], "total_s": r["seconds"]["train"] + r["seconds"]["evaluate"]}


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def run_cli(args):
    """Run `classlab run` in a fresh process; return its wall time and answers.json."""
    out = Path(tempfile.mkdtemp(prefix="classlab-bench-")) / "out"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classlab", "run", "--device", "cpu", "--out", str(out), *args], check=True,
                   stdout=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(HERE.parent / "src")))
    wall = time.perf_counter() - t
    return wall, json.loads((out / "answers.json").read_text())


def mean_sd(values):
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "values": values}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cifar", required=True, help="CIFAR-10 in any form classlab accepts")
    ap.add_argument("--data-dir", default=None, help="classlab's data folder (tensor cache)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds for accuracy parity (each trains 10 epochs both ways)")
    ap.add_argument("--part2-repeats", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check the script")
    ap.add_argument("--skip", default="", help="comma list of phases to skip: nets,svc,part2,run,memory,bf16")
    ap.add_argument("--update", action="store_true",
                    help="start from the existing results file and replace only the phases run now")
    ap.add_argument("--out", default=str(HERE / "results"))
    a = ap.parse_args()
    skip = set(filter(None, a.skip.split(",")))
    epochs, seeds = (2, 1) if a.smoke else (10, a.seeds)
    n_train, n_test, svc_n = (5000, 1000, 1000) if a.smoke else (None, None, 10_000)
    threads = torch.get_num_threads()
    data = load_cifar10(a.cifar, a.data_dir).subset(n_train, n_test)
    # Both sides on the CPU: the problem set's code knows no other device, and a CUDA machine must
    # not pit classlab on its GPU against the baseline on the CPU.
    settings = dataclasses.replace(DEFAULT, epochs=epochs, train_subset=n_train, test_subset=n_test,
                                   learning_curves=False, device="cpu")
    inputs = Inputs(cifar=a.cifar, data_dir=a.data_dir)
    ctx = Context(settings, inputs)
    previous = Path(a.out) / ("smoke.json" if a.smoke else "latest.json")
    res = json.loads(previous.read_text()) if a.update and previous.exists() else {}
    res |= {"machine": {"platform": platform.platform(), "processor": platform.processor() or platform.machine(),
                       "cpus": os.cpu_count(), "torch_threads": threads, "python": platform.python_version(),
                       "torch": torch.__version__},
           "data": data.describe(), "epochs": epochs, "seeds": res.get("seeds", seeds) if a.update else seeds,
           "started": res.get("started") if a.update else datetime.now().isoformat(" ", "seconds")}
    print(f"benchmark on {res['machine']['processor']}, {threads} torch threads", flush=True)
    res["matmul_gflops"] = ([] if not a.update else res.get("matmul_gflops", [])) + [matmul_gflops()]

    if "nets" not in skip:
        nets = {}
        for which, model in (("dense", Dense()), ("cnn", CNN())):
            base, ours = [], []
            for seed in range(seeds):
                # Alternate who goes first, so drift in the machine's speed hits both alike.
                pair = [("seed", lambda: seed_code.train_cifar(which, data, seed, epochs)),
                        ("classlab", lambda: classlab_net(which, seed, ctx))]
                for name, fn in (pair if seed % 2 == 0 else pair[::-1]):
                    r = fn()
                    (base if name == "seed" else ours).append(r)
                    print(f"  {which} seed {seed} {name}: acc {r['accuracy']:.4f} clean {r['accuracy_clean']:.4f} "
                          f"epoch {statistics.median(r['epoch_s']):.2f}s", flush=True)
            flops = training_flops_per_sample(model) * len(data.train_y)
            b_ep = statistics.median([e for r in base for e in r["epoch_s"]])
            o_ep = statistics.median([e for r in ours for e in r["epoch_s"]])
            nets[which] = {
                "epoch_s": {"seed": b_ep, "classlab": o_ep, "speedup": b_ep / o_ep},
                "eval_s_seed": statistics.median([r["eval_s"] for r in base]),
                "train_tflop_per_epoch": flops / 1e12,
                "accuracy": {"seed": mean_sd([r["accuracy"] for r in base]),
                             "classlab": mean_sd([r["accuracy"] for r in ours])},
                "accuracy_clean": {"seed": mean_sd([r["accuracy_clean"] for r in base]),
                                   "classlab": mean_sd([r["accuracy_clean"] for r in ours])},
            }
        res["nets"] = nets

    if "svc" not in skip:
        from sklearn.svm import SVC

        (X, y, Xt, yt), arrays_s = timed(seed_code.svc_arrays, data, svc_n)
        Xc = normalize(data.train_x[:svc_n]).reshape(svc_n, -1).numpy()
        Xtc = normalize(data.test_x).reshape(len(data.test_x), -1).numpy()
        yc, ytc = data.train_y[:svc_n].numpy(), data.test_y.numpy()
        ours, ours_s = timed(lambda: (lambda m: (m, m.predict(Xtc)))(RBFSVC().fit(Xc, yc)))
        ref, ref_s = timed(lambda: (lambda m: (m, m.predict(Xtc)))(SVC(kernel="rbf").fit(Xc, yc)))
        res["svc"] = {"points": svc_n, "seed_arrays_s": arrays_s,
                      "fit_predict_s": {"seed": ref_s, "classlab": ours_s, "speedup": ref_s / ours_s},
                      "same_support_vectors": bool(np.array_equal(ref[0].support_, ours[0].support_)),
                      "same_predictions": bool(np.array_equal(ref[1], ours[1])),
                      "n_support": int(ours[0].n_support_.sum()),
                      "accuracy": float((ours[1] == ytc).mean())}
        print(f"  svc: {res['svc']}", flush=True)

    if "part2" not in skip:
        from classlab.data.points import load_points
        from classlab._questions import plan

        pts = load_points()
        base, ours = [], []
        for r in range(a.part2_repeats):
            units = plan(["2.1", "2.2", "2.3", "2.4"], DEFAULT, [0])
            pair = [(base, lambda: seed_code.part2(pts.X, pts.y)),
                    (ours, lambda: [u.run(Context(DEFAULT)) for u in units])]
            for sink, fn in (pair if r % 2 == 0 else pair[::-1]):
                sink.append(timed(fn)[1])
        res["part2"] = {"seed_s": statistics.median(base), "classlab_s": statistics.median(ours),
                        "speedup": statistics.median(base) / statistics.median(ours)}
        print(f"  part 2: {res['part2']}", flush=True)

    if "run" not in skip and "nets" in res and "svc" in res and "part2" in res:
        args = ["--cifar", a.cifar] + (["--data-dir", a.data_dir] if a.data_dir else [])
        if a.smoke:
            args += ["--epochs", str(epochs), "--train-subset", str(n_train), "--test-subset", str(n_test),
                     "--svc-points", str(svc_n)]
        wall, doc = run_cli(args)
        n = res["nets"]
        seed_steps = {
            "dense": n["dense"]["epoch_s"]["seed"] * epochs + n["dense"]["eval_s_seed"],
            "cnn": n["cnn"]["epoch_s"]["seed"] * epochs + n["cnn"]["eval_s_seed"],
            "svc": res["svc"]["seed_arrays_s"] + res["svc"]["fit_predict_s"]["seed"],
            "part2": res["part2"]["seed_s"],
        }
        res["whole_run"] = {"classlab_s": wall, "seed_steps_s": seed_steps, "seed_total_s": sum(seed_steps.values()),
                            "speedup": sum(seed_steps.values()) / wall,
                            "peak_rss_mib": doc["resources"]["peak_rss_mib"]}
        print(f"  whole run: {res['whole_run']}", flush=True)

    if "memory" not in skip:
        args = ["--cifar", a.cifar, "--quick"] + (["--data-dir", a.data_dir] if a.data_dir else [])
        res["quick_memory_mib"] = {str(k): run_cli(args + ["--seeds", str(k)])[1]["resources"]["peak_rss_mib"]
                                   for k in (1, 20)}
        print(f"  quick memory: {res['quick_memory_mib']}", flush=True)

    if "bf16" not in skip:
        bctx = Context(dataclasses.replace(settings, precision="bf16"), inputs)
        res["bf16"] = {w: classlab_net(w, 0, bctx) for w in ("dense", "cnn")}
        print(f"  bf16: { {w: (r['accuracy_clean'], statistics.median(r['epoch_s'])) for w, r in res['bf16'].items()} }",
              flush=True)

    res["matmul_gflops"].append(matmul_gflops())
    peak = statistics.fmean(res["matmul_gflops"])
    for r in res.get("nets", {}).values():
        r["fraction_of_limit"] = {k: r["train_tflop_per_epoch"] * 1e3 / r["epoch_s"][k] / peak
                                  for k in ("seed", "classlab")}
    res["finished"] = datetime.now().isoformat(" ", "seconds")
    write(res, Path(a.out), smoke=a.smoke)


def write(res, out, smoke):
    out.mkdir(parents=True, exist_ok=True)
    stem = "smoke" if smoke else "latest"
    (out / f"{stem}.json").write_text(json.dumps(res, indent=2))
    md = markdown(res)
    (out / f"{stem}.md").write_text(md)
    print(md)


def markdown(res):
    m = res["machine"]
    gf = statistics.fmean(res["matmul_gflops"])
    lines = [f"# classlab vs the problem set's code ({res['finished']})", "",
             f"Machine: {m['processor']}, {m['cpus']} CPUs, {m['torch_threads']} torch threads, torch {m['torch']}, "
             f"Python {m['python']}. Data: {res['data']['source']} ({res['data']['train_size']} train / "
             f"{res['data']['test_size']} test). fp32 matmul measured: {gf:.0f} GFLOP/s. {res['epochs']} epochs, "
             f"{res['seeds']} seed(s).", "",
             "| what | problem set's code | classlab | ratio |", "|---|---|---|---|"]
    for which, r in res.get("nets", {}).items():
        e = r["epoch_s"]
        lines.append(f"| {which} epoch (median) | {e['seed']:.2f} s | {e['classlab']:.2f} s | {e['speedup']:.2f}x |")
        f = r["fraction_of_limit"]
        lines.append(f"| {which}: fraction of the fp32 compute limit ({r['train_tflop_per_epoch']:.3f} TFLOP/epoch) "
                     f"| {f['seed']:.0%} | {f['classlab']:.0%} | |")
    if "svc" in res:
        s = res["svc"]["fit_predict_s"]
        lines.append(f"| SVC fit+predict, {res['svc']['points']} points, same features | {s['seed']:.1f} s | "
                     f"{s['classlab']:.1f} s | {s['speedup']:.1f}x |")
        lines.append(f"| same support vectors / same predictions | | {res['svc']['same_support_vectors']} / "
                     f"{res['svc']['same_predictions']} | |")
    if "part2" in res:
        p = res["part2"]
        lines.append(f"| part 2 total: 2.1-2.4 and the n_hidden=3 net (seed code: 7 nets, faithful only; classlab: "
                     f"14 nets, both protocols) | {p['seed_s']:.1f} s | {p['classlab_s']:.1f} s | {p['speedup']:.1f}x |")
        lines.append(f"| part 2 per net trained | {p['seed_s'] / 7:.2f} s | {p['classlab_s'] / 14:.2f} s | "
                     f"{p['seed_s'] / 7 / (p['classlab_s'] / 14):.1f}x |")
    if "whole_run" in res:
        w = res["whole_run"]
        lines.append(f"| whole run vs the seed code's steps added up | {w['seed_total_s']:.0f} s | "
                     f"{w['classlab_s']:.0f} s | {w['speedup']:.1f}x |")
        lines.append(f"| peak memory of the whole run | | {w['peak_rss_mib']:.0f} MiB | |")
    if "quick_memory_mib" in res:
        q = res["quick_memory_mib"]
        lines.append(f"| peak memory, --quick with 1 / 20 seeds | | {q['1']:.0f} / {q['20']:.0f} MiB | |")
    if "nets" in res:
        lines += ["", "Accuracy parity (faithful protocol: augmented test set; mean +- sd over seeds):", "",
                  "| net | problem set's code | classlab | difference of means | clean test: seed code / classlab |",
                  "|---|---|---|---|---|"]
        for which, r in res["nets"].items():
            s, c = r["accuracy"]["seed"], r["accuracy"]["classlab"]
            sc, cc = r["accuracy_clean"]["seed"], r["accuracy_clean"]["classlab"]
            lines.append(f"| {which} | {s['mean']:.4f} +- {s['sd']:.4f} | {c['mean']:.4f} +- {c['sd']:.4f} | "
                         f"{c['mean'] - s['mean']:+.4f} | {sc['mean']:.4f} / {cc['mean']:.4f} |")
    if "bf16" in res and "nets" in res:
        lines += ["", "bf16 autocast (an option, never the answers), seed 0:", "",
                  "| net | epoch | speedup over classlab fp32 | clean accuracy | fp32 clean accuracy (mean) |",
                  "|---|---|---|---|---|"]
        for which, r in res["bf16"].items():
            ep = statistics.median(r["epoch_s"])
            fp = res["nets"][which]
            lines.append(f"| {which} | {ep:.2f} s | {fp['epoch_s']['classlab'] / ep:.2f}x | {r['accuracy_clean']:.4f} | "
                         f"{fp['accuracy_clean']['classlab']['mean']:.4f} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
