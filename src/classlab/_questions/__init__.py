"""The twelve questions of Problem Set 10 (declared in ``part1`` and ``part2``), and what a run does with them:
``plan`` the units they need, ``answer_all`` from the units' results."""

from . import part1, part2  # noqa: F401  (declaring registers them, in the problem set's order)
from .registry import PARTS, REGISTRY, Question, RunView, each_unit, filled

ALL = tuple(REGISTRY)


def needs(ids, data):
    """Whether any of the questions ``ids`` needs ``data`` ("cifar" or "points")."""
    return any(data in REGISTRY[q].needs for q in ids)


def _asked(ids, settings, seeds):
    """``{unit key: (unit, the first of the questions ids that needs it)}``."""
    units = {}
    for q in ids:
        for unit in each_unit(REGISTRY[q].units(settings, seeds)):
            units.setdefault(unit.key, (unit, q))
    return units


def plan(ids, settings, seeds):
    """The units the questions need, each once; by stage (the SVC before the nets), then as declared."""
    return sorted((unit for unit, _ in _asked(ids, settings, seeds).values()), key=lambda u: u.stage)


def labels(ids, settings, seeds):
    """``{unit key: "1.4 Dense net seed 0"}``: each unit named for people with the question that asked for it."""
    return {key: f"{q} {unit.label}" for key, (unit, q) in _asked(ids, settings, seeds).items()}


def answer_all(ids, settings, seeds, results):
    """The answers (by id, in the problem set's order) and the pitfalls they revealed."""
    answers, pitfalls = {}, {}
    for q in REGISTRY.values():
        if q.id in ids:
            answer = q.answer(q, RunView(settings, list(seeds), filled(q.units(settings, seeds), results)))
            answers[q.id] = answer
            pitfalls.update((p.id, p) for p in answer.pitfalls)
    return answers, list(pitfalls.values())


__all__ = ["ALL", "PARTS", "REGISTRY", "Question", "needs", "plan", "labels", "answer_all"]
