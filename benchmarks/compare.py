"""classlab against the problem set's own code, side by side in one invocation, on the machine at hand.

    python benchmarks/compare.py --cifar ../shared/data/cifar10-jpeg.tar.gz

Runs both on the same data and machine (both on the CPU), alternating them, and writes the results
to ``benchmarks/results/<machine kind>.{json,md}`` (one file per kind of machine met, so that the
README can show them side by side; ``machine_kind()`` names the kind from the CPU):

* ``nets``: dense and CNN epoch times, and accuracy parity over seeds (10 epochs each, both ways); the
  nets' fraction of this machine's compute limit: training FLOPs per epoch from the layer shapes
  (forward multiply-adds x 2 x 3, minus the first layer's input gradient) over the epoch time,
  against the fp32 matrix-multiply rate measured here (a large torch.mm);
* ``svc``: SVC(kernel='rbf') on the normalized pixels against classlab's RBFSVC as its runs use it (on the
  uint8 images, ``PixelFeatures``): same support vectors, same predictions?
  and the problem set's own SVC on its augmented arrays, for the coverage check;
* ``part2``: part 2 as a whole; ``run``: the whole `classlab run` against the seed code's steps added up;
* ``workers``: two worker processes against the serial run (part 2 over four seeds; the whole run);
* ``memory``: peak memory of --quick runs with 1 and 20 seeds; ``bf16``: bfloat16 autocast as an option,
  with the vector ISA oneDNN picks for it (AMX where the CPU has it);
* ``coverage``: how many of the problem set's own answers (its code, its random streams, the same data)
  fall inside the accepted ranges of a ``classlab run --seeds 5``;
* ``step``: where a CNN training step's time goes (each layer's forward, the backward, Adam) in blocks of
  100 steps, with probes of the machine between blocks (matmul, SiLU, memory fill), and the profiler's
  top operators: what to look at first on a new kind of machine.

``--smoke`` shrinks everything (a subset, 2 epochs, 1 seed) to check the script itself; ``--only`` and
``--skip`` choose phases, ``--update`` keeps the other phases of the existing file.
"""

import argparse
import dataclasses
import json
import os
import platform
import re
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

from classlab import DEFAULT, RBFSVC, PixelFeatures, normalize  # noqa: E402
from classlab._atomic import write_text as atomic_write_text  # noqa: E402
from classlab._context import Context, Inputs  # noqa: E402
from classlab._executors import keep_freed_memory  # noqa: E402
from classlab._units import CifarNet  # noqa: E402
from classlab.data.augment import MEAN, STD  # noqa: E402
from classlab.data.cifar import load_cifar10  # noqa: E402
from classlab.models import CNN, Dense  # noqa: E402

PHASES = ("nets", "svc", "part2", "run", "workers", "memory", "bf16", "coverage", "step")
FLAGS = ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16")


# ----------------------------------------------------------------------------- the machine


def cpu_info():
    info = {"model_name": platform.processor() or platform.machine(), "vendor": "", "family": None, "model": None,
            "flags": []}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "model name":
                info["model_name"] = value
            elif key == "vendor_id":
                info["vendor"] = value
            elif key == "cpu family":
                info["family"] = int(value)
            elif key == "model":
                info["model"] = int(value)
            elif key == "flags":
                info["flags"] = [f for f in FLAGS if f in value.split()]
                break
    except OSError:
        pass
    return info


def machine_kind(info=None):
    """A short name for the kind of CPU: what decides classlab's speed (vendor, generation, vector units)."""
    info = info or cpu_info()
    if info["vendor"] == "AuthenticAMD":
        generation = {25: "zen4" if "avx512f" in info["flags"] else "zen3", 26: "zen5"}.get(
            info["family"], f"family{info['family']}")
        return f"amd-epyc-{generation}"
    if info["vendor"] == "GenuineIntel":
        return "intel-xeon-" + ("amx" if "amx_bf16" in info["flags"] else "avx512" if "avx512f" in info["flags"]
                                else f"family{info['family']}-model{info['model']}")
    return re.sub(r"[^a-z0-9]+", "-", info["model_name"].lower()).strip("-") or platform.machine()


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


def matmul_gflops(n=4096, repeats=3):
    a, b = torch.randn(n, n), torch.randn(n, n)
    torch.mm(a, b)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        torch.mm(a, b)
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times) / 1e9


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


# ----------------------------------------------------------------------------- helpers


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def mean_sd(values):
    return {"mean": statistics.fmean(values), "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
            "values": values}


def classlab_net(which, seed, ctx):
    r = CifarNet(which, seed).run(ctx)
    return {"accuracy": r["faithful"]["accuracy"], "accuracy_clean": r["corrected"]["accuracy"],
            "epoch_s": r["history"]["epoch_seconds"], "total_s": r["seconds"]["train"] + r["seconds"]["evaluate"]}


def run_cli(args, command="run"):
    """`classlab run` (or another command) in a fresh process on the CPU: wall time and answers.json."""
    out = Path(tempfile.mkdtemp(prefix="classlab-bench-")) / "out"
    extra = ["--device", "cpu", "--out", str(out)] if command == "run" else []
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "classlab", command, *extra, *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=str(HERE.parent / "src")))
    wall = time.perf_counter() - t
    return wall, json.loads((out / "answers.json").read_text())


def log(text):
    print(f"  {text}", flush=True)


# ----------------------------------------------------------------------------- phases


def phase_nets(b):
    nets = {}
    for which, model in (("dense", Dense()), ("cnn", CNN())):
        base, ours = [], []
        for seed in range(b.seeds):
            # Alternate who goes first, so drift in the machine's speed hits both alike.
            pair = [("seed", lambda: seed_code.train_cifar(which, b.data, seed, b.epochs)),
                    ("classlab", lambda: classlab_net(which, seed, b.ctx))]
            for name, fn in (pair if seed % 2 == 0 else pair[::-1]):
                r = fn()
                (base if name == "seed" else ours).append(r)
                log(f"{which} seed {seed} {name}: acc {r['accuracy']:.4f} clean {r['accuracy_clean']:.4f} "
                    f"epoch {statistics.median(r['epoch_s']):.2f}s")
        flops = training_flops_per_sample(model) * len(b.data.train_y)
        epochs = {"seed": [e for r in base for e in r["epoch_s"]], "classlab": [e for r in ours for e in r["epoch_s"]]}
        b_ep, o_ep = statistics.median(epochs["seed"]), statistics.median(epochs["classlab"])
        nets[which] = {
            "epoch_s": {"seed": b_ep, "classlab": o_ep, "speedup": b_ep / o_ep},
            "epochs_s": epochs,  # every epoch: noise only adds time, so the fastest shows what the code can do
            "eval_s_seed": statistics.median([r["eval_s"] for r in base]),
            "train_tflop_per_epoch": flops / 1e12,
            "accuracy": {"seed": mean_sd([r["accuracy"] for r in base]),
                         "classlab": mean_sd([r["accuracy"] for r in ours])},
            "accuracy_clean": {"seed": mean_sd([r["accuracy_clean"] for r in base]),
                               "classlab": mean_sd([r["accuracy_clean"] for r in ours])},
        }
    return nets


def phase_svc(b):
    from sklearn.svm import SVC

    n = b.svc_n
    (X, y, Xt, yt), arrays_s = timed(seed_code.svc_arrays, b.data, n)
    Xc = normalize(b.data.train_x[:n]).reshape(n, -1).numpy()
    Xtc = normalize(b.data.test_x).reshape(len(b.data.test_x), -1).numpy()
    yc = b.data.train_y[:n].numpy()
    svc = RBFSVC(preprocess=PixelFeatures(MEAN, STD))  # as classlab's SVC unit runs it
    ours, ours_s = timed(lambda: (lambda m: (m, m.predict(b.data.test_x)))(svc.fit(b.data.train_x[:n], yc)))
    ref, ref_s = timed(lambda: (lambda m: (m, m.predict(Xtc)))(SVC(kernel="rbf").fit(Xc, yc)))
    # The problem set's own 1.7/1.8 (seed 0): SVC(kernel='rbf') on its augmented arrays, for the coverage check.
    own = SVC(kernel="rbf").fit(X, y)
    res = {"points": n, "seed_arrays_s": arrays_s,
           "fit_predict_s": {"seed": ref_s, "classlab": ours_s, "speedup": ref_s / ours_s},
           "same_support_vectors": bool(np.array_equal(ref[0].support_, ours[0].support_)),
           "same_predictions": bool(np.array_equal(ref[1], ours[1])),
           "n_support": int(ours[0].n_support_.sum()), "accuracy": float((ours[1] == yt).mean()),
           "seed_code_faithful": {"seed": 0, "accuracy": float(own.score(Xt, yt)),
                                  "n_support": int(own.n_support_.sum())}}
    log(f"svc: {res}")
    return res


def phase_part2(b):
    from classlab._questions import plan
    from classlab.data.points import load_points

    pts = load_points()
    base, ours = [], []
    answers = None
    for r in range(b.part2_repeats):
        units = plan(["2.1", "2.2", "2.3", "2.4"], DEFAULT, [0])
        pair = [(base, lambda: seed_code.part2(pts.X, pts.y)),
                (ours, lambda: [u.run(Context(DEFAULT)) for u in units])]
        for sink, fn in (pair if r % 2 == 0 else pair[::-1]):
            out, seconds = timed(fn)
            sink.append(seconds)
            if sink is base:
                answers = out
    res = {"seed_s": statistics.median(base), "classlab_s": statistics.median(ours),
           "speedup": statistics.median(base) / statistics.median(ours), "seed_code_answers": answers}
    log(f"part 2: {res}")
    return res


def phase_run(b, res):
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


def phase_workers(b):
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


def phase_memory(b):
    args = ["--cifar", b.cifar, "--quick"] + (["--data-dir", b.data_dir] if b.data_dir else [])
    res = {str(k): run_cli(args + ["--seeds", str(k)])[1]["resources"]["peak_rss_mib"] for k in (1, 20)}
    log(f"quick memory: {res}")
    return res


def phase_bf16(b):
    bctx = Context(dataclasses.replace(b.settings, precision="bf16"), b.inputs)
    res = {w: classlab_net(w, 0, bctx) for w in ("dense", "cnn")}
    res["onednn_isa"] = {"fp32": onednn_isa("fp32"), "bf16": onednn_isa("bf16")}
    log(f"bf16: { {w: (r['accuracy_clean'], statistics.median(r['epoch_s'])) for w, r in res.items() if w != 'onednn_isa'} }")
    return res


def phase_step(b, blocks=12, steps=100):
    """A CNN training step as classlab runs it (channels-last, channels-last gradients, fused Adam) on real
    batches of 50, timed layer by layer; between blocks, probes of the machine, so that noise shows."""
    from torch.profiler import profile

    from classlab.training import channels_last_gradients

    F = torch.nn.functional
    torch.manual_seed(0)
    model = CNN().to(memory_format=torch.channels_last)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = normalize(b.data.train_x[:1000]).contiguous(memory_format=torch.channels_last)
    y = b.data.train_y[:1000]
    parts = ("conv1", "silu1", "pool1", "conv2", "silu2", "pool2", "fc", "backward", "adam")

    def forward_by_parts(xb, clock):  # CNN.forward, one layer at a time
        a = clock("conv1", model.conv1(xb))
        a = clock("pool1", model.pool(clock("silu1", F.silu(a))))
        a = clock("conv2", model.conv2(a))
        a = clock("pool2", model.pool(clock("silu2", F.silu(a))))
        return clock("fc", model.fc2(F.relu(model.fc1(a.flatten(1)))))

    def block(n=steps):
        total = dict.fromkeys(parts, 0.0)
        last = [0.0]

        def clock(name, value):
            now = time.perf_counter()
            total[name] += now - last[0]
            last[0] = now
            return value

        for i in range(n):
            xb, yb = x[i % 20 * 50:][:50], y[i % 20 * 50:][:50]
            adam.zero_grad(set_to_none=True)
            last[0] = time.perf_counter()
            loss = loss_fn(forward_by_parts(xb, clock), yb)
            clock("fc", None)
            clock("backward", loss.backward())
            clock("adam", adam.step())
        return {k: v / n * 1e3 for k, v in total.items()}

    probe_in = torch.randn(50, 64, 15, 15).contiguous(memory_format=torch.channels_last)
    probe_out, probe_fill = torch.empty_like(probe_in), torch.empty(8 << 20)

    def silu_us(threads):
        torch.set_num_threads(threads)
        t = time.perf_counter()
        for _ in range(50):
            torch.ops.aten.silu.out(probe_in, out=probe_out)
        torch.set_num_threads(b.threads)
        return (time.perf_counter() - t) / 50 * 1e6

    def probes():
        t = time.perf_counter()
        for _ in range(4):
            probe_fill.fill_(1.0)
        fill_gb_s = 4 * probe_fill.numel() * 4 / (time.perf_counter() - t) / 1e9
        one, all_ = silu_us(1), silu_us(b.threads)
        # SiLU on all threads against one: about the thread count when every core is there; near 1 when
        # the machine's other cores are busy elsewhere (a shared VM's neighbours).
        return {"matmul_gflops": matmul_gflops(2048), "silu_us": all_, "thread_speedup": one / all_,
                "fill_gb_s": fill_gb_s}

    with torch.no_grad():
        assert torch.equal(forward_by_parts(x[:50], lambda name, value: value), model(x[:50]))
    if b.smoke:
        blocks, steps = 2, 5
    with channels_last_gradients(model):
        block(20)
        rows = [{"ms": block(steps), **probes()} for _ in range(blocks)]
        with profile() as prof:
            block(20)
    top = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:12]
    out = {"steps_per_block": steps, "blocks": rows,
           "profile_ms_per_step": [(e.key, e.self_cpu_time_total / 20 / 1e3) for e in top]}
    step_ms = [sum(r["ms"].values()) for r in rows]
    log(f"step: {min(step_ms):.2f}-{max(step_ms):.2f} ms per step")
    return out


def phase_coverage(b, res):
    """The problem set's own answers (from the nets, svc and part2 phases) against classlab's ranges."""
    seeds = 2 if b.smoke else 5
    _, doc = run_cli(b.cli_args + ["--seeds", str(seeds)])
    answers = doc["answers"]
    own = []
    for which, id in (("dense", "1.4"), ("cnn", "1.6")):
        own += [(id, v) for v in res["nets"][which]["accuracy"]["seed"]["values"]]
    own += [("1.7", res["svc"]["seed_code_faithful"]["accuracy"]), ("1.8", res["svc"]["seed_code_faithful"]["n_support"])]
    p2 = res["part2"]["seed_code_answers"]
    own += [("2.1", p2["logreg"]), ("2.3", p2["h1-w2"])]
    widths = DEFAULT.widths
    own.append(("2.4", min((w for w in widths if p2[f"h1-w{w}"] >= DEFAULT.target_accuracy), default="none")))
    rows = []
    for id, value in own:
        a = answers[id]
        digits = a["digits"]
        shown = f"{value:.{digits}f}" if digits is not None and isinstance(value, float) else str(value)
        spread = (a.get("spread") or {}).get("faithful")
        if spread is None:  # deterministic (2.1): the key accepts its rounded value
            inside, accepted = shown == a["display"], a["display"]
        elif "values" in spread or not isinstance(spread["low"], (int, float)) or not _is_number(shown):
            inside, accepted = shown in spread.get("values", [spread["accepted"]]), spread["accepted"]
        else:
            inside, accepted = spread["low"] <= float(shown) <= spread["high"], spread["accepted"]
        rows.append({"question": id, "seed_code": shown, "accepted": accepted, "inside": inside})
    out = {"classlab_seeds": seeds, "rows": rows, "inside": sum(r["inside"] for r in rows), "total": len(rows)}
    log(f"coverage: {out['inside']}/{out['total']} inside")
    return out


def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


# ----------------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cifar", required=True, help="CIFAR-10 in any form classlab accepts")
    ap.add_argument("--data-dir", default=None, help="classlab's data folder (tensor cache)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds for accuracy parity (each trains 10 epochs both ways)")
    ap.add_argument("--part2-repeats", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check the script")
    ap.add_argument("--only", default="", help=f"comma list of phases to run ({','.join(PHASES)})")
    ap.add_argument("--skip", default="", help="comma list of phases to skip")
    ap.add_argument("--update", action="store_true",
                    help="start from this machine kind's results file and replace only the phases run now")
    ap.add_argument("--out", default=str(HERE / "results"))
    a = ap.parse_args()
    only, skip = set(filter(None, a.only.split(","))), set(filter(None, a.skip.split(",")))
    wanted = [p for p in PHASES if (not only or p in only) and p not in skip]
    keep_freed_memory()  # as classlab's runs do

    class Bench:  # the shared setup of the phases
        pass

    b = Bench()
    b.smoke, b.cifar, b.data_dir, b.part2_repeats = a.smoke, a.cifar, a.data_dir, a.part2_repeats
    b.threads = torch.get_num_threads()
    b.epochs, b.seeds = (2, 1) if a.smoke else (10, a.seeds)
    n_train, n_test, b.svc_n = (5000, 1000, 1000) if a.smoke else (None, None, 10_000)
    b.data = load_cifar10(a.cifar, a.data_dir).subset(n_train, n_test)
    # Both sides on the CPU: the problem set's code knows no other device, and a CUDA machine must
    # not pit classlab on its GPU against the baseline on the CPU.
    b.settings = dataclasses.replace(DEFAULT, epochs=b.epochs, train_subset=n_train, test_subset=n_test,
                                     learning_curves=False, device="cpu")
    b.inputs = Inputs(cifar=a.cifar, data_dir=a.data_dir)
    b.ctx = Context(b.settings, b.inputs)
    b.cli_args = ["--cifar", a.cifar] + (["--data-dir", a.data_dir] if a.data_dir else [])
    if a.smoke:
        b.cli_args += ["--epochs", str(b.epochs), "--train-subset", str(n_train), "--test-subset", str(n_test),
                       "--svc-train-points", str(b.svc_n)]

    cpu = cpu_info()
    kind = "smoke" if a.smoke else machine_kind(cpu)
    path = Path(a.out) / f"{kind}.json"
    res = json.loads(path.read_text()) if a.update and path.exists() else {}
    res |= {"kind": kind, "cpu": cpu, "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                                  "torch_threads": torch.get_num_threads()},
            "versions": versions(), "data": b.data.describe(), "epochs": b.epochs,
            "seeds": res.get("seeds", b.seeds) if a.update else b.seeds,
            "started": res.get("started") if a.update else datetime.now().isoformat(" ", "seconds")}
    print(f"benchmark on {cpu['model_name']} ({kind}), {torch.get_num_threads()} torch threads", flush=True)
    res["matmul_gflops"] = res.get("matmul_gflops", []) if a.update else []
    res["matmul_gflops"].append(matmul_gflops())
    for phase in wanted:
        print(f"phase {phase}", flush=True)
        if phase == "nets":
            res["nets"] = phase_nets(b)
        elif phase == "svc":
            res["svc"] = phase_svc(b)
        elif phase == "part2":
            res["part2"] = phase_part2(b)
        elif phase == "run" and {"nets", "svc", "part2"} <= set(res):
            res["whole_run"] = phase_run(b, res)
        elif phase == "workers":
            res["workers"] = phase_workers(b)
        elif phase == "memory":
            res["quick_memory_mib"] = phase_memory(b)
        elif phase == "bf16":
            res["bf16"] = phase_bf16(b)
        elif phase == "step":
            res["step"] = phase_step(b)
        elif phase == "coverage" and {"nets", "svc", "part2"} <= set(res):
            res["coverage"] = phase_coverage(b, res)
        res["matmul_gflops"].append(matmul_gflops())
        res.setdefault("measured", {})[phase] = datetime.now().isoformat(" ", "seconds")  # --update mixes runs
        save(res, path)  # after every phase: an hour's run cut short keeps what it measured (rerun with --update)
    print(markdown(res))


def save(res, path):
    peak = statistics.fmean(res["matmul_gflops"])
    for r in res.get("nets", {}).values():
        r["fraction_of_limit"] = {k: r["train_tflop_per_epoch"] * 1e3 / r["epoch_s"][k] / peak
                                  for k in ("seed", "classlab")}
        if "epochs_s" in r:
            r["fraction_of_limit_fastest_epoch"] = {k: r["train_tflop_per_epoch"] * 1e3 / min(v) / peak
                                                    for k, v in r["epochs_s"].items()}
    res["finished"] = datetime.now().isoformat(" ", "seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(res, indent=2))
    atomic_write_text(path.with_suffix(".md"), markdown(res))


def markdown(res):
    c, v = res["cpu"], res["versions"]
    gf = statistics.fmean(res["matmul_gflops"])
    lines = [f"# classlab vs the problem set's code on {res['kind']} ({res['finished']})", "",
             f"CPU: {c['model_name']} ({c['vendor']} family {c['family']} model {c['model']}; "
             f"{' '.join(c['flags']) or 'no AVX-512'}), {res['machine']['cpus']} CPUs, "
             f"{res['machine']['torch_threads']} torch threads. torch {v['torch']} (MKL {v['mkl']}, oneDNN {v['onednn']}, "
             f"ATen CPU capability {v['torch_cpu_capability']}), numpy {v['numpy']}, scikit-learn {v['scikit-learn']}, "
             f"Python {v['python']}. Data: {res['data']['source']} ({res['data']['train_size']} train / "
             f"{res['data']['test_size']} test). fp32 matmul measured: {gf:.0f} GFLOP/s. {res['epochs']} epochs, "
             f"{res['seeds']} seed(s).", ""]
    if res.get("measured"):
        lines += ["Each phase finished at: " + ", ".join(f"{k} {t}" for k, t in res["measured"].items())
                  + "", ""]
    lines += ["| what | problem set's code | classlab | ratio |", "|---|---|---|---|"]
    for which, r in res.get("nets", {}).items():
        e = r["epoch_s"]
        lines.append(f"| {which} epoch (median) | {e['seed']:.2f} s | {e['classlab']:.2f} s | {e['speedup']:.2f}x |")
        f = r["fraction_of_limit"]
        lines.append(f"| {which}: fraction of the fp32 compute limit ({r['train_tflop_per_epoch']:.3f} TFLOP/epoch) "
                     f"| {f['seed']:.0%} | {f['classlab']:.0%} | |")
        if "epochs_s" in r:
            fast, ff = {k: min(v) for k, v in r["epochs_s"].items()}, r["fraction_of_limit_fastest_epoch"]
            lines.append(f"| {which}: fastest epoch, its fraction of the limit | {fast['seed']:.2f} s, {ff['seed']:.0%} | "
                         f"{fast['classlab']:.2f} s, {ff['classlab']:.0%} | {fast['seed'] / fast['classlab']:.2f}x |")
    if "svc" in res:
        s = res["svc"]["fit_predict_s"]
        lines.append(f"| SVC fit+predict, {res['svc']['points']} points (the normalized pixels; classlab: from the "
                     f"uint8 images) | {s['seed']:.1f} s | "
                     f"{s['classlab']:.1f} s | {s['speedup']:.1f}x |")
        lines.append(f"| same support vectors / same predictions | | {res['svc']['same_support_vectors']} / "
                     f"{res['svc']['same_predictions']} | |")
    if "part2" in res:
        p = res["part2"]
        lines.append(f"| part 2 total: 2.1-2.4 and the n_hidden=3 net (seed code: 7 nets, faithful only; classlab: "
                     f"14 nets, both protocols) | {p['seed_s']:.1f} s | {p['classlab_s']:.1f} s | {p['speedup']:.1f}x |")
    if "whole_run" in res:
        w = res["whole_run"]
        lines.append(f"| whole run vs the seed code's steps added up | {w['seed_total_s']:.0f} s | "
                     f"{w['classlab_s']:.0f} s | {w['speedup']:.1f}x |")
        lines.append(f"| peak memory of the whole run | | {w['peak_rss_mib']:.0f} MiB | |")
    if "quick_memory_mib" in res:
        q = res["quick_memory_mib"]
        lines.append(f"| peak memory, --quick with 1 / 20 seeds | | {q['1']:.0f} / {q['20']:.0f} MiB | |")
    if "workers" in res:
        w = res["workers"]
        lines += ["", "Two worker processes (`--workers 2`, one thread each) against the serial run (two threads):", "",
                  "| run | serial | --workers 2 | speedup |", "|---|---|---|---|"]
        for name, label in (("part2_4_seeds", "part 2 (2.1-2.4), 4 seeds"), ("whole_run", "whole run, 1 seed")):
            r = w[name]
            lines.append(f"| {label} | {r['serial_s']:.0f} s | {r['workers_s']:.0f} s | {r['speedup']:.2f}x |")
    if "nets" in res:
        lines += ["", "Accuracy parity (faithful protocol: augmented test set; mean +- sd over seeds):", "",
                  "| net | problem set's code | classlab | difference of means | clean test: seed code / classlab |",
                  "|---|---|---|---|---|"]
        for which, r in res["nets"].items():
            s, cl = r["accuracy"]["seed"], r["accuracy"]["classlab"]
            sc, cc = r["accuracy_clean"]["seed"], r["accuracy_clean"]["classlab"]
            lines.append(f"| {which} | {s['mean']:.4f} +- {s['sd']:.4f} | {cl['mean']:.4f} +- {cl['sd']:.4f} | "
                         f"{cl['mean'] - s['mean']:+.4f} | {sc['mean']:.4f} / {cc['mean']:.4f} |")
    if "bf16" in res and "nets" in res:
        isa = res["bf16"].get("onednn_isa", {})
        lines += ["", f"bf16 autocast (an option, never the answers), seed 0; oneDNN runs convolutions with "
                      f"{', '.join(isa.get('bf16', ['?']))} in bf16 ({', '.join(isa.get('fp32', ['?']))} in fp32):", "",
                  "| net | epoch | speedup over classlab fp32 | clean accuracy | fp32 clean accuracy (mean) |",
                  "|---|---|---|---|---|"]
        for which in ("dense", "cnn"):
            r = res["bf16"][which]
            ep = statistics.median(r["epoch_s"])
            fp = res["nets"][which]
            lines.append(f"| {which} | {ep:.2f} s | {fp['epoch_s']['classlab'] / ep:.2f}x | {r['accuracy_clean']:.4f} | "
                         f"{fp['accuracy_clean']['classlab']['mean']:.4f} |")
    if "coverage" in res:
        cv = res["coverage"]
        lines += ["", f"The problem set's own answers against the accepted ranges of `classlab run --seeds "
                      f"{cv['classlab_seeds']}`: **{cv['inside']} of {cv['total']} inside**.", "",
                  "| question | problem set's code | classlab's accepted range | inside |", "|---|---|---|---|"]
        for r in cv["rows"]:
            lines.append(f"| {r['question']} | {r['seed_code']} | {r['accepted']} | {'yes' if r['inside'] else 'NO'} |")
    if "step" in res:
        lines += _step_markdown(res["step"], gf)
    return "\n".join(lines) + "\n"


def _step_markdown(st, gflops):
    rows = st["blocks"]
    step_ms = [sum(r["ms"].values()) for r in rows]
    flop = training_flops_per_sample(CNN()) * 50 / 1e9  # GFLOP per step of 50 images
    lines = ["", f"Where a CNN training step goes (classlab's step, batches of 50; {len(rows)} blocks of "
                 f"{st['steps_per_block']} steps, probes of the machine between blocks; {flop:.2f} GFLOP per step):", "",
             "| block | step | " + " | ".join(rows[0]["ms"]) + f" | share of the limit ({gflops:.0f} GFLOP/s) | matmul | SiLU probe "
             "(speedup of all threads over one) | fill |",
             "|---" * (len(rows[0]["ms"]) + 6) + "|"]
    for i, (r, ms) in enumerate(zip(rows, step_ms)):
        lines.append(f"| {i + 1} | {ms:.2f} ms | " + " | ".join(f"{v:.2f}" for v in r["ms"].values())
                     + f" | {flop / ms * 1e3 / gflops:.0%} | {r['matmul_gflops']:.0f} GFLOP/s | "
                     f"{r['silu_us']:.0f} us ({r.get('thread_speedup', float('nan')):.2f}x) | {r['fill_gb_s']:.0f} GB/s |")
    lines += ["", "The profiler's top operators (self time, ms per step): "
              + ", ".join(f"{name} {ms:.2f}" for name, ms in st["profile_ms_per_step"]) + "."]
    return lines


if __name__ == "__main__":
    main()
