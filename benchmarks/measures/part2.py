"""Part 2 as a whole: the problem set's code (7 nets, faithful only) against classlab (14 nets, both protocols),
alternating, over a few repeats; the problem set's own answers kept for the coverage check."""

import statistics

import seed_code
from classlab import DEFAULT
from classlab._context import Context

from .common import log, timed


def measure(b):
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
