"""The twelve questions of Problem Set 10: which units each needs and the function that answers it.

Problem 1.6, for example, is ``part1.q1_6``: it reads the CNN runs and returns an Answer.
"""

from . import part1, part2

ANSWER = {
    "1.1": part1.q1_1, "1.2": part1.q1_2, "1.3": part1.q1_3, "1.4": part1.q1_4,
    "1.5": part1.q1_5, "1.6": part1.q1_6, "1.7": part1.q1_7, "1.8": part1.q1_8,
    "2.1": part2.q2_1, "2.2": part2.q2_2, "2.3": part2.q2_3, "2.4": part2.q2_4,
}
ALL = tuple(ANSWER)
NEEDS_CIFAR = {"1.1", "1.2", "1.4", "1.6", "1.7", "1.8"}
NEEDS_POINTS = {"2.1", "2.2", "2.3", "2.4"}


# The SVC first, while the process is at its smallest: its Gram matrix (10,000^2 float64) is the
# run's largest allocation, and training leaves the process larger. Then the fast part 2, then the nets.
UNIT_ORDER = ("1.7", "1.8", "2.1", "2.2", "2.3", "2.4", "1.4", "1.6")


def units_for(questions, settings, seeds):
    """The units the questions need, each once, in the order of ``UNIT_ORDER``."""
    seen = {}
    for q in sorted(questions, key=lambda q: UNIT_ORDER.index(q) if q in UNIT_ORDER else -1):
        part = part1 if q.startswith("1") else part2
        for unit in part.units(q, settings, seeds):
            seen.setdefault(unit.key, unit)
    return list(seen.values())


def answer_all(questions, ctx, results, seeds, figures):
    """Answers (by id, in the problem set's order) and the pitfalls measured on the way."""
    answers = {q: ANSWER[q](ctx, results, seeds, figures) for q in ALL if q in questions}
    pitfalls = part1.pitfalls(answers) + part2.pitfalls(ctx, results, answers, seeds)
    return answers, pitfalls
