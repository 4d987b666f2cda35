"""Where a CNN training step's time goes, as classlab runs it (channels-last, channels-last gradients, fused Adam) on
real batches of 50, timed layer by layer in blocks of 100 steps; between blocks, probes of the machine (matmul,
SiLU on all threads against one, memory fill), so that noise shows; the profiler's top operators; and every
millisecond of the step accounted for, operator by operator, against the same operator alone (``account``)."""

import time

import torch

from classlab import normalize
from classlab.models import CNN

from . import account
from .common import log
from .machine import matmul_gflops

PARTS = ("conv1", "silu1", "pool1", "conv2", "silu2", "pool2", "fc", "backward", "adam")


def measure(b, blocks=12, steps=100):
    from torch.profiler import profile

    from classlab.training import channels_last_gradients

    F = torch.nn.functional
    torch.manual_seed(0)
    model = CNN().to(memory_format=torch.channels_last)
    adam = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    loss_fn = torch.nn.CrossEntropyLoss()
    x = normalize(b.data.train_x[:1000]).contiguous(memory_format=torch.channels_last)
    y = b.data.train_y[:1000]

    def forward_by_parts(xb, clock):  # CNN.forward, one layer at a time
        a = clock("conv1", model.conv1(xb))
        a = clock("pool1", model.pool(clock("silu1", F.silu(a))))
        a = clock("conv2", model.conv2(a))
        a = clock("pool2", model.pool(clock("silu2", F.silu(a))))
        return clock("fc", model.fc2(F.relu(model.fc1(a.flatten(1)))))

    def block(n=steps):
        total = dict.fromkeys(PARTS, 0.0)
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
           "profile_ms_per_step": [(e.key, e.self_cpu_time_total / 20 / 1e3) for e in top],
           "account": account.measure(b)}
    step_ms = [sum(r["ms"].values()) for r in rows]
    log(f"step: {min(step_ms):.2f}-{max(step_ms):.2f} ms per step")
    return out
