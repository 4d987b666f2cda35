"""classlab against the problem set's own code, side by side in one invocation, on the machine at hand.

    python benchmarks/compare.py --cifar ../shared/data/cifar10-jpeg.tar.gz
    python benchmarks/compare.py --cifar ... --force-avx2     # an AVX-512 CPU forced down to AVX2: a laptop's stand-in

Runs both on the same data and machine (both on the CPU), alternating them, and writes the results to
``benchmarks/results/<machine kind>.{json,md}`` (one file per kind of machine met, so that the README can show
them side by side). The measures, one module each in ``measures/``, in the order they run:

* ``nets``: dense and CNN epoch times, and accuracy parity over seeds (10 epochs each, both ways), with their share
  of the big-matmul rate (training FLOPs per epoch from the layer shapes, over the fp32 rate of a large torch.mm);
* ``limits``: the shape-aware limit: the CNN's own layers alone at a training step's shapes, and the elementwise
  floor; the CNN's epoch as a share of it;
* ``svc``: SVC(kernel='rbf') against classlab's RBFSVC on the uint8 images, 10,000 points and 3,000/3,000 (each
  exact integer product forced too): same support vectors, same predictions?
* ``part2``: part 2 as a whole; ``run``: the whole `classlab run` against the seed code's steps added up;
* ``workers``: two worker processes against the serial run; ``memory``: peak memory of --quick runs;
* ``bf16``: bfloat16 autocast as an option, with the instruction set oneDNN picks for it;
* ``coverage``: how many of the problem set's own answers fall inside the ranges of ``classlab run --seeds 5``;
* ``step``: where a CNN training step's time goes, layer by layer, with probes of the machine;
* ``tools``: the start of `classlab check` and `classlab grade` (whole processes), against ``--tools-baseline``.

Every result file says what ran: the CPU model and flags, torch's CPU capability, oneDNN's convolution
implementation, the SVC's integer product. ``--smoke`` shrinks everything to check the script; ``--only`` and
``--skip`` choose measures, ``--update`` keeps the other measures of the existing file.
"""

import argparse
import dataclasses
import json
import os
import platform
import sys
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

MEASURES = ("nets", "limits", "svc", "part2", "run", "workers", "memory", "bf16", "coverage", "step", "tools")


def parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cifar", required=True, help="CIFAR-10 in any form classlab accepts")
    ap.add_argument("--data-dir", default=None, help="classlab's data folder (tensor cache)")
    ap.add_argument("--seeds", type=int, default=3, help="seeds for accuracy parity (each trains 10 epochs both ways)")
    ap.add_argument("--part2-repeats", type=int, default=3)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, to check the script")
    ap.add_argument("--force-avx2", action="store_true",
                    help="run with the CPU forced down to AVX2 (oneDNN, ATen, MKL): a stand-in for a laptop")
    ap.add_argument("--only", default="", help=f"comma list of measures to run ({','.join(MEASURES)})")
    ap.add_argument("--skip", default="", help="comma list of measures to skip")
    ap.add_argument("--update", action="store_true",
                    help="start from this machine kind's results file and replace only the measures run now")
    ap.add_argument("--tools-baseline", default=None, metavar="SRC",
                    help="the src/ folder of another commit, for the tools measure's baseline (git worktree add ...)")
    ap.add_argument("--out", default=str(HERE / "results"))
    return ap.parse_args()


def main():
    a = parse()
    from measures.machine import FORCED_AVX2

    if a.force_avx2 and not all(os.environ.get(k) == v for k, v in FORCED_AVX2.items()):
        os.execve(sys.executable, [sys.executable, *sys.argv], dict(os.environ, **FORCED_AVX2))  # before torch loads

    import torch

    from classlab import DEFAULT
    from classlab._context import Context, Inputs
    from classlab._executors import keep_freed_memory
    from classlab.data.cifar import load_cifar10
    from measures import bf16, coverage, limits, machine, memory, nets, part2, run, step, svc, tools
    from measures.common import Bench
    from measures.report import markdown, save

    only, skip = set(filter(None, a.only.split(","))), set(filter(None, a.skip.split(",")))
    wanted = [m for m in MEASURES if (not only or m in only) and m not in skip]
    keep_freed_memory()  # as classlab's runs do
    epochs, seeds = (2, 1) if a.smoke else (10, a.seeds)
    n_train, n_test, svc_n = (5000, 1000, 1000) if a.smoke else (None, None, 10_000)
    data = load_cifar10(a.cifar, a.data_dir).subset(n_train, n_test)
    # Both sides on the CPU: the problem set's code knows no other device, and a CUDA machine must not pit
    # classlab on its GPU against the baseline on the CPU.
    settings = dataclasses.replace(DEFAULT, epochs=epochs, train_subset=n_train, test_subset=n_test,
                                   learning_curves=False, device="cpu")
    inputs = Inputs(cifar=a.cifar, data_dir=a.data_dir)
    cli_args = ["--cifar", a.cifar] + (["--data-dir", a.data_dir] if a.data_dir else [])
    if a.smoke:
        cli_args += ["--epochs", str(epochs), "--train-subset", str(n_train), "--test-subset", str(n_test),
                     "--svc-train-points", str(svc_n)]
    b = Bench(smoke=a.smoke, cifar=a.cifar, data_dir=a.data_dir, data=data, settings=settings, inputs=inputs,
              ctx=Context(settings, inputs), cli_args=cli_args, epochs=epochs, seeds=seeds, svc_n=svc_n,
              part2_repeats=a.part2_repeats, threads=torch.get_num_threads())

    cpu = machine.cpu_info()
    kind = "smoke" if a.smoke else machine.machine_kind(cpu)
    path = Path(a.out) / f"{kind}.json"
    res = json.loads(path.read_text()) if a.update and path.exists() else {}
    res |= {"kind": kind, "cpu": cpu, "machine": {"platform": platform.platform(), "cpus": os.cpu_count(),
                                                  "torch_threads": torch.get_num_threads()},
            "versions": machine.versions(), "paths": machine.paths(), "data": data.describe(), "epochs": epochs,
            "seeds": res.get("seeds", seeds) if a.update else seeds,
            "started": res.get("started") if a.update else datetime.now().isoformat(" ", "seconds")}
    print(f"benchmark on {cpu['model_name']} ({kind}), {torch.get_num_threads()} torch threads", flush=True)
    res["matmul_gflops"] = res.get("matmul_gflops", []) if a.update else []
    res["matmul_gflops"].append(machine.matmul_gflops())
    needs = {"run": ("nets", "svc", "part2"), "coverage": ("nets", "svc", "part2")}
    for name in wanted:
        if not set(needs.get(name, ())) <= set(res):
            print(f"measure {name}: skipped (it needs {', '.join(needs[name])})", flush=True)
            continue
        print(f"measure {name}", flush=True)
        key, value = {
            "nets": lambda: ("nets", nets.measure(b)), "limits": lambda: ("limits", limits.measure(b)),
            "svc": lambda: ("svc", svc.measure(b)), "part2": lambda: ("part2", part2.measure(b)),
            "run": lambda: ("whole_run", run.measure(b, res)), "workers": lambda: ("workers", run.workers(b)),
            "memory": lambda: ("quick_memory_mib", memory.measure(b)), "bf16": lambda: ("bf16", bf16.measure(b)),
            "coverage": lambda: ("coverage", coverage.measure(b, res)), "step": lambda: ("step", step.measure(b)),
            "tools": lambda: ("tools", tools.measure(b, a.tools_baseline)),
        }[name]()
        res[key] = value
        res["matmul_gflops"].append(machine.matmul_gflops())
        res.setdefault("measured", {})[name] = datetime.now().isoformat(" ", "seconds")  # --update mixes runs
        save(res, path)  # after every measure: an hour's run cut short keeps what it measured (rerun with --update)
    print(markdown(res))


if __name__ == "__main__":
    main()
