"""Every millisecond of classlab's CNN training step, accounted for: the real step (channels-last, channels-last
gradients, fused Adam, real batches of 50) clocked operator by operator, the forward between its layers and the
backward between the gradients of its activations (tensor hooks fire as each gradient is ready, so the intervals add
up to the step), the optimizer and the zeroing; beside each, the same operator alone on the same tensors, repeated
while its data stay in cache. The difference per operator names where the step loses to its own parts."""

import time

import torch
import torch.nn.functional as F

aten = torch.ops.aten
FORWARD = ("conv1", "silu1", "pool1", "conv2", "silu2", "pool2", "flatten", "fc1", "relu", "fc2", "loss")
BACKWARD = ("loss backward", "fc2 backward", "relu backward", "fc1 backward", "flatten backward (layout copy)",
            "pool2 backward", "silu2 backward", "conv2 backward", "pool1 backward", "silu1 backward",
            "conv1 backward (weight, bias)")
KIND = {"conv1": "GEMM-like", "conv2": "GEMM-like", "fc1": "GEMM-like", "fc2": "GEMM-like",
        "conv2 backward": "GEMM-like", "conv1 backward (weight, bias)": "GEMM-like", "fc1 backward": "GEMM-like",
        "fc2 backward": "GEMM-like", "zero_grad": "zeroing", "Adam (fused)": "optimizer",
        "flatten": "layout", "flatten backward (layout copy)": "layout"}


FLUSH = 64 << 20  # bytes written between calls of a "cold" timing: more than both cores' L2 and the step's data


def _alone(fn, calls=20, repeats=5, flush=None):
    """Seconds per call of ``fn``: the fastest of ``repeats`` blocks; with ``flush`` (a tensor), the caches are
    emptied of its data before every call (only the call is timed), as the step's other operators empty them."""
    for _ in range(3):
        fn()
    best = float("inf")
    for _ in range(repeats):
        spent = 0.0
        t = time.perf_counter()
        for _ in range(calls):
            if flush is not None:
                flush.fill_(1)
                t = time.perf_counter()
            fn()
            if flush is not None:
                spent += time.perf_counter() - t
        best = min(best, (spent if flush is not None else time.perf_counter() - t) / calls)
    return best


def measure(b, steps=100, blocks=5):
    from classlab import normalize
    from classlab.models import CNN
    from classlab.training import channels_last_gradients

    torch.manual_seed(0)
    model = CNN().to(memory_format=torch.channels_last)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    x = normalize(b.data.train_x[:1000]).contiguous(memory_format=torch.channels_last)
    y = b.data.train_y[:1000]
    clock = {}
    last = [0.0]

    def tick(name, value=None):
        now = time.perf_counter()
        clock[name] = clock.get(name, 0.0) + now - last[0]
        last[0] = now
        return value

    def when_ready(name):
        return lambda grad: tick(name)

    saved = {}

    def step(i):
        xb, yb = x[i % 20 * 50:][:50], y[i % 20 * 50:][:50]
        last[0] = time.perf_counter()
        adam.zero_grad(set_to_none=True)
        tick("zero_grad")
        y1 = tick("conv1", model.conv1(xb))
        a1 = tick("silu1", F.silu(y1))
        p1 = tick("pool1", model.pool(a1))
        y2 = tick("conv2", model.conv2(p1))
        a2 = tick("silu2", F.silu(y2))
        p2 = tick("pool2", model.pool(a2))
        flat = tick("flatten", p2.flatten(1))
        h = tick("fc1", model.fc1(flat))
        r = tick("relu", F.relu(h))
        logits = tick("fc2", model.fc2(r))
        loss = tick("loss", F.cross_entropy(logits, yb))
        # each hook fires when that activation's gradient is ready: the interval before it is the op below it
        for tensor, name in ((logits, "loss backward"), (r, "fc2 backward"), (h, "relu backward"),
                             (flat, "fc1 backward"), (p2, "flatten backward (layout copy)"), (a2, "pool2 backward"),
                             (y2, "silu2 backward"), (p1, "conv2 backward"), (a1, "pool1 backward"),
                             (y1, "silu1 backward")):
            tensor.register_hook(when_ready(name))
        last[0] = time.perf_counter()
        loss.backward()
        tick("conv1 backward (weight, bias)")
        adam.step()
        tick("Adam (fused)")
        saved.update(xb=xb, y1=y1, a1=a1, p1=p1, y2=y2, a2=a2, p2=p2, flat=flat, h=h, r=r, logits=logits, yb=yb)

    with channels_last_gradients(model):
        assert torch.equal(model(x[:50]).detach(), model.fc2(F.relu(model.fc1(model.pool(F.silu(model.conv2(
            model.pool(F.silu(model.conv1(x[:50])))))).flatten(1)))).detach())
        for i in range(20):
            step(i)
        per_block, walls = [], []
        for _ in range(2 if b.smoke else blocks):
            clock.clear()
            t = time.perf_counter()
            for i in range(5 if b.smoke else steps):
                step(i)
            walls.append((time.perf_counter() - t) / (5 if b.smoke else steps) * 1e3)
            per_block.append({k: v / (5 if b.smoke else steps) * 1e3 for k, v in clock.items()})
    best = min(range(len(walls)), key=walls.__getitem__)
    real, wall = per_block[best], walls[best]
    alone = _alone_parts(model, adam, saved)
    cold = _alone_parts(model, adam, saved, flush=torch.empty(FLUSH, dtype=torch.uint8))
    rows = [{"part": name, "kind": KIND.get(name, "elementwise"), "step_ms": real[name], "alone_ms": alone[name] * 1e3,
             "cold_ms": cold[name] * 1e3, "extra_ms": real[name] - alone[name] * 1e3}
            for name in ("zero_grad", *FORWARD, *BACKWARD, "Adam (fused)")]
    accounted = sum(r["step_ms"] for r in rows)
    return {"steps_per_block": steps, "blocks": len(walls), "wall_ms": wall, "walls_ms": walls, "rows": rows,
            "epoch": epoch_parts(b),
            "accounted_ms": accounted, "alone_ms": sum(r["alone_ms"] for r in rows),
            "cold_ms": sum(r["cold_ms"] for r in rows), "working_set_mib": _working_set(saved) / 2 ** 20,
            "by_kind": {k: sum(r["step_ms"] for r in rows if r["kind"] == k) for k in
                        ("GEMM-like", "elementwise", "layout", "optimizer", "zeroing")},
            "largest_gaps": [r["part"] for r in sorted(rows, key=lambda r: -r["extra_ms"])[:4]]}


def epoch_parts(b, steps=200, rounds=3):
    """What an epoch adds to its steps, per step: classlab's ``fit`` (data, bookkeeping, hooks, progress) against
    the bare step on batches made beforehand, in alternating rounds; and the learning curves' scoring after an epoch
    (the test set under both protocols, as the CNN's unit does), as a share of the epoch."""
    from classlab._protocols import CORRECTED, FAITHFUL, cifar_test_batches
    from classlab.data.batches import TensorBatches
    from classlab.models import CNN
    from classlab.training import channels_last_gradients, evaluate, fit

    steps = 10 if b.smoke else steps
    x, y = b.data.train_x[:steps * 50], b.data.train_y[:steps * 50]
    loss_fn = torch.nn.CrossEntropyLoss()
    times = {"fit": [], "bare steps": [], "data alone": []}
    for _ in range(rounds):
        torch.manual_seed(0)
        model = CNN()
        t = time.perf_counter()
        fit(model, loss_fn, TensorBatches(x, y, 50, torch.Generator().manual_seed(0)), 1)
        times["fit"].append((time.perf_counter() - t) / steps * 1e3)
        batches = [(xb.contiguous(memory_format=torch.channels_last), yb)
                   for xb, yb in TensorBatches(x, y, 50, torch.Generator().manual_seed(0))]
        torch.manual_seed(0)
        model = CNN().to(memory_format=torch.channels_last)
        adam = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        with channels_last_gradients(model):
            t = time.perf_counter()
            for xb, yb in batches:
                adam.zero_grad(set_to_none=True)
                loss_fn(model(xb), yb).backward()
                adam.step()
            times["bare steps"].append((time.perf_counter() - t) / steps * 1e3)
        t = time.perf_counter()
        for _ in TensorBatches(x, y, 50, torch.Generator().manual_seed(0)):
            pass
        times["data alone"].append((time.perf_counter() - t) / steps * 1e3)
    t = time.perf_counter()
    for protocol in (CORRECTED, FAITHFUL):
        evaluate(model, cifar_test_batches(protocol, b.data.test_x, b.data.test_y, b.settings.eval_batch_size,
                                           torch.Generator().manual_seed(0)), loss_fn)
    curves_s = time.perf_counter() - t
    fit_ms, bare_ms = min(times["fit"]), min(times["bare steps"])
    epoch_s = fit_ms * (-(-len(b.data.train_y) // 50)) / 1e3
    return {"ms_per_step": {k: min(v) for k, v in times.items()}, "rounds": rounds, "steps": steps,
            "between_steps_share": (fit_ms - bare_ms) / fit_ms, "curves_s": curves_s, "epoch_s": epoch_s,
            "curves_share": curves_s / (epoch_s + curves_s)}


def _working_set(s):
    """Bytes of the step's activations, their gradients and max-pool's indices (the parameters and Adam's state
    besides): what one step moves through the caches."""
    activations = sum(s[k].numel() * s[k].element_size() for k in ("y1", "a1", "p1", "y2", "a2", "p2", "flat", "h",
                                                                     "r", "logits"))
    indices = (s["p1"].numel() + s["p2"].numel()) * 8
    return 2 * activations + indices


def _alone_parts(model, adam, s, flush=None):
    """Each operator of the step alone, on the step's own tensors: repeated while they stay in cache, or (``flush``)
    with the caches emptied before every call."""
    c1, c2, l1, l2 = model.conv1, model.conv2, model.fc1, model.fc2
    cl = torch.channels_last
    y1, a1, p1, y2, a2, p2 = (s[k].detach() for k in ("y1", "a1", "p1", "y2", "a2", "p2"))
    flat, h, r, logits = (s[k].detach() for k in ("flat", "h", "r", "logits"))
    _, i1 = aten.max_pool2d_with_indices(a1, [2, 2], [2, 2])
    _, i2 = aten.max_pool2d_with_indices(a2, [2, 2], [2, 2])
    g = {k: torch.randn_like(v) for k, v in dict(y1=y1, a1=a1, p1=p1, y2=y2, a2=a2, p2=p2, h=h, r=r,
                                                  logits=logits).items()}
    g_flat = torch.randn_like(flat)
    logits_leaf = logits.clone().requires_grad_()

    def conv_bwd(grad, inp, w, pad, need_input):
        return aten.convolution_backward(grad, inp, w, [w.shape[0]], [1, 1], [pad, pad], [1, 1], False, [0, 0], 1,
                                         [need_input, True, True])

    def loss_bwd():
        F.cross_entropy(logits_leaf, s["yb"]).backward()

    def set_grads():
        for p in model.parameters():
            p.grad = torch.zeros_like(p)

    set_grads()
    ops = {
        "zero_grad": lambda: (adam.zero_grad(set_to_none=True), set_grads()),
        "conv1": lambda: c1(s["xb"]), "silu1": lambda: F.silu(y1), "pool1": lambda: model.pool(a1),
        "conv2": lambda: c2(p1), "silu2": lambda: F.silu(y2), "pool2": lambda: model.pool(a2),
        "flatten": lambda: p2.flatten(1), "fc1": lambda: l1(flat), "relu": lambda: F.relu(h),
        "fc2": lambda: l2(r), "loss": lambda: F.cross_entropy(logits, s["yb"]),
        "loss backward": loss_bwd,
        "fc2 backward": lambda: (g["logits"] @ l2.weight, g["logits"].t() @ r, g["logits"].sum(0)),
        "relu backward": lambda: aten.threshold_backward(g["r"], r, 0),
        "fc1 backward": lambda: (g["h"] @ l1.weight, g["h"].t() @ flat, g["h"].sum(0)),
        "flatten backward (layout copy)": lambda: g_flat.view_as(p2).contiguous(memory_format=cl),
        "pool2 backward": lambda: aten.max_pool2d_with_indices_backward(g["p2"].contiguous(memory_format=cl), a2,
                                                                        [2, 2], [2, 2], [0, 0], [1, 1], False, i2),
        "silu2 backward": lambda: aten.silu_backward(g["a2"], y2),
        "conv2 backward": lambda: conv_bwd(g["y2"], p1, c2.weight, 1, True),
        "pool1 backward": lambda: aten.max_pool2d_with_indices_backward(g["p1"], a1, [2, 2], [2, 2], [0, 0], [1, 1],
                                                                        False, i1),
        "silu1 backward": lambda: aten.silu_backward(g["a1"], y1),
        "conv1 backward (weight, bias)": lambda: conv_bwd(g["y1"], s["xb"], c1.weight, 1, False),
        "Adam (fused)": adam.step,
    }
    with torch.no_grad():
        out = {name: _alone(fn, flush=flush) for name, fn in ops.items() if name not in ("loss backward", "zero_grad")}
    out["loss backward"] = _alone(loss_bwd, flush=flush)
    out["zero_grad"] = _alone(ops["zero_grad"], flush=flush)
    return out


def markdown(acc):
    cold = acc.get("cold_ms")
    lines = ["", f"Every millisecond of classlab's CNN step (fastest of {acc['blocks']} blocks of "
                 f"{acc['steps_per_block']} steps): {acc['wall_ms']:.2f} ms per step, of which the clocked parts "
                 f"account for {acc['accounted_ms']:.2f} ms ({acc['accounted_ms'] / acc['wall_ms']:.0%}); the same "
                 f"operators alone take {acc['alone_ms']:.2f} ms with their data in cache"
                 + (f", {cold:.2f} ms with the caches emptied before each (the step moves "
                    f"{acc['working_set_mib']:.0f} MiB of activations, gradients and indices)" if cold else "") + ":",
             "", "| part | kind | in the step (ms) | alone (ms) | alone, caches emptied (ms) | extra over alone (ms) |",
             "|---|---|---|---|---|---|"]
    for r in acc["rows"]:
        lines.append(f"| {r['part']} | {r['kind']} | {r['step_ms']:.3f} | {r['alone_ms']:.3f} | "
                     f"{r.get('cold_ms', float('nan')):.3f} | {r['extra_ms']:+.3f} |")
    lines.append(f"| **step** | | **{acc['accounted_ms']:.2f}** | **{acc['alone_ms']:.2f}** | "
                 f"**{(cold or float('nan')):.2f}** | **{acc['accounted_ms'] - acc['alone_ms']:+.2f}** |")
    e = acc.get("epoch")
    if e:
        ms = e["ms_per_step"]
        lines += ["", f"From the step to the epoch ({e['steps']} steps, fastest of {e['rounds']} alternating rounds): "
                      f"classlab's `fit` {ms['fit']:.2f} ms per step against the bare step on batches made beforehand "
                      f"{ms['bare steps']:.2f} ms: everything between steps (data {ms['data alone']:.2f} ms of it, "
                      f"bookkeeping, hooks) is {e['between_steps_share']:.1%} of the step. The learning curves' scoring "
                      f"after each epoch (the test set under both protocols) takes {e['curves_s']:.2f} s, "
                      f"{e['curves_share']:.1%} of an epoch with it (`--no-learning-curves` leaves it out)."]
    return lines

