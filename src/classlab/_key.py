"""The answer key of a finished run: per question, the answers to accept (with credit and feedback).

One model serves both the quiz files (``classlab key``, ``classlab._quiz``) and the students'
checker (``classlab check``): what Moodle would accept is exactly what ``check`` accepts.

A numerical question accepts every number that rounds into its range (``low``-``high`` on the
question's rounding grid), so its tolerance is half the range plus half a rounding step. Entries
are tried in order and the first that matches decides, as Moodle grades numerical questions: the
faithful range first (full credit), then the corrected protocol's (``corrected_credit``, with
feedback on what that number says about the student's code).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from ._answers import fmt
from .errors import ClasslabError
from ._questions import REGISTRY

FAITHFUL_FEEDBACK = "Correct: this is what the problem set's code gives."
NO_MATCH_FEEDBACK = ("This matches none of the runs behind this key. Check your code against the problem set's "
                     "settings (epochs, batch size, optimizer and learning rate, loss, transform, split).")


@dataclass
class Entry:
    """One accepted answer: a numeric interval (``low``-``high``), a set of ``values``, or a ``pattern``."""

    variant: str  # faithful | corrected
    fraction: float  # credit in percent
    feedback: str
    low: float | None = None
    high: float | None = None
    values: list | None = None
    pattern: str | None = None

    def tolerance(self, step):
        return (self.high - self.low) / 2 + step / 2

    def midpoint(self):
        return (self.low + self.high) / 2

    def matches(self, number, step):
        if self.values is not None:
            return any(_number(v) == number for v in self.values if _number(v) is not None)
        return abs(number - self.midpoint()) <= self.tolerance(step) + 1e-9 * step


@dataclass
class KeyQuestion:
    id: str
    name: str
    text: str
    points: float
    kind: str  # numerical | classes | figure
    digits: int | None
    accepted: str  # the faithful range as the sheet shows it
    entries: list = field(default_factory=list)
    general_feedback: str = ""
    figure: Path | None = None  # a reference figure, for questions answered by a figure

    @property
    def step(self):
        return 10.0 ** -self.digits if self.digits is not None else 1.0


def _number(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load_run(run_dir):
    """answers.json of a finished run (one clear line when there is none)."""
    path = Path(run_dir) / "answers.json"
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ClasslabError(f"{run_dir}: no answers.json here; the key is made from a finished run") from None
    except ValueError as err:
        raise ClasslabError(f"{path}: not a readable answers.json ({err})") from None


def build_key(doc, run_dir, corrected_credit=0.0):
    """The key of the run ``doc`` (its answers.json) in ``run_dir``: a KeyQuestion per answered question."""
    if not 0 <= corrected_credit <= 100:
        raise ClasslabError(f"--corrected-credit: a percentage from 0 to 100, got {corrected_credit}")
    out = []
    for id, a in doc["answers"].items():
        q = REGISTRY[id]
        kq = KeyQuestion(id, f"PS10 {id}: {a['question']}", q.text, q.points, q.kind, a["digits"], a["display"])
        spread = a.get("spread") or {}
        if q.kind == "figure":
            figure = next((Path(run_dir) / f for f in a["figures"]), None)
            kq.figure = figure if figure is not None and figure.exists() else None
            kq.general_feedback = "The reference figure, for grading by hand."
        elif q.kind == "classes":
            names = a["value"]
            kq.entries.append(Entry("faithful", 100, f"Correct: {', '.join(names)}.", pattern="*".join(names)))
            kq.general_feedback = f"The first five training images show: {', '.join(names)}. " + " ".join(a["notes"])
        else:
            kq.entries.append(_entry("faithful", 100, FAITHFUL_FEEDBACK, a["value"], a["digits"], spread.get("faithful")))
            kq.accepted = spread["faithful"]["accepted"] if "faithful" in spread else a["display"]
            if a.get("corrected") is not None and "corrected" in spread:
                kq.entries.append(_entry("corrected", corrected_credit, q.corrected_means, a["corrected"]["value"],
                                         a["digits"], spread["corrected"]))
            method = spread.get("faithful", {}).get("method")
            kq.general_feedback = f"Accepted: {kq.accepted}" + (f" ({method})." if method else ".")
            if spread.get("faithful", {}).get("overlaps_corrected"):
                kq.general_feedback += (" The faithful and corrected ranges overlap here, so this question cannot tell "
                                        "the two protocols apart.")
        out.append(kq)
    return out


def _entry(variant, fraction, feedback, value, digits, spread):
    if spread is None:  # a deterministic answer: the value, rounded as asked
        exact = float(fmt(value, digits)) if digits is not None and isinstance(value, float) else value
        return Entry(variant, fraction, feedback, low=exact, high=exact)
    if "values" in spread:
        return Entry(variant, fraction, feedback, values=list(spread["values"]))
    if not isinstance(spread["low"], (int, float)):  # pinned at "none": no width reached the target
        return Entry(variant, fraction, feedback, values=[spread["low"]])
    return Entry(variant, fraction, feedback, low=spread["low"], high=spread["high"])
