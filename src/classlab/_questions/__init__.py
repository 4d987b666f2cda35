"""The twelve questions of Problem Set 10 (declared in ``part1`` and ``part2``), and what a run does with them:
``plan`` the units they need, ``answer_all`` from the units' results."""

from . import part1, part2  # noqa: F401  (declaring registers them, in the problem set's order)
from .registry import PARTS, REGISTRY, Question, RunView, each_unit, filled

ALL = tuple(REGISTRY)


def needs(ids, data):
    """Whether any of the questions ``ids`` needs ``data`` ("cifar" or "points")."""
    return any(data in REGISTRY[q].needs for q in ids)


def plan(ids, settings, seeds):
    """The units the questions need, each once; by stage (the SVC before the nets), then as declared."""
    units = {}
    for q in ids:
        for unit in each_unit(REGISTRY[q].units(settings, seeds)):
            units.setdefault(unit.key, unit)
    return sorted(units.values(), key=lambda u: u.stage)


def answer_all(ids, settings, seeds, results):
    """The answers (by id, in the problem set's order) and the pitfalls they revealed."""
    answers, pitfalls = {}, {}
    for q in REGISTRY.values():
        if q.id in ids:
            answer = q.answer(q, RunView(settings, list(seeds), filled(q.units(settings, seeds), results)))
            answers[q.id] = answer
            pitfalls.update((p.id, p) for p in answer.pitfalls)
    return answers, list(pitfalls.values())


__all__ = ["ALL", "PARTS", "REGISTRY", "Question", "needs", "plan", "answer_all"]
