"""The dense net and the CNN: epoch times of the problem set's code and classlab's, alternating, and accuracy
parity over seeds (``epochs`` each, both ways); training FLOPs per epoch from the layer shapes."""

import statistics

import torch

import seed_code
from classlab.models import CNN, Dense

from .common import classlab_net, log, mean_sd


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


def measure(b):
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
