"""An answer to one question, rounded as the question asks, with its spread over seeds."""

import statistics
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = 1


def fmt(value, digits):
    """Render ``value`` the way the question asks (``digits`` after the point; None: as is)."""
    if isinstance(value, float):
        return f"{value:.{digits}f}" if digits is not None else f"{value:g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass
class Plot:
    """A figure an answer asks for: what to draw (``kind`` and ``data``); the report draws it."""

    name: str
    kind: str  # images | curves | confusion | boundaries | width_sweep
    title: str
    data: dict


@dataclass
class Pitfall:
    """A place where the problem set's code differs from correct practice, with its measured effect."""

    id: str
    what: str
    where: str
    faithful: Any
    corrected: Any
    effect: str = ""

    def to_dict(self):
        return asdict(self)


@dataclass
class Answer:
    """One question's answer.

    ``value`` is the faithful protocol's answer for the run's first seed (unrounded);
    ``display`` is that value rounded as the question asks. ``corrected`` holds the same for
    the corrected protocol where it differs in kind. ``per_seed`` lists every seed's values;
    ``spread`` summarizes them (with ``accepted`` = min-max rounded as asked). ``plots`` are the
    figures to draw (``figures`` their files, once drawn); ``pitfalls`` what the answer revealed.
    """

    id: str
    question: str
    value: Any
    digits: int | None = None
    unit: str = ""
    corrected: dict | None = None
    per_seed: list = field(default_factory=list)
    spread: dict | None = None
    seed_pinned: bool = False
    notes: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    plots: list = field(default_factory=list, repr=False)
    pitfalls: list = field(default_factory=list, repr=False)

    @classmethod
    def of(cls, q, settings, value, **kw):
        """The answer to question ``q`` (its id, label, digits and unit come from the registry)."""
        return cls(id=q.id, question=q.label_for(settings), value=value, digits=q.digits, unit=q.unit, **kw)

    @property
    def display(self):
        return fmt(self.value, self.digits)

    def to_dict(self):
        d = {k: v for k, v in asdict(self).items() if k not in ("plots", "pitfalls")}
        d["display"] = self.display
        return d


def seed_answer(q, settings, per_seed, corrected=True, **kw):
    """An answer from per-seed values: ``per_seed`` is a list of (seed, faithful, corrected)."""
    first = per_seed[0]
    answer = Answer.of(q, settings, first[1], **kw)
    digits = answer.digits
    answer.per_seed = [{"seed": s, "value": f, **({"corrected": c} if corrected else {})} for s, f, c in per_seed]
    if corrected:
        answer.corrected = {"value": first[2], "display": fmt(first[2], digits)}
    if len(per_seed) > 1:
        answer.spread = {}
        columns = {"faithful": [f for _, f, _ in per_seed]}
        if corrected:
            columns["corrected"] = [c for _, _, c in per_seed]
        for name, values in columns.items():
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                answer.spread[name] = spread(values, digits)
    return answer


def spread(values, digits):
    """Mean, standard deviation, min, max of numbers, and the accepted range rounded as asked."""
    lo, hi = min(values), max(values)
    return {"n": len(values), "mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": lo, "max": hi, "accepted": f"{fmt(lo, digits)}-{fmt(hi, digits)}"}
