"""The one results writer: ``results/<machine kind>.json`` (everything measured) and ``.md`` (the tables), written
after every measure, atomically, so that a run cut short keeps what it measured."""

import json
import statistics
from datetime import datetime

from classlab._atomic import write_text
from classlab.models import CNN

from . import account
from .nets import training_flops_per_sample


def save(res, path):
    peak = statistics.fmean(res["matmul_gflops"])
    for r in res.get("nets", {}).values():
        r["fraction_of_limit"] = {k: r["train_tflop_per_epoch"] * 1e3 / r["epoch_s"][k] / peak
                                  for k in ("seed", "classlab")}
        if "epochs_s" in r:
            r["fraction_of_limit_fastest_epoch"] = {k: r["train_tflop_per_epoch"] * 1e3 / min(v) / peak
                                                    for k, v in r["epochs_s"].items()}
    limits, cnn = res.get("limits"), res.get("nets", {}).get("cnn")
    if limits and cnn:
        limits["cnn_share"] = {"median_epoch": limits["epoch_limit_s"] / cnn["epoch_s"]["classlab"],
                               "fastest_epoch": limits["epoch_limit_s"] / min(cnn["epochs_s"]["classlab"])}
    res["finished"] = datetime.now().isoformat(" ", "seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(path, json.dumps(res, indent=2))
    write_text(path.with_suffix(".md"), markdown(res))


def _tools_markdown(t):
    sides = [s for s in ("baseline", "classlab") if s in t["check"]]
    lines = ["", f"The small tools, whole process in a fresh interpreter (median of {t['rounds']} alternating rounds; "
                 "fastest-slowest)" + (f"; baseline: {t['baseline']}" if t["baseline"] else "") + ":", "",
             "| command | " + " | ".join(sides) + " |", "|---|" + "---|" * len(sides)]
    for cmd, label in (("check", "`classlab check --key K --lang en 1.4=0.27`"),
                       ("grade", "`classlab grade` of tests/moodle/class-en (Responses and Grades)")):
        lines.append(f"| {label} | " + " | ".join(f"{t[cmd][s]['median_s']:.2f} s ({t[cmd][s]['min_s']:.2f}-"
                                                  f"{t[cmd][s]['max_s']:.2f})" for s in sides) + " |")
    return lines


def markdown(res):
    c, v, paths = res["cpu"], res["versions"], res.get("paths", {})
    gf = statistics.fmean(res["matmul_gflops"])
    lines = [f"# classlab vs the problem set's code on {res['kind']} ({res['finished']})", "",
             f"CPU: {c['model_name']} ({c['vendor']} family {c['family']} model {c['model']}; "
             f"{' '.join(c['flags']) or 'no AVX-512'}), {res['machine']['cpus']} CPUs, "
             f"{res['machine']['torch_threads']} torch threads. torch {v['torch']} (MKL {v['mkl']}, oneDNN {v['onednn']}, "
             f"ATen CPU capability {v['torch_cpu_capability']}), numpy {v['numpy']}, scikit-learn {v['scikit-learn']}, "
             f"Python {v['python']}. Data: {res['data']['source']} ({res['data']['train_size']} train / "
             f"{res['data']['test_size']} test). fp32 matmul measured: {gf:.0f} GFLOP/s. {res['epochs']} epochs, "
             f"{res['seeds']} seed(s).", ""]
    if paths:
        lines += [f"What ran: the SVC's exact integer product: **{paths['gram']}** (int8 dot-product instructions: "
                  f"{'yes' if paths['int8_dot_instructions'] else 'no'}); convolutions: oneDNN "
                  f"{', '.join(paths['conv_fp32'])} in fp32, {', '.join(paths['conv_bf16'])} in bf16 (bf16 "
                  f"instructions: {'yes' if paths['bf16_instructions'] else 'no'})"
                  + ("; **forced down to AVX2** (ONEDNN_MAX_CPU_ISA, ATEN_CPU_CAPABILITY, MKL_ENABLE_INSTRUCTIONS)"
                     if paths.get("forced_avx2") else "") + ".", ""]
    if res.get("measured"):
        lines += ["Each measure finished at: " + ", ".join(f"{k} {t}" for k, t in res["measured"].items()), ""]
    lines += ["| what | problem set's code | classlab | ratio |", "|---|---|---|---|"]
    for which, r in res.get("nets", {}).items():
        e = r["epoch_s"]
        lines.append(f"| {which} epoch (median) | {e['seed']:.2f} s | {e['classlab']:.2f} s | {e['speedup']:.2f}x |")
        f = r["fraction_of_limit"]
        lines.append(f"| {which}: share of the big-matmul rate ({r['train_tflop_per_epoch']:.3f} TFLOP/epoch) "
                     f"| {f['seed']:.0%} | {f['classlab']:.0%} | |")
        if "epochs_s" in r:
            fast, ff = {k: min(v) for k, v in r["epochs_s"].items()}, r["fraction_of_limit_fastest_epoch"]
            lines.append(f"| {which}: fastest epoch, its share of the big-matmul rate | {fast['seed']:.2f} s, "
                         f"{ff['seed']:.0%} | {fast['classlab']:.2f} s, {ff['classlab']:.0%} | "
                         f"{fast['seed'] / fast['classlab']:.2f}x |")
    if "limits" in res:
        lim = res["limits"]
        real = lim.get("real_step_share")
        if real:
            lines.append(f"| CNN: classlab's training step as a share of the shape-aware limit (its own layers "
                         f"alone, below; {lim['rounds']} alternating rounds) | | {real['median']:.0%} "
                         f"({real['min']:.0%}-{real['max']:.0%}) | |")
        if "cnn_share" in lim:
            share = lim["cnn_share"]
            lines.append(f"| CNN epoch as a share of the shape-aware epoch ({lim['epoch_limit_s']:.1f} s; measured "
                         f"minutes apart) | | {share['median_epoch']:.0%} (fastest epoch {share['fastest_epoch']:.0%}) | |")
    if "svc" in res:
        s = res["svc"]
        fp = s["fit_predict_s"]
        lines.append(f"| SVC fit+predict, {s['points']} points (the normalized pixels; classlab: from the uint8 "
                     f"images, {s.get('gram', 'int8')} product) | {fp['seed']:.1f} s | {fp['classlab']:.1f} s | "
                     f"{fp['speedup']:.1f}x |")
        lines.append(f"| same support vectors / same predictions | | {s['same_support_vectors']} / "
                     f"{s['same_predictions']} | |")
        if "small" in s:
            sm = s["small"]
            forced = "; ".join(f"{p} {r['fit_predict_s']:.1f} s ({r['speedup']:.1f}x, same predictions: "
                               f"{r['same_predictions']})" for p, r in sm["paths"].items())
            lines.append(f"| SVC fit+predict, {sm['train']} train / {sm['test']} test images: `SVC(kernel='rbf')` "
                         f"/ classlab (each product forced: {forced}) | {sm['sklearn_s']:.1f} s | "
                         f"{sm['classlab_s']:.1f} s | {sm['speedup']:.1f}x |")
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
    if "limits" in res:
        lines += _limits_markdown(res["limits"], gf)
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
    if "bf16" in res:
        lines += _bf16_markdown(res["bf16"])
    if "coverage" in res:
        cv = res["coverage"]
        lines += ["", f"The problem set's own answers against the accepted ranges of `classlab run --seeds "
                      f"{cv['classlab_seeds']}`: **{cv['inside']} of {cv['total']} inside**.", "",
                  "| question | problem set's code | classlab's accepted range | inside |", "|---|---|---|---|"]
        for r in cv["rows"]:
            lines.append(f"| {r['question']} | {r['seed_code']} | {r['accepted']} | {'yes' if r['inside'] else 'NO'} |")
    if "step" in res:
        lines += _step_markdown(res["step"], gf)
    if res.get("tools"):
        lines += _tools_markdown(res["tools"])
    return "\n".join(lines) + "\n"


def _limits_markdown(lim, gflops):
    gemm, floor = lim["gemm_ms"], lim["floor_ms"]
    lines = ["", f"The shape-aware limit: the CNN's own operations, each alone at a training step's shapes (batch "
                 f"{lim['batch']}, channels-last), the fastest of several blocks; {lim['steps_per_epoch']} steps and "
                 f"one epoch of classlab's data pipeline ({lim['data_s_per_epoch']:.2f} s) make "
                 f"{lim['epoch_limit_s']:.1f} s per epoch:", "",
             "| part | ms per step | GFLOP/s | share of the big-matmul rate |", "|---|---|---|---|"]
    for name, ms in gemm.items():
        g = lim["gemm_gflops"][name]
        lines.append(f"| {name} | {ms:.3f} | {g:.0f} | {g / gflops:.0%} |")
    for name, ms in floor.items():
        lines.append(f"| {name} (elementwise floor) | {ms:.3f} | | |")
    lines.append(f"| **step** (GEMM-like {sum(gemm.values()):.2f} + elementwise {sum(floor.values()):.2f}) | "
                 f"**{lim['step_ms']:.2f}** | {lim.get('step_gflops', 0):.0f} | "
                 f"{lim.get('step_gflops', 0) / gflops:.0%} |")
    if lim.get("rounds_ms"):
        lines += ["", "Each round: the parts alone, then classlab's real step on real batches (fastest blocks): "
                  + "; ".join(f"{r['parts']:.2f} / {r['real_step']:.2f} ms" for r in lim["rounds_ms"]) + "."]
    return lines


def _bf16_markdown(r):
    isa = r.get("onednn_isa", {})
    lines = ["", f"bf16 autocast (an option, never the answers), seed 0, {r.get('epochs', '?')} epoch(s); oneDNN runs "
                 f"convolutions with {', '.join(isa.get('bf16', ['?']))} in bf16 ({', '.join(isa.get('fp32', ['?']))} "
                 f"in fp32); bf16 instructions: {'yes' if r.get('bf16_instructions') else 'no'}:", "",
             "| net | bf16 epoch | fp32 epoch | bf16 / fp32 time | clean accuracy (bf16) |", "|---|---|---|---|---|"]
    for which in ("dense", "cnn"):
        n = r[which]
        ep = statistics.median(n["epoch_s"])
        fp = n.get("fp32_epoch_s")
        ratio = n.get("bf16_over_fp32")
        lines.append(f"| {which} | {ep:.2f} s | {'' if fp is None else f'{fp:.2f} s'} | "
                     f"{'' if ratio is None else f'{ratio:.2f}x'} | {n['accuracy_clean']:.4f} |")
    return lines


def _step_markdown(st, gflops):
    rows = st["blocks"]
    step_ms = [sum(r["ms"].values()) for r in rows]
    flop = training_flops_per_sample(CNN()) * 50 / 1e9  # GFLOP per step of 50 images
    lines = ["", f"Where a CNN training step goes (classlab's step, batches of 50; {len(rows)} blocks of "
                 f"{st['steps_per_block']} steps, probes of the machine between blocks; {flop:.2f} GFLOP per step):", "",
             "| block | step | " + " | ".join(rows[0]["ms"]) + f" | share of the big-matmul rate ({gflops:.0f} GFLOP/s) "
             "| matmul | SiLU probe (speedup of all threads over one) | fill |",
             "|---" * (len(rows[0]["ms"]) + 6) + "|"]
    for i, (r, ms) in enumerate(zip(rows, step_ms)):
        lines.append(f"| {i + 1} | {ms:.2f} ms | " + " | ".join(f"{v:.2f}" for v in r["ms"].values())
                     + f" | {flop / ms * 1e3 / gflops:.0%} | {r['matmul_gflops']:.0f} GFLOP/s | "
                     f"{r['silu_us']:.0f} us ({r.get('thread_speedup', float('nan')):.2f}x) | {r['fill_gb_s']:.0f} GB/s |")
    lines += ["", "The profiler's top operators (self time, ms per step): "
              + ", ".join(f"{name} {ms:.2f}" for name, ms in st["profile_ms_per_step"]) + "."]
    if "account" in st:
        lines += account.markdown(st["account"])
    return lines
