"""A limit that fits the net: the CNN's own operations, each alone, at the shapes of a training step (a batch of 50,
channels-last, as classlab trains it), each the fastest of several timed blocks; their sum per step, times the
steps of an epoch, plus one epoch of classlab's data pipeline, is what this machine can do for this net. The big
square matmul (``machine.matmul_gflops``) is the other limit: the rate of work the CPU reaches on ideal shapes.

The parts: each convolution's forward and backward (the first layer's without the input gradient), each linear
layer's forward and backward as matrix products; and the elementwise floor: SiLU, max-pool, ReLU, the flatten's
layout copies, the loss, the bias gradients and the fused Adam step; the data: augmenting and normalizing the
epoch's batches."""

import time

import torch
import torch.nn.functional as F

from classlab.data.batches import TensorBatches
from classlab.models import CNN

from .common import log
from .nets import training_flops_per_sample

BATCH, REPEATS, CALLS = 50, 5, 20
aten = torch.ops.aten


def _best(fn, calls=CALLS, repeats=REPEATS):
    """Seconds per call of ``fn``: the fastest of ``repeats`` blocks of ``calls`` calls."""
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - t) / calls)
    return best


def _conv(x, w, b, pad):
    return aten.convolution(x, w, b, [1, 1], [pad, pad], [1, 1], False, [0, 0], 1)


def _conv_backward(grad, x, w, pad, need_input):
    return aten.convolution_backward(grad, x, w, [w.shape[0]], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1,
                                     [need_input, True, True])


def step_parts(threads):
    """Seconds per training step of each part of the CNN, measured alone; and the FLOPs of the GEMM-like parts."""
    torch.set_num_threads(threads)
    cl = torch.channels_last
    net = CNN().to(memory_format=cl)
    c1, c2, l1, l2 = net.conv1, net.conv2, net.fc1, net.fc2
    x = torch.randn(BATCH, 3, 32, 32).contiguous(memory_format=cl)
    y1 = _conv(x, c1.weight, c1.bias, 1)
    a1 = F.silu(y1)
    p1, i1 = aten.max_pool2d_with_indices(a1, [2, 2], [2, 2])
    y2 = _conv(p1, c2.weight, c2.bias, 1)
    a2 = F.silu(y2)
    p2, i2 = aten.max_pool2d_with_indices(a2, [2, 2], [2, 2])
    flat = p2.flatten(1)
    h = torch.addmm(l1.bias, flat, l1.weight.t())
    r = F.relu(h)
    logits = torch.addmm(l2.bias, r, l2.weight.t())
    target = torch.randint(0, 10, (BATCH,))
    g_logits = torch.randn_like(logits)
    g_r, g_h, g_flat = torch.randn_like(r), torch.randn_like(h), torch.randn_like(flat)
    g_p2 = torch.randn_like(p2).contiguous(memory_format=cl)
    g_a2, g_y2 = torch.randn_like(a2), torch.randn_like(y2)
    g_p1, g_a1, g_y1 = torch.randn_like(p1), torch.randn_like(a1), torch.randn_like(y1)
    logits_leaf = logits.detach().requires_grad_()
    for p in net.parameters():
        p.grad = torch.randn_like(p)
    adam = torch.optim.Adam(net.parameters(), lr=1e-3, fused=True)

    def loss_step():
        loss = F.cross_entropy(logits_leaf, target)
        loss.backward()

    gemm = {
        "conv1 forward": (lambda: _conv(x, c1.weight, c1.bias, 1), 2 * y1.numel() * 75),
        "conv1 backward (weight)": (lambda: _conv_backward(g_y1, x, c1.weight, 1, False), 2 * y1.numel() * 75),
        "conv2 forward": (lambda: _conv(p1, c2.weight, c2.bias, 1), 2 * y2.numel() * 288),
        "conv2 backward (input, weight)": (lambda: _conv_backward(g_y2, p1, c2.weight, 1, True),
                                           2 * 2 * y2.numel() * 288),
        "fc1 forward": (lambda: torch.addmm(l1.bias, flat, l1.weight.t()), 2 * BATCH * 3136 * 64),
        "fc1 backward": (lambda: (g_h @ l1.weight, g_h.t() @ flat), 2 * 2 * BATCH * 3136 * 64),
        "fc2 forward and backward": (lambda: (torch.addmm(l2.bias, r, l2.weight.t()), g_logits @ l2.weight,
                                              g_logits.t() @ r), 3 * 2 * BATCH * 64 * 10),
    }
    floor = {
        "SiLU forward and backward": lambda: (F.silu(y1), F.silu(y2), aten.silu_backward(g_a1, y1),
                                              aten.silu_backward(g_a2, y2)),
        "max-pool forward and backward": lambda: (
            aten.max_pool2d_with_indices(a1, [2, 2], [2, 2]), aten.max_pool2d_with_indices(a2, [2, 2], [2, 2]),
            aten.max_pool2d_with_indices_backward(g_p1, a1, [2, 2], [2, 2], [0, 0], [1, 1], False, i1),
            aten.max_pool2d_with_indices_backward(g_p2, a2, [2, 2], [2, 2], [0, 0], [1, 1], False, i2)),
        "flatten's layout copies": lambda: (p2.flatten(1), g_flat.view_as(p2).contiguous(memory_format=cl)),
        "ReLU forward and backward": lambda: (F.relu(h), aten.threshold_backward(g_r, r, 0)),
        "loss forward and backward": loss_step,
        "Adam (fused)": adam.step,
    }
    gemm_s = {name: _best(fn) for name, (fn, _) in gemm.items()}
    floor_s = {name: _best(fn) for name, fn in floor.items()}
    flops = {name: f for name, (_, f) in gemm.items()}
    return gemm_s, floor_s, flops


def data_seconds(b, threads):
    """One epoch of classlab's data pipeline alone: the training batches, flipped, cropped and normalized."""
    torch.set_num_threads(threads)
    batches = TensorBatches(b.data.train_x, b.data.train_y, BATCH, torch.Generator().manual_seed(0))
    best = float("inf")
    for _ in range(2 if b.smoke else 3):
        t = time.perf_counter()
        for _ in batches:
            pass
        best = min(best, time.perf_counter() - t)
    return best


def real_step_seconds(b, threads, steps=CALLS, repeats=REPEATS):
    """classlab's own CNN training step (channels-last, its gradients kept so, fused Adam) on real batches of 50:
    seconds per step, the fastest of ``repeats`` blocks."""
    from classlab import normalize
    from classlab.training import channels_last_gradients

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = CNN().to(memory_format=torch.channels_last)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    x = normalize(b.data.train_x[:1000]).contiguous(memory_format=torch.channels_last)
    y = b.data.train_y[:1000]
    i = [0]

    def step():
        k = i[0] % 20 * BATCH
        i[0] += 1
        adam.zero_grad(set_to_none=True)
        F.cross_entropy(model(x[k:k + BATCH]), y[k:k + BATCH]).backward()
        adam.step()

    with channels_last_gradients(model):
        return _best(step, steps, repeats)


def measure(b, rounds=5):
    """The parts alone and the real step, in alternating rounds: the machine's speed drifts (a shared VM's
    neighbours), so the step's share of the limit is taken within each round, where both met the same machine."""
    rounds = 2 if b.smoke else rounds
    parts, real = [], []
    for _ in range(rounds):
        parts.append(step_parts(b.threads))
        real.append(real_step_seconds(b, b.threads))
    sums = [sum(g.values()) + sum(f.values()) for g, f, _ in parts]
    best = min(range(rounds), key=lambda r: sums[r])
    gemm_s, floor_s, flops = parts[best]
    steps = -(-len(b.data.train_y) // BATCH)
    data_s = data_seconds(b, b.threads)
    step_s = sums[best]
    shares = sorted(s / r for s, r in zip(sums, real))
    out = {"batch": BATCH, "steps_per_epoch": steps, "rounds": rounds,
           "gemm_ms": {k: v * 1e3 for k, v in gemm_s.items()},
           "gemm_gflops": {k: flops[k] / gemm_s[k] / 1e9 for k in gemm_s},
           "floor_ms": {k: v * 1e3 for k, v in floor_s.items()},
           "data_s_per_epoch": data_s, "step_ms": step_s * 1e3, "epoch_limit_s": step_s * steps + data_s,
           "step_gflops": training_flops_per_sample(CNN()) * BATCH / step_s / 1e9,
           "rounds_ms": [{"parts": s * 1e3, "real_step": r * 1e3} for s, r in zip(sums, real)],
           "real_step_share": {"median": shares[len(shares) // 2], "min": shares[0], "max": shares[-1]}}
    log(f"limits: step {out['step_ms']:.2f} ms (GEMM-like {sum(gemm_s.values()) * 1e3:.2f}, elementwise "
        f"{sum(floor_s.values()) * 1e3:.2f}), data {data_s:.2f} s/epoch: an epoch's limit is "
        f"{out['epoch_limit_s']:.1f} s; classlab's real step at {out['real_step_share']['median']:.0%} of its "
        f"parts (rounds: {', '.join(f'{s:.0%}' for s in shares)})")
    return out
