"""A Moodle quiz's Responses report, as downloaded: CSV, Excel (XLSX) or JSON, read into attempts.

The download (Quiz > Results > Responses, English headings) has one row per attempt: ``Surname``, ``First
name``, the site's identity fields (often ``Email address``), ``State``, ``Started on``, ``Completed``, ``Time
taken``, ``Grade/<max>``, then per question slot ``Question N`` (its text), ``Response N`` (what the student
typed), ``Right answer N``, as the instructor ticked them; ``-`` marks an empty cell. With "all tries" an
attempt takes one row per try: the identity stands on the first row only, the state on the last, and the last
try is the one graded. Nothing here runs code from the file: cells are read as text (openpyxl returns a
formula's cached value, never evaluates it).
"""

import csv
import dataclasses
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ClasslabError

MAX_BYTES = 50 << 20  # a class's export is a few hundred kB; anything near this is not one
IDENTITY = {"surname": "Surname", "first_name": "First name", "email": "Email address"}
AVERAGE_ROW = "overall average"  # the on-screen table's last row, also in copies of it
_SLOT = re.compile(r"^(Question|Response|Right answer) (\d+)$", re.IGNORECASE)


@dataclass
class Attempt:
    """One attempt of one student, as its last try left it."""

    surname: str
    first_name: str
    email: str
    state: str
    grade: str
    responses: dict = field(default_factory=dict)  # slot -> text, as typed ("-": none)
    texts: dict = field(default_factory=dict)  # slot -> the question's text, where the export has it
    typed: bool = True  # False where a spreadsheet stored the numbers as numbers (the digits typed are lost)

    @property
    def identity(self):
        return (self.surname, self.first_name, self.email)

    @property
    def finished(self):
        return self.state.strip().lower() == "finished"


@dataclass
class Export:
    path: Path
    format: str  # csv | xlsx | json
    slots: list  # the slot numbers with a Response column, in order
    attempts: list
    rows: int
    skipped: int = 0  # rows that hold no attempt (the overall average)
    digest: str = ""  # the file's SHA-256


def read_export(path):
    """The attempts of a Responses download at ``path``; one clear line, naming the file, for anything else."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ClasslabError(f"{path}: is a folder, not a Moodle Responses download")
    except FileNotFoundError:
        raise ClasslabError(f"{path}: no such file") from None
    if size > MAX_BYTES:
        raise ClasslabError(f"{path}: is {size / (1 << 20):.0f} MB, larger than any class's export "
                            f"({MAX_BYTES >> 20} MB at most); not read")
    if size == 0:
        raise ClasslabError(f"{path}: is empty")
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        table, typed, kind = _xlsx_rows(path, data), False, "xlsx"
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        table, typed, kind = _json_rows(path, _text(path, data)), True, "json"
    else:
        table, typed, kind = _csv_rows(path, _text(path, data)), True, "csv"
    return dataclasses.replace(_attempts(path, kind, table, typed), digest=hashlib.sha256(data).hexdigest())


def _text(path, data):
    """The file's text: UTF-8 (with or without BOM), UTF-16 with its BOM, or Windows-1252 as Excel saves CSV."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\0" not in text:
            return text
    raise ClasslabError(f"{path}: not readable text (neither UTF-8, UTF-16 nor Windows-1252); save it from Moodle "
                        "again as CSV, Excel or JSON")


def _csv_rows(path, text):
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = max(",;\t", key=lambda d: (_has_slots(next(csv.reader([first], delimiter=d), [])),
                                          len(next(csv.reader([first], delimiter=d), []))))
    try:
        return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as err:
        raise ClasslabError(f"{path}: not a readable CSV file ({err})") from None


def _has_slots(header):
    return any(_SLOT.match(str(h).strip()) for h in header)


def _xlsx_rows(path, data):
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
        if unpacked > 10 * MAX_BYTES:  # an Excel file is a zip: refuse a bomb before anything is unpacked
            raise ClasslabError(f"{path}: unpacks to {unpacked >> 20} MB, far more than any class's export; not read")
        # data_only: a formula's cached value; openpyxl never evaluates a formula
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, InvalidFileException, KeyError, OSError, ValueError,
            TypeError) as err:
        raise ClasslabError(f"{path}: not a readable Excel file ({type(err).__name__})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ClasslabError(f"{path}: the Excel file has no sheet")
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _json_rows(path, text):
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ClasslabError(f"{path}: not valid JSON ({err})") from None
    # Moodle writes a list of sheets, each a list of records; accept one sheet, or records alone.
    if isinstance(data, list) and data and all(isinstance(sheet, list) for sheet in data) and \
            all(isinstance(r, (dict, list)) for r in data[0]):
        data = data[0]
    if not isinstance(data, list) or not data:
        raise ClasslabError(f"{path}: not a Moodle Responses download (expected a list of rows)")
    if all(isinstance(r, dict) for r in data):
        header = list(data[0])
        return [header] + [[_json_cell(r.get(h)) for h in header] for r in data]
    if all(isinstance(r, list) for r in data):
        return [[_json_cell(v) for v in r] for r in data]
    raise ClasslabError(f"{path}: not a Moodle Responses download (rows must all be objects or all be lists)")


def _json_cell(value):
    return "" if value is None else value if isinstance(value, str) else json.dumps(value)


def _attempts(path, kind, table, typed):
    table = [[str(c) for c in row] for row in table]
    while table and not any(c.strip() for c in table[0]):
        table.pop(0)
    if not table:
        raise ClasslabError(f"{path}: is empty")
    header = [h.strip() for h in table[0]]
    columns = {h.lower(): i for i, h in enumerate(header)}
    slots = {}
    for i, h in enumerate(header):
        match = _SLOT.match(h)
        if match:
            slots.setdefault(int(match.group(2)), {})[match.group(1).lower()] = i
    responses = sorted(slot for slot, cols in slots.items() if "response" in cols)
    if not responses:
        raise ClasslabError(f"{path}: not a Moodle Responses download (no 'Response 1' column; download the quiz's "
                            "Responses report with 'Response' ticked, headings in English)")
    missing = [name for name in ("Surname", "First name", "State") if name.lower() not in columns]
    if missing:
        raise ClasslabError(f"{path}: not a Moodle Responses download (no {', '.join(repr(m) for m in missing)} "
                            "column)")
    grade = next((i for h, i in columns.items() if h.startswith("grade/")), None)

    def cell(row, i):
        return row[i].strip() if i is not None and i < len(row) else ""

    attempts, skipped, pending = [], 0, None
    for number, row in enumerate(table[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        identity = tuple(cell(row, columns.get(IDENTITY[k].lower())) for k in IDENTITY)
        if any(v.lower() == AVERAGE_ROW for v in identity[:2]):
            skipped += 1
            continue
        later_try = pending is not None and not pending.state and (
            not any(identity) or identity[:2] == pending.identity[:2])
        if later_try:
            identity = pending.identity  # "all tries": the attempt above goes on; its last try is graded
        elif not any(identity):
            raise ClasslabError(f"{path}: row {number} names no student")
        elif pending is not None:
            attempts.append(pending)
        pending = Attempt(*identity, state=cell(row, columns["state"]), grade=cell(row, grade),
                          responses={s: cell(row, slots[s]["response"]) for s in responses},
                          texts={s: cell(row, slots[s]["question"]) for s in responses if "question" in slots[s]},
                          typed=typed)
    if pending is not None:
        attempts.append(pending)
    if not attempts:
        raise ClasslabError(f"{path}: holds no attempt (only the heading row)")
    return Export(path, kind, responses, attempts, rows=len(table) - 1, skipped=skipped)
