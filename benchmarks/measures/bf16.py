"""bfloat16 autocast as an option (never the answers): the nets' epoch in bf16 against classlab's fp32 epoch (from
``nets``), with the instruction set oneDNN picks for it. On a CPU without bf16 instructions oneDNN emulates bf16:
one epoch each then shows it (the README's advice and the run's warning come from here); with them, the full
``epochs`` and the accuracy too."""

import dataclasses
import statistics

from classlab import _cpu
from classlab._context import Context

from .common import classlab_net, log
from .machine import onednn_isa


def measure(b):
    epochs = b.epochs if _cpu.has_bf16() else 1
    bctx = Context(dataclasses.replace(b.settings, precision="bf16", epochs=epochs), b.inputs)
    fctx = Context(dataclasses.replace(b.settings, epochs=1), b.inputs)
    res = {"epochs": epochs, "bf16_instructions": _cpu.has_bf16()}
    for which in ("dense", "cnn"):
        res[which] = classlab_net(which, 0, bctx)
        res[which]["fp32_epoch_s"] = classlab_net(which, 0, fctx)["epoch_s"][0]  # fp32 in the same minutes
        res[which]["bf16_over_fp32"] = statistics.median(res[which]["epoch_s"]) / res[which]["fp32_epoch_s"]
    res["onednn_isa"] = {"fp32": onednn_isa("fp32"), "bf16": onednn_isa("bf16")}
    log(f"bf16: { {w: (res[w]['accuracy_clean'], res[w]['bf16_over_fp32']) for w in ('dense', 'cnn')} }")
    return res
