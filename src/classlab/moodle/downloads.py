"""A quiz's downloads from Moodle, read: the Responses report (Results > Responses: one row per attempt, what each
student typed) and the Grades report (Results > Grades: Moodle's own mark per question).

The headings, state words and grade words follow the language of the teacher who downloaded the file (``words``);
the language is recognized from the headings, in any of the packs classlab knows. The layout, as Moodle 4.5 and
4.1 write it: the student (``Last name``, ``First name``, the site's identity fields such as ``Email address``),
``Status`` (4.1: ``State``), times, ``Grade/10.00``; then per question slot ``Question N`` (its text), ``Response
N`` (what was typed), ``Right answer N``, as the teacher ticked them; in the Grades report ``Q. N /0.50`` per
slot. ``-`` marks an empty cell; an attempt still in progress shows ``-`` even for saved answers; a grade that
waits for a teacher is ``Not yet graded`` (per question: ``Requires grading``). With "all tries" an attempt takes
one row per try: the student stands on the first row only, the state on the last, and the last try counts.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ClasslabError
from .numbers import PHP_TRIM
from .tables import LOST, NUMBER, read_table
from .words import PACKS, json_key

IDENTITY = ("lastname", "firstname", "email")
NON_LATIN = sorted({p.lang for p in PACKS if not p.json_readable()})


@dataclass
class Attempt:
    """One attempt of one student, as its last try left it."""

    lastname: str
    firstname: str
    email: str
    state: str  # finished | inprogress | overdue | abandoned | "" (a word classlab does not know)
    state_text: str  # as the download words it
    grade: float | None = None  # the Grade column's number (None: none yet, or not a number)
    grade_text: str = ""
    responses: dict = field(default_factory=dict)  # slot -> the text typed ("-": none)
    texts: dict = field(default_factory=dict)  # slot -> the question's text, where the download has it
    as_numbers: set = field(default_factory=set)  # slots a spreadsheet stored as numbers: the digits typed are lost
    lost: set = field(default_factory=set)  # slots whose text the download lost (a broken ODS cell)
    row: int = 0  # the row it starts on (the headings are row 1)

    @property
    def identity(self):
        return (self.lastname, self.firstname, self.email)

    @property
    def student(self):
        """Who this is: the e-mail address where the download has one (two Anna Schmidts are two students)."""
        return ("email", self.email.casefold()) if self.email else ("name", self.lastname.casefold(),
                                                                     self.firstname.casefold())

    @property
    def finished(self):
        return self.state == "finished"


@dataclass
class Responses:
    """A Responses download: its attempts, and what it says of the download itself."""

    path: Path
    format: str
    pack: object  # words.Pack: the language (and version) of the headings
    slots: list  # the slot numbers with a Response column, in order
    attempts: list
    rows: int
    skipped: int = 0  # rows that hold no attempt (an overall average)
    digest: str = ""
    grade_max: float | None = None  # the quiz's maximum grade, from the Grade heading
    notes: list = field(default_factory=list)

    @property
    def typed(self):
        """Whether every response kept the digits as typed."""
        return not any(a.as_numbers for a in self.attempts)


@dataclass
class Marked:
    """One attempt in the Grades download: Moodle's grade and its mark per slot."""

    lastname: str
    firstname: str
    email: str
    state: str
    grade: float | None
    marks: dict  # slot -> the mark (None: no mark, "-")
    waiting: set  # slots that require grading by a teacher

    student = Attempt.student


@dataclass
class GradesDownload:
    """A Grades download (Moodle's overview report)."""

    path: Path
    format: str
    pack: object
    maxima: dict  # slot -> the slot's maximum mark
    attempts: list
    grade_max: float | None = None
    digest: str = ""


# ----------------------------------------------------------------------------- recognizing the headings


@dataclass
class _Layout:
    pack: object
    columns: dict = field(default_factory=dict)  # fixed column -> index
    numbered: dict = field(default_factory=dict)  # question | response | rightanswer | mark -> {slot: index}
    maxima: dict = field(default_factory=dict)  # slot -> its maximum's text (the Grades download)
    grade: tuple | None = None  # (index, the maximum's text)
    recognized: int = 0

    def usable(self, kind):
        return all(k in self.columns for k in ("lastname", "firstname", "state")) and bool(self.numbered.get(kind))


def _layout(pack, header, keyed):
    """How far ``pack``'s words explain ``header``."""
    word = json_key if keyed else (lambda text: text)
    fixed = {word(text): kind for kind, text in pack.fixed().items()}
    layout = _Layout(pack)
    patterns = {}
    for kind in ("question", "response", "rightanswer", "mark"):
        before, after = pack.template(kind)
        tail = r" /(.+)" if kind == "mark" and not keyed else ""
        patterns[kind] = re.compile(f"^{re.escape(word(before))}([0-9]+){re.escape(word(after))}{tail}$")
    grade = re.compile(f"^{re.escape(word(pack.grade))}(.+)$")
    marks = 0
    for i, heading in enumerate(header):
        heading = word(heading)  # a JSON key as Moodle makes it (also from a heading, as another tool keys it)
        if heading in fixed and fixed[heading] not in layout.columns:
            layout.columns[fixed[heading]] = i
        elif layout.grade is None and grade.match(heading):
            layout.grade = (i, grade.match(heading).group(1))
        else:
            kind, match = next(((k, p.match(heading)) for k, p in patterns.items() if p.match(heading)), (None, None))
            if kind is None:
                continue
            if kind == "mark":
                marks += 1
                slot, maximum = _mark_heading(match, marks, keyed)
                if slot is None:
                    continue
                layout.maxima[slot] = maximum
            else:
                slot = int(match.group(1))
            layout.numbered.setdefault(kind, {}).setdefault(slot, i)
        layout.recognized += 1
    return layout


def _mark_heading(match, position, keyed):
    """(slot, its maximum's text) of a Grades heading. In JSON "Q. 1 /0.50" is ``q1050``: the slot's number and
    the maximum's digits run together, so the slots are taken in order (the k-th mark column is slot k)."""
    if not keyed:
        return int(match.group(1)), match.group(2)
    digits, number = match.group(1), str(position)
    return (position, digits[len(number):]) if digits.startswith(number) and len(digits) > len(number) else \
        (None, None)


def _recognize(table, kind):
    """The layout of ``table``'s headings in the language that explains them best; one clear line otherwise."""
    readable = [p for p in PACKS if not table.keyed or p.json_readable((kind,))]
    layouts = [_layout(p, table.header, table.keyed) for p in readable]
    usable = [layout for layout in layouts if layout.usable(kind)]
    if usable:
        return max(usable, key=lambda layout: layout.recognized)  # PACKS lists 4.5 first: it wins a tie
    other = "mark" if kind == "response" else "response"
    if any(layout.usable(other) for layout in layouts):
        return None
    found = ", ".join(repr(h) for h in table.header[:8]) + (", ..." if len(table.header) > 8 else "")
    if table.keyed and any(h == "" or h.isdigit() for h in table.header):
        raise ClasslabError(
            f"{table.path}: a JSON download from a Moodle whose interface is in a non-Latin script "
            f"({', '.join(NON_LATIN)}): Moodle's JSON keeps only the Latin letters of the headings, so its columns "
            f"cannot be told apart (found {found}); download the CSV, Excel or ODS file instead")
    if not table.header or not any(table.header):
        raise ClasslabError(f"{table.path}: not a Moodle Responses download (no headings)")
    raise ClasslabError(f"{table.path}: not a Moodle Responses download in any language classlab knows (headings "
                        f"found: {found}); download it again with Moodle's interface in English, 'Response' ticked")


def _number(text, pack):
    """A grade or mark as Moodle writes it in the downloading teacher's language (format_float: the language's
    decimal separator, no thousands separator); None for anything else."""
    text = text.strip(PHP_TRIM)
    if not re.fullmatch(r"-?[0-9]+(?:" + re.escape(pack.separators.decimal) + r"[0-9]+)?", text):
        return None
    return float(text.replace(pack.separators.decimal, "."))


def _maximum(text, pack, values):
    """A maximum from a heading: "10.00" (CSV) or, from JSON keys, the digits "1000" split by the decimals that
    the values show ("7.25": two)."""
    if not re.fullmatch(r"[0-9]+", text):
        return _number(text, pack)
    decimals = next((len(v.split(pack.separators.decimal, 1)[1]) if pack.separators.decimal in v else 0
                     for v in values if _number(v, pack) is not None), None)
    if decimals is None or len(text) <= decimals:
        return None
    return float(f"{text[:len(text) - decimals]}.{text[len(text) - decimals:] or '0'}")


def _state(text, pack):
    """The state of an attempt from its word, in the download's language (or any other pack's)."""
    known = pack.states()
    if text in known:
        return known[text]
    return next((p.states()[text] for p in PACKS if text in p.states()), "")


def _averages():
    return {p.overall_average.casefold() for p in PACKS}


# ----------------------------------------------------------------------------- the Responses download


def _opened(path, kind, other):
    """The table at ``path`` and the layout of its ``kind`` of columns; ``other`` says what it is when it is the
    other download."""
    table = read_table(path)
    layout = _recognize(table, kind)
    if layout is None:
        raise ClasslabError(f"{table.path}: {other}")
    return table, layout


def read_responses(path):
    """The attempts of a Responses download at ``path``."""
    table, layout = _opened(path, "response", "this is Moodle's Grades download (Results > Grades); give the "
                            "Responses download (Results > Responses) first, and this one beside it")
    pack, columns = layout.pack, layout.columns
    slots = sorted(layout.numbered["response"])
    response_at = layout.numbered["response"]
    question_at = layout.numbered.get("question", {})
    grade_at = layout.grade[0] if layout.grade else None

    def cell(row, i):
        return row[i] if i is not None and i < len(row) else None

    def text(row, i):
        c = cell(row, i)
        return c.text.strip() if c is not None else ""

    attempts, skipped, pending, averages = [], 0, None, _averages()
    for number, row in enumerate(table.rows, start=2):
        if not any(c.text.strip() or c.kind == LOST for c in row):
            continue
        identity = tuple(text(row, columns.get(k)) for k in IDENTITY)
        if any(v.casefold() in averages for v in identity[:2] if v):
            skipped += 1
            continue
        state_text = text(row, columns["state"])
        later_try = pending is not None and not pending.state_text and (
            not any(identity) or identity[:2] == pending.identity[:2])
        if later_try:
            identity, number = pending.identity, pending.row  # "all tries": the attempt above goes on
        elif not any(identity):
            raise ClasslabError(f"{table.path}: row {number} names no student")
        elif pending is not None:
            attempts.append(pending)
        grade_text = text(row, grade_at)
        pending = Attempt(*identity, state=_state(state_text, pack), state_text=state_text,
                          grade=_number(grade_text, pack), grade_text=grade_text, row=number)
        for slot in slots:
            c = cell(row, response_at[slot])
            pending.responses[slot] = "" if c is None else c.text  # exactly as typed: Moodle reads it so
            if c is not None and c.kind == NUMBER:
                pending.as_numbers.add(slot)
            if c is not None and c.kind == LOST:
                pending.lost.add(slot)
            if slot in question_at:
                pending.texts[slot] = text(row, question_at[slot])
    if pending is not None:
        attempts.append(pending)
    if not attempts:
        raise ClasslabError(f"{table.path}: holds no attempt (only the heading row)")
    grade_max = _maximum(layout.grade[1], pack, [a.grade_text for a in attempts]) if layout.grade else None
    return Responses(table.path, table.format, pack, slots, attempts, rows=len(table.rows), skipped=skipped,
                     digest=table.digest, grade_max=grade_max, notes=table.notes)


# ----------------------------------------------------------------------------- the Grades download


def read_grades(path):
    """Moodle's marks in a Grades download at ``path``."""
    table, layout = _opened(path, "mark", "this is a Responses download, not Moodle's Grades download (Results > "
                            "Grades)")
    pack, columns, averages = layout.pack, layout.columns, _averages()
    mark_at = layout.numbered["mark"]
    grade_at = layout.grade[0] if layout.grade else None
    attempts = []
    for row in table.rows:
        texts = [c.text.strip() for c in row] + [""] * len(table.header)
        identity = [texts[columns[k]] if k in columns else "" for k in IDENTITY]
        if not any(identity) or any(v.casefold() in averages for v in identity[:2] if v):
            continue
        marks, waiting = {}, set()
        for slot, i in mark_at.items():
            marks[slot] = _number(texts[i], pack)
            if any(texts[i] == p.requires_grading for p in PACKS):  # the download's words, or another version's
                waiting.add(slot)
        attempts.append(Marked(*identity, state=_state(texts[columns["state"]], pack),
                               grade=_number(texts[grade_at], pack) if grade_at is not None else None,
                               marks=marks, waiting=waiting))
    if not attempts:
        raise ClasslabError(f"{table.path}: holds no attempt (only the heading row)")
    marks_seen = [c.text for row in table.rows for i, c in enumerate(row) if i in mark_at.values()]
    maxima = {slot: _maximum(text, pack, marks_seen) for slot, text in layout.maxima.items()}
    grade_max = _maximum(layout.grade[1], pack, [row[grade_at].text for row in table.rows if grade_at < len(row)]) \
        if layout.grade else None
    return GradesDownload(table.path, table.format, pack, maxima, attempts, grade_max=grade_max, digest=table.digest)
