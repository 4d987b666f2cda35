"""The answer key of a finished run: per question, the answers to accept (with credit and feedback), and the
verdict on any response, read and judged as Moodle does.

One model serves the quiz files (``classlab key``, ``classlab._quiz``), the students' checker (``classlab
check``) and the grading of a class's Moodle download (``classlab grade``): what Moodle accepts is exactly what
``check`` and ``grade`` accept. Moodle's own rules (its number reading, its tolerance intervals, its short-answer
match) live in ``classlab.moodle``.

A numerical question accepts every number that rounds into its range (``low``-``high`` on the question's
rounding grid), so its tolerance is half the range plus half a rounding step. Entries are tried in order and
the first that matches decides, as Moodle grades numerical questions: the faithful range first (full credit),
then the corrected protocol's (``corrected_credit``, with feedback on what that number says about the student's
code and the pitfall behind it), then the separator slips (``separator_slips``: each range as Moodle reads it
when typed with the other language's separators, where no genuine answer can be read so), then anything else.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ._answers import fmt
from ._atomic import write_text
from .errors import ClasslabError
from ._folder import RunFolder
from .moodle.grading import fraction as moodle_fraction
from .moodle.grading import shortanswer_matches, tolerance_interval, within
from .moodle.numbers import COMMA, PHP_TRIM, POINT, blank, read_number, shown, why_no_number, write_number
from ._questions import REGISTRY
from .settings import Settings

FAITHFUL_FEEDBACK = "Correct: this is what the problem set's code gives."
NO_MATCH_ADVICE = ("Check your code against the problem set's settings (epochs, batch size, optimizer and learning "
                   "rate, loss, transform, split).")
NO_MATCH_FEEDBACK = f"This matches none of the runs behind this key. {NO_MATCH_ADVICE}"
VERDICTS = ("accepted", "digits", "corrected", "separator", "percent", "rounding", "no-match", "unanswered",
            "invalid", "manual", "in-progress")
SLIPS = ("feedback", "credit", "off")
DECIMAL_COMMA, THOUSANDS = "decimal-comma", "thousands"


# ----------------------------------------------------------------------------- the key


@dataclass
class Entry:
    """One accepted answer: a numeric interval (``low``-``high``), a set of ``values``, or a ``pattern``."""

    variant: str  # faithful | corrected: the range it accepts, or whose slip it catches
    fraction: float  # credit in percent, one of Moodle's fractions
    feedback: str
    low: float | None = None
    high: float | None = None
    values: list | None = None
    pattern: str | None = None
    pitfall: str | None = None  # the pitfall a number matching a corrected entry points to
    slip: str | None = None  # decimal-comma | thousands: the range as Moodle reads it typed with other separators
    step: float | None = None  # the grid of the numbers it holds, where it is not the question's
    means: str | None = None  # a slip's: the feedback of the answer it catches typed so

    def numbers(self, step):
        """``(answer, tolerance)`` pairs as the quiz file writes them (and so as Moodle reads them back)."""
        step = self.step if self.step is not None else step
        if self.values is None:
            pairs = [((self.low + self.high) / 2, (self.high - self.low) / 2 + step / 2)]
        else:
            pairs = [(v, 0.0) for v in map(as_number, self.values) if v is not None]  # "none": nothing matches
        return [(float(write_number(a)), float(write_number(t))) for a, t in pairs]

    def matches(self, number, step):
        return any(within(number, answer, tolerance) for answer, tolerance in self.numbers(step))

    def intervals(self, step):
        return [tolerance_interval(answer, tolerance) for answer, tolerance in self.numbers(step)]


@dataclass
class Verdict:
    """What a response is worth: one of VERDICTS, the credit (0 to 1 of the question's points, as Moodle gives
    it), the feedback in the key's words, the number read and the pitfall it points to."""

    verdict: str
    credit: float
    feedback: str
    value: float | None = None
    pitfall: str | None = None
    faithful: bool = False  # it matched a faithful range (directly, or as a separator slip)

    @property
    def ok(self):
        """The problem set's answer, with credit."""
        return self.verdict in ("accepted", "digits") or (self.verdict == "separator" and self.faithful and
                                                          self.credit > 0)


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

    def judge(self, response, separators=POINT, digits_known=True):
        """The verdict on ``response``, the text a student typed exactly as typed (None or blank: unanswered),
        read with the ``separators`` of the attempt's language as Moodle reads it. ``digits_known=False`` where
        the digits typed are lost (a spreadsheet stored the number as a number): no "digits" verdict."""
        typed = "" if response is None else str(response)
        if blank(typed):
            return Verdict("unanswered", 0.0, "No answer given.")
        if self.kind == "figure":
            return Verdict("manual", 0.0, "A figure: graded by hand (compare with the report's reference figure).")
        if self.kind == "classes":
            entry = self.entries[0]
            if shortanswer_matches(typed, entry.pattern):
                return Verdict("accepted", entry.fraction / 100, "Accepted.", faithful=True)
            return Verdict("no-match", 0.0, f"Not accepted: the first five are {', '.join(entry.pattern.split('*'))}.")
        reading = read_number(typed, separators)
        if reading.value is None:
            return Verdict("invalid", 0.0, f"Not a number as Moodle reads it{why_no_number(typed)}.")
        unit = _unit_note(reading)
        entry = next((e for e in self.entries if e.matches(reading.value, self.step)), None)
        credit = entry.fraction / 100 if entry is not None else 0.0  # Moodle's: the first answer that holds it
        if entry is not None and entry.slip and slipped(typed, separators, entry.slip):
            return Verdict("separator", credit, _slip_text(entry, typed, reading, separators, self.digits, credit),
                           reading.value, entry.pitfall, entry.variant == "faithful")
        percent = self._percent(reading, credit) if entry is None or entry.slip else None
        if percent is not None:
            return percent
        if entry is not None and entry.slip:  # the number a slip reads as, typed without one (27 for 0,27)
            return Verdict("no-match", credit, f"Matches none of the runs behind this key (accepted: {self.accepted})"
                           f"; it is what {_slip_typed(entry.slip, reading.value, self.digits)} reads as, so this quiz "
                           f"gives it the credit of that slip. {NO_MATCH_ADVICE}{unit}", reading.value)
        if entry is not None and entry.variant != "faithful":
            shown_credit = f"{entry.fraction:g}% credit" if entry.fraction else "no credit"
            return Verdict("corrected", credit, f"Matches the corrected protocol, not the problem set's code "
                           f"({shown_credit}): {entry.feedback}{unit}", reading.value, entry.pitfall)
        if entry is not None:
            if digits_known and self.digits is not None and reading.decimals not in (None, self.digits):
                return Verdict("digits", credit, f"Accepted ({self.accepted}), but the question asks for "
                               f"{self.digits} digits after the point and this has {reading.decimals}.{unit}",
                               reading.value, faithful=True)
            return Verdict("accepted", credit, f"Accepted ({self.accepted}).{unit}", reading.value, faithful=True)
        faithful = self.entries[0]
        near = faithful.low is not None and min(abs(reading.value - faithful.low),
                                                abs(reading.value - faithful.high)) <= 1.5 * self.step
        if near and self.digits is None and float(reading.value).is_integer():  # a count: no rounding to blame
            return Verdict("no-match", 0.0, f"Just outside the accepted range ({self.accepted}), but a whole number "
                           f"is exact: {write_number(reading.value)} is not the number the runs give. "
                           f"{NO_MATCH_ADVICE}{unit}", reading.value)
        if near:
            asked = f"{self.digits} digits after the point" if self.digits is not None else "a whole number"
            return Verdict("rounding", 0.0, f"Just outside the accepted range ({self.accepted}): check the rounding "
                           f"({asked}).{unit}", reading.value)
        return Verdict("no-match", 0.0, f"Matches none of the runs behind this key (accepted: {self.accepted}). "
                       f"{NO_MATCH_ADVICE}{unit}", reading.value)

    def _percent(self, reading, credit):
        """A number typed with '%' whose hundredth is an answer of the key (27% for 0.27): the verdict, or None."""
        if not reading.unit.startswith("%") or self.digits is None:
            return None
        fraction = reading.value / 100
        entry = next((e for e in self.entries if not e.slip and e.matches(fraction, self.step)), None)
        if entry is None:
            return None
        what = "the problem set's answer" if entry.variant == "faithful" else "the corrected protocol's number"
        fixed = f"{fraction:.{self.digits}f}"
        return Verdict("percent", credit, f"A percentage: Moodle read {reading.number} and took '%' for a unit, which "
                       f"this question ignores, so it graded {write_number(reading.value)}. As a fraction, {fixed} is "
                       f"{what}: type {fixed}, with no '%'.", reading.value, entry.pitfall)


def _unit_note(reading):
    if not reading.unit:
        return ""
    return (f" Moodle read {reading.number} and took {shown(reading.unit)!r} after it for a unit, which this question "
            "ignores: type the number alone.")


def slipped(typed, separators, slip):
    """Whether ``typed`` holds the separator whose reading made the slip: for a decimal comma read as a thousands
    separator, a comma (or the language's thousands separator) that Moodle dropped; for a thousands separator
    read as the decimal one, a point or comma (or the language's decimal separator). 27% or "0 27" holds none."""
    text = str(typed).strip(PHP_TRIM).replace(" ", "")
    marks = {",", separators.thousands} if slip == DECIMAL_COMMA else {".", ",", separators.decimal}
    return any(m and m in text for m in marks)


def as_number(v):
    """A key's value as a float ("8" is 8.0; "none", no width reached the target, is None)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


# ----------------------------------------------------------------------------- the key's options, remembered


@dataclass(frozen=True)
class KeyOptions:
    """How ``classlab key`` wrote the quiz: saved beside it (key.json), so that ``check`` and ``grade`` judge
    with the answers Moodle imported."""

    corrected_credit: float = 0.0
    separator_slips: str = "feedback"

    def checked(self):
        if self.separator_slips not in SLIPS:
            raise ClasslabError(f"--separator-slips: one of {', '.join(SLIPS)}, got {self.separator_slips!r}")
        return KeyOptions(moodle_fraction(self.corrected_credit), self.separator_slips)

    def save(self, run_dir):
        write_text(RunFolder(run_dir).key, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def saved(cls, run_dir):
        """The options the key in ``run_dir`` was written with (None: no key was written there)."""
        path = RunFolder(run_dir).key
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text())
            return cls(float(data["corrected_credit"]), str(data["separator_slips"]))
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ClasslabError(f"{path}: not a readable key.json ({type(err).__name__}); write it again with "
                                "classlab key") from None

    def differences(self, other):
        """``["--corrected-credit 50 (was 0)", ...]``: where ``other`` differs from these options."""
        return [f"--{name.replace('_', '-')} {_shown(getattr(other, name))} (was {_shown(getattr(self, name))})"
                for name in ("corrected_credit", "separator_slips") if getattr(self, name) != getattr(other, name)]

    @classmethod
    def of(cls, run_dir, corrected_credit=None, separator_slips=None, required=False):
        """The options the key in ``run_dir`` was written with, with those given here winning; and a note for each
        given one that differs from the remembered one, or where no key was written (``required``: refused then,
        so that grades always match a quiz that exists)."""
        path = RunFolder(run_dir).key
        if required and not path.exists():
            raise ClasslabError(f"{run_dir}: no key here (no key.json): run classlab key {run_dir} first, and import "
                                "its quiz.xml in Moodle, so that the grades match the quiz the students took")
        saved = cls()
        if path.exists():
            try:
                data = json.loads(path.read_text())
                saved = cls(float(data["corrected_credit"]), str(data["separator_slips"]))
            except (OSError, ValueError, KeyError, TypeError) as err:
                raise ClasslabError(f"{path}: not a readable key.json ({type(err).__name__}); write it again with "
                                    "classlab key") from None
        given = {"corrected_credit": corrected_credit, "separator_slips": separator_slips}
        notes = [f"--{name.replace('_', '-')} {_shown(value)} given: the key in {run_dir} was written with "
                 f"{_shown(getattr(saved, name))}" for name, value in given.items()
                 if value is not None and path.exists() and value != getattr(saved, name)]
        if not path.exists():
            notes.append(f"{run_dir} holds no key.json (classlab key was not run there): judged with the key's "
                         "default options")
        options = cls(**{name: getattr(saved, name) if value is None else value for name, value in given.items()})
        return options.checked(), notes


def _shown(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


# ----------------------------------------------------------------------------- building the key


def load_run(run_dir):
    """answers.json of a finished run (one clear line when there is none)."""
    path = RunFolder(run_dir).answers
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ClasslabError(f"{run_dir}: no answers.json here; the key is made from a finished run") from None
    except (OSError, ValueError) as err:
        raise ClasslabError(f"{path}: not a readable answers.json ({err})") from None


def build_key(doc, run_dir, corrected_credit=0.0, separator_slips="feedback"):
    """The key of the run ``doc`` (its answers.json) in ``run_dir``: a KeyQuestion per answered question."""
    options = KeyOptions(corrected_credit, separator_slips).checked()
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
                kq.entries.append(_entry("corrected", options.corrected_credit, q.corrected_means,
                                         a["corrected"]["value"], a["digits"], spread["corrected"], q.pitfall))
            kq.ranges = {e.variant: {"low": e.low, "high": e.high} if e.values is None else {"values": e.values}
                         for e in kq.entries}
            if options.separator_slips != "off":
                kq.entries += slips(kq, credit=options.separator_slips == "credit")
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


# ----------------------------------------------------------------------------- separator slips


def slips(kq, credit):
    """The answers that catch ``kq``'s ranges typed with the other language's separators, as Moodle reads them:
    an answer with d digits after a decimal comma on a decimal-point attempt (0,27 is 27: the range times 10^d),
    and a whole number of 1000 or more with a thousands separator read as a decimal one (1,500 on a
    decimal-comma attempt, or 1.500 anywhere, is 1.5: the range over 1000). Only where such a number can
    never be a genuine answer: its interval meets none of the question's answers."""
    genuine = [iv for e in kq.entries for iv in e.intervals(kq.step)]
    out = []
    for e in kq.entries:
        for slip, low, high, step in _slipped(e, kq.digits):
            example, read = _example(e, slip, kq.digits)
            candidate = Entry(e.variant, e.fraction if credit else 0, _slip_feedback(e, slip, example, read, credit),
                              low=low, high=high, pitfall=e.pitfall, slip=slip, step=step, means=e.feedback)
            if not any(lo <= g_hi and g_lo <= hi for lo, hi in candidate.intervals(step)
                       for g_lo, g_hi in genuine):
                out.append(candidate)
    return out


def _slipped(entry, digits):
    """(slip, low, high, step) of each slip reading of ``entry``'s range."""
    if entry.pattern is not None:
        return []
    points = [as_number(v) for v in entry.values] if entry.values is not None else [entry.low, entry.high]
    points = [p for p in points if p is not None]
    if not points:
        return []
    low, high = min(points), max(points)
    out = []
    if digits:
        scale = 10 ** digits
        out.append((DECIMAL_COMMA, round(low * scale), round(high * scale), 1.0))
    elif 1000 <= abs(low) and abs(high) < 1_000_000 and float(low).is_integer() and float(high).is_integer():
        out.append((THOUSANDS, low / 1000, high / 1000, 0.001))
    return out


def _example(entry, slip, digits):
    """A number of the entry's range as typed with the slip, and as Moodle reads it: ("0,27", "27")."""
    points = [as_number(v) for v in entry.values] if entry.values is not None else [(entry.low + entry.high) / 2]
    v = next(p for p in points if p is not None)
    if slip == DECIMAL_COMMA:
        typed = f"{v:.{digits}f}"
        return typed.replace(".", ","), write_number(read_number(typed.replace(".", ","), POINT).value)
    whole = int(round(v))
    return f"{whole:,}", write_number(whole / 1000)


def _slip_typed(slip, value, digits):
    """How a number Moodle read as ``value`` through ``slip`` was typed: 27 is 0,27; 803.786 is 803.786."""
    if slip == DECIMAL_COMMA:
        return f"{value / 10 ** digits:.{digits}f}".replace(".", ",")
    return f"{round(value * 1000):,}".replace(",", ".")


def _slip_text(entry, typed, reading, separators, digits, credit):
    """What classlab says of a separator slip: the student's own text, as Moodle read it, and what to type."""
    what = "the problem set's answer" if entry.variant == "faithful" else "the corrected protocol's number"
    text = str(typed).strip(PHP_TRIM)
    if entry.slip == DECIMAL_COMMA:
        fixed = read_number(text, COMMA).number
        said = (f"Moodle read {shown(text)} as {write_number(reading.value)}: on this attempt a comma separates "
                f"thousands. It is {what} written with a decimal comma: type {fixed}, with a decimal point, which every "
                "language reads alike.")
    else:
        fixed = write_number(round(reading.value * 1000))
        point = "comma" if "," in text and separators.decimal == "," and "." not in text else "point"
        value = write_number(reading.value)
        said = (f"Moodle read {shown(text)} as {'the decimal number ' + value if value != text else 'a decimal number'}"
                f", taking the {point} for the decimal separator. It is {what} with a thousands separator: type the "
                f"digits alone ({fixed}).")
    if entry.variant != "faithful" and entry.means:
        said += f" {entry.means}"
    return said + (" Credited as the number meant." if credit else " No credit for the number as Moodle read it.")


def _slip_feedback(entry, slip, example, read, credit):
    what = "the problem set's answer" if entry.variant == "faithful" else "the corrected protocol's number"
    if slip == DECIMAL_COMMA:
        text = (f"Moodle read this as a whole number: on this Moodle a comma separates thousands, so {example} is "
                f"{read}. Typed with a decimal comma, it is {what}: type a decimal point ({example.replace(',', '.')}).")
    else:
        text = (f"Moodle read this as a decimal number: a thousands separator was taken for the decimal one "
                f"({example.replace(',', '.')} everywhere, and {example} on a decimal-comma Moodle, is {read}). Typed with a "
                f"thousands separator, it is {what}: type the digits alone ({example.replace(',', '')}).")
    if entry.variant != "faithful":
        text += f" {entry.feedback}"
    return text + (" Credited as the number meant." if credit else " No credit for the number as Moodle read it.")
