"""An answer to one question, rounded as the question asks, with its spread over seeds."""

import math
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
    ``spread`` summarizes them per protocol, with ``accepted``: the range a new correct run should
    fall in (``accepted_range``), the values seen (a discrete answer), or the listing's own number
    where it seeds itself (``pinned``). ``plots`` are the figures to draw (``figures`` their files,
    once drawn); ``pitfalls`` what the answer revealed.
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
    folder: Any = field(default=None, repr=False, compare=False)  # the run's folder, to show the figures

    @classmethod
    def from_dict(cls, d, folder=None):
        """An answer as answers.json holds it (``folder``: the run's, where its figures are)."""
        return cls(**{k: v for k, v in d.items() if k != "display"}, folder=folder)

    @classmethod
    def of(cls, q, settings, value, **kw):
        """The answer to question ``q`` (its id, label, digits and unit come from the registry)."""
        return cls(id=q.id, question=q.label_for(settings), value=value, digits=q.digits, unit=q.unit, **kw)

    @property
    def display(self):
        return fmt(self.value, self.digits)

    def to_dict(self):
        d = {k: v for k, v in asdict(self).items() if k not in ("plots", "pitfalls", "folder")}
        d["display"] = self.display
        return d


def seed_answer(q, settings, per_seed, corrected=True, discrete=False, **kw):
    """An answer from per-seed values: ``per_seed`` is a list of (seed, faithful, corrected).

    Every protocol gets its ``spread``: the statistics over the seeds and the range a new correct
    run is expected in (see ``accepted_range``); ``discrete`` answers (a width) get the set of
    values seen, with their counts. With ``seed_pinned=True`` the faithful answer is the same for
    every seed (the listing seeds itself): its range is that value.
    """
    first = per_seed[0]
    answer = Answer.of(q, settings, first[1], **kw)
    digits = answer.digits
    answer.per_seed = [{"seed": s, "value": f, **({"corrected": c} if corrected else {})} for s, f, c in per_seed]
    if corrected:
        answer.corrected = {"value": first[2], "display": fmt(first[2], digits)}
    columns = {"faithful": [f for _, f, _ in per_seed]}
    if corrected:
        columns["corrected"] = [c for _, _, c in per_seed]
    answer.spread = {}
    for name, values in columns.items():
        if name == "faithful" and answer.seed_pinned:
            answer.spread[name] = pinned(values[0], digits, len(values))
        elif discrete or not all(_is_number(v) for v in values):
            answer.spread[name] = counts(values)
        else:
            answer.spread[name] = spread(values, digits, answer.unit)
    if "corrected" in answer.spread and overlap(answer.spread["faithful"], answer.spread["corrected"]):
        answer.spread["faithful"]["overlaps_corrected"] = True
    return answer


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


PREDICTION_LEVEL = 0.95
FEW_SEEDS = 5  # below this, the sheet warns that a range rests on too few runs


def spread(values, digits, unit=""):
    """Mean, standard deviation, min and max of numbers, and the range a new correct run should fall in."""
    return {"n": len(values), "mean": statistics.fmean(values),
            "std": statistics.stdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values)} | accepted_range(values, digits, unit)


def accepted_range(values, digits, unit=""):
    """The range, rounded as the question asks, that should hold a *new* correct run.

    A 95% prediction interval from the n per-seed values, ``mean +- t(n-1) * sd * sqrt(1 + 1/n)``
    (it also covers every value seen), with its ends rounded as the question rounds: a run whose
    value lies in the interval reports a rounded number within ``low``-``high``. One seed gives
    no spread: the range is its value.
    """
    from scipy.stats import t

    n, lo, hi = len(values), min(values), max(values)
    if n > 1:
        mean, sd = statistics.fmean(values), statistics.stdev(values)
        half = t.ppf(0.5 + PREDICTION_LEVEL / 2, n - 1) * sd * math.sqrt(1 + 1 / n)
        lo, hi = min(lo, mean - half), max(hi, mean + half)
        method = (f"95% prediction interval for a new run from {n} seeds (mean +- t(n-1) * sd * sqrt(1 + 1/n)), "
                  "rounded as asked")
    else:
        method = "one seed: no spread measured, the range is that run's value"
    lo, hi = max(lo, 0), min(hi, 1) if unit == "accuracy" else hi
    low, high = on_grid(lo, digits), on_grid(hi, digits)
    return {"low": low, "high": high, "accepted": fmt(low, digits) if low == high else
            f"{fmt(low, digits)}-{fmt(high, digits)}", "method": method}


def pinned(value, digits, n):
    """The range of an answer that the listing's own seed fixes: exactly its value, for any run seed."""
    low = on_grid(value, digits) if _is_number(value) else value
    return {"n": n, "pinned": True, "low": low, "high": low, "accepted": fmt(value, digits),
            "method": "exact: the listing seeds itself (torch.manual_seed(42) in __init__), so every run of it gives "
                      "this number (on the same software; another CPU or library version may differ in the last "
                      "digit)"}


def counts(values):
    """A discrete answer over seeds: the values seen, how often, and all of them as the accepted set."""
    seen = {}
    for v in values:
        seen[str(v)] = seen.get(str(v), 0) + 1
    ordered = sorted(seen, key=_value_order)
    return {"n": len(values), "counts": {k: seen[k] for k in ordered}, "values": ordered,
            "accepted": ", ".join(ordered),
            "method": f"the values seen over {len(values)} seeds (a discrete answer: no interval)"}


def _value_order(v):
    try:
        return (0, float(v))
    except ValueError:
        return (1, 0.0)


def on_grid(x, digits):
    """``x`` rounded as the question rounds (``digits`` after the point; None: to an integer)."""
    return float(fmt(float(x), digits)) if digits is not None else int(round(x))


def overlap(a, b):
    """Whether two protocols' accepted ranges share a value (then a key cannot tell them apart)."""
    if "values" in a or "values" in b:
        return bool(set(a.get("values", [a.get("accepted")])) & set(b.get("values", [b.get("accepted")])))
    return a["low"] <= b["high"] and b["low"] <= a["high"]
