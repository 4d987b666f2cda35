"""The answer key of a finished run: per question, the answers to accept (with credit and feedback), and the
verdict on any response, read and judged as Moodle does.

One model serves the quiz files (``classlab key``, ``classlab._quiz``), the students' checker (``classlab
check``) and the grading of a class's Moodle export (``classlab grade``): what Moodle accepts is exactly what
``check`` and ``grade`` accept.

A numerical question accepts every number that rounds into its range (``low``-``high`` on the question's
rounding grid), so its tolerance is half the range plus half a rounding step. Entries are tried in order and
the first that matches decides, as Moodle grades numerical questions: the faithful range first (full
credit), then the corrected protocol's (``corrected_credit``, with feedback on what that number says about
the student's code and the pitfall behind it).
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ._answers import fmt
from .errors import ClasslabError
from ._folder import RunFolder
from ._questions import REGISTRY
from .settings import Settings

FAITHFUL_FEEDBACK = "Correct: this is what the problem set's code gives."
NO_MATCH_ADVICE = ("Check your code against the problem set's settings (epochs, batch size, optimizer and learning "
                   "rate, loss, transform, split).")
NO_MATCH_FEEDBACK = f"This matches none of the runs behind this key. {NO_MATCH_ADVICE}"
# The grades Moodle's question import accepts, in percent (question_bank::fraction_options_full); it refuses
# any other (match_grade_options: within 0.00001 of a fraction of 1, else an error).
MOODLE_FRACTIONS = (100, 90, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5,
                    11.11111, 10, 5, 0)
VERDICTS = ("accepted", "digits", "corrected", "rounding", "no-match", "unanswered", "invalid", "manual")


def moodle_fraction(percent, option="--corrected-credit"):
    """``percent`` as the Moodle grade fraction it stands for (33.33 is 33.33333); one clear line otherwise."""
    for fraction in MOODLE_FRACTIONS:
        if abs(percent - fraction) <= 0.01:
            return fraction
    raise ClasslabError(f"{option}: {percent:g} is not a grade Moodle imports; choose one of "
                        f"{', '.join(map(str, MOODLE_FRACTIONS))}")


# ----------------------------------------------------------------------------- reading a response as Moodle does

_EXPONENT = re.compile(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?")


@dataclass(frozen=True)
class Reading:
    """A typed number as Moodle reads it: the number's text (normalized), its value (None: not a number),
    and what followed it (Moodle's "unit")."""

    number: str
    value: float | None
    unit: str

    @property
    def decimals(self):
        """Digits after the decimal point as typed (None with an exponent, where it says nothing)."""
        if "e" in self.number:
            return None
        return len(self.number.split(".", 1)[1]) if "." in self.number else 0


def read_number(response):
    """``response`` read as Moodle's numerical question reads it (qtype_numerical_answer_processor::apply_units,
    no units defined): trimmed, spaces removed, ``x10^3`` as ``e3``; with a ``.`` or more than one ``,`` the
    commas are thousands separators, else a single ``,`` is the decimal point (``0,47`` is 0.47); the number is
    the longest prefix that reads as one, the rest its unit."""
    text = str(response).strip(" \t\n\r\0\x0b").replace(" ", "")
    text = _EXPONENT.sub(r"e\1", text)
    text = text.replace(",", "") if "." in text or text.count(",") > 1 else text.replace(",", ".")
    match = _NUMBER.match(text)
    if match is None:
        return Reading(text, None, text)
    return Reading(match.group(), float(match.group()), text[match.end():])


def moodle_wildcard_match(response, pattern):
    """Moodle's short-answer match (question_utils... compare_string_with_wildcard, case ignored): ``*`` is any
    text, everything else literal, the whole trimmed response must match."""
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    return re.fullmatch(regex, str(response).strip(), flags=re.IGNORECASE | re.DOTALL) is not None


# ----------------------------------------------------------------------------- the key


@dataclass
class Entry:
    """One accepted answer: a numeric interval (``low``-``high``), a set of ``values``, or a ``pattern``."""

    variant: str  # faithful | corrected
    fraction: float  # credit in percent, one of MOODLE_FRACTIONS
    feedback: str
    low: float | None = None
    high: float | None = None
    values: list | None = None
    pattern: str | None = None
    pitfall: str | None = None  # the pitfall a number matching a corrected entry points to

    def tolerance(self, step):
        return (self.high - self.low) / 2 + step / 2

    def midpoint(self):
        return (self.low + self.high) / 2

    def numbers(self, step):
        """``(answer, tolerance)`` pairs as a quiz file writes them."""
        if self.values is None:
            return [(self.midpoint(), self.tolerance(step))]
        return [(v, 0.0) for v in map(as_number, self.values) if v is not None]  # "none": nothing matches

    def matches(self, number, step):
        return any(abs(number - answer) <= tolerance + 1e-9 * step for answer, tolerance in self.numbers(step))


@dataclass
class Verdict:
    """What a response is worth: one of VERDICTS, the credit (0 to 1 of the question's points), the feedback
    in the key's words, and the pitfall it points to."""

    verdict: str
    credit: float
    feedback: str
    value: float | None = None
    pitfall: str | None = None

    @property
    def ok(self):
        return self.verdict in ("accepted", "digits")


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
    ranges: dict = field(default_factory=dict)  # per protocol: {low, high} or {values}, for the class's page

    @property
    def step(self):
        return 10.0 ** -self.digits if self.digits is not None else 1.0

    def judge(self, response, digits_known=True):
        """The verdict on ``response`` (the text a student typed; "-" or empty: unanswered). ``digits_known=False``
        where the digits typed are lost (a spreadsheet stored the number as a number): no "digits" verdict."""
        text = "" if response is None else str(response).strip()
        if text in ("", "-"):
            return Verdict("unanswered", 0.0, "No answer given.")
        if self.kind == "figure":
            return Verdict("manual", 0.0, "A figure: graded by hand (compare with the report's reference figure).")
        if self.kind == "classes":
            entry = self.entries[0]
            if moodle_wildcard_match(text, entry.pattern):
                return Verdict("accepted", entry.fraction / 100, "Accepted.")
            return Verdict("no-match", 0.0, f"Not accepted: the first five are {', '.join(entry.pattern.split('*'))}.")
        reading = read_number(text)
        if reading.value is None:
            return Verdict("invalid", 0.0, "Not a number as Moodle reads it.")
        unit = f" (Moodle reads {reading.number} and takes {reading.unit!r} for a unit.)" if reading.unit else ""
        for entry in self.entries:
            if not entry.matches(reading.value, self.step):
                continue
            if entry.variant != "faithful":
                credit = f"{entry.fraction:g}% credit" if entry.fraction else "no credit"
                return Verdict("corrected", entry.fraction / 100, f"Matches the corrected protocol, not the problem "
                               f"set's code ({credit}): {entry.feedback}{unit}", reading.value, entry.pitfall)
            if digits_known and self.digits is not None and reading.decimals not in (None, self.digits):
                return Verdict("digits", entry.fraction / 100,
                               f"Accepted ({self.accepted}), but the question asks for {self.digits} digits after "
                               f"the point and this has {reading.decimals}.{unit}", reading.value)
            return Verdict("accepted", entry.fraction / 100, f"Accepted ({self.accepted}).{unit}", reading.value)
        faithful = self.entries[0]
        if faithful.low is not None and min(abs(reading.value - faithful.low),
                                            abs(reading.value - faithful.high)) <= 1.5 * self.step:
            asked = f"{self.digits} digits after the point" if self.digits is not None else "a whole number"
            return Verdict("rounding", 0.0, f"Just outside the accepted range ({self.accepted}): check the rounding "
                           f"({asked}).{unit}", reading.value)
        return Verdict("no-match", 0.0, f"Matches none of the runs behind this key (accepted: {self.accepted}). "
                       f"{NO_MATCH_ADVICE}{unit}", reading.value)


def as_number(v):
    """A key's value as a float ("8" is 8.0; "none", no width reached the target, is None)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load_run(run_dir):
    """answers.json of a finished run (one clear line when there is none)."""
    path = RunFolder(run_dir).answers
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ClasslabError(f"{run_dir}: no answers.json here; the key is made from a finished run") from None
    except (OSError, ValueError) as err:
        raise ClasslabError(f"{path}: not a readable answers.json ({err})") from None


def build_key(doc, run_dir, corrected_credit=0.0):
    """The key of the run ``doc`` (its answers.json) in ``run_dir``: a KeyQuestion per answered question."""
    corrected_credit = moodle_fraction(corrected_credit)
    settings = Settings.from_dict(doc["config"]["settings"], f"{RunFolder(run_dir).answers}: config.settings")
    out = []
    for id, a in doc["answers"].items():
        q = REGISTRY[id]
        kq = KeyQuestion(id, f"PS10 {id}: {a['question']}", q.text_for(settings), q.points, q.kind, a["digits"],
                         a["display"])
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
                                         a["digits"], spread["corrected"], q.pitfall))
            kq.ranges = {e.variant: {"low": e.low, "high": e.high} if e.values is None else {"values": e.values}
                         for e in kq.entries}
            method = spread.get("faithful", {}).get("method")
            kq.general_feedback = f"Accepted: {kq.accepted}" + (f" ({method})." if method else ".")
            if spread.get("faithful", {}).get("overlaps_corrected"):
                kq.general_feedback += (" The faithful and corrected ranges overlap here, so this question cannot tell "
                                        "the two protocols apart.")
        out.append(kq)
    return out


def _entry(variant, fraction, feedback, value, digits, spread, pitfall=None):
    if spread is None:  # a deterministic answer: the value, rounded as asked
        exact = float(fmt(value, digits)) if digits is not None and isinstance(value, float) else value
        return Entry(variant, fraction, feedback, low=exact, high=exact, pitfall=pitfall)
    if "values" in spread:
        return Entry(variant, fraction, feedback, values=list(spread["values"]), pitfall=pitfall)
    if not isinstance(spread["low"], (int, float)):  # pinned at "none": no width reached the target
        return Entry(variant, fraction, feedback, values=[spread["low"]], pitfall=pitfall)
    return Entry(variant, fraction, feedback, low=spread["low"], high=spread["high"], pitfall=pitfall)
