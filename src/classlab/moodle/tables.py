"""A Moodle download read into a table of cells: CSV, Excel (XLSX), OpenDocument (ODS) or JSON.

Every cell keeps the text Moodle wrote and how it was stored: ``text``; ``number`` where a spreadsheet stored it
as a number (the digits typed are lost: ``0.250`` reads back as 0.25); ``formula`` where Moodle's Excel writer
made a response that starts with ``=`` a live formula (its text is the formula, as typed; nothing evaluates it);
``lost`` where Moodle's ODS writer broke the cell of such a response (Moodle 4.5 writes ``<table:table-cell
table:style-name="ce1"`` and no more: the tag is never closed and the text is gone, and a lenient reader would
shift the rest of the row by one column). Nothing here runs code from the file.
"""

import csv
import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ClasslabError

MAX_BYTES = 50 << 20  # a class's download is a few hundred kB; anything near this is not one
MAX_UNPACKED = 10 * MAX_BYTES  # a spreadsheet is a zip: refuse a bomb before anything is unpacked
TEXT, NUMBER, FORMULA, LOST = "text", "number", "formula", "lost"
_LOST = "\ue000"  # a private-use character no download holds: the mark of a cell the ODS writer broke
_BROKEN_ODS_CELL = re.compile(r'(<table:table-cell\b(?:\s+[\w:.-]+="[^"<>]*")*)\s*(?=<)')


@dataclass(frozen=True)
class Cell:
    text: str
    kind: str = TEXT


@dataclass
class Table:
    path: Path
    format: str  # csv | xlsx | ods | json
    header: list  # the headings (a JSON download's keys, where ``keyed``)
    rows: list  # lists of Cell
    keyed: bool = False
    digest: str = ""  # the file's SHA-256
    notes: list = field(default_factory=list)  # what was repaired on the way in


def read_table(path):
    """The table of the download at ``path``; one clear line, naming the file, for anything else."""
    path = Path(path)
    try:
        if path.is_dir():
            raise ClasslabError(f"{path}: is a folder, not a Moodle download")
        size = path.stat().st_size
    except FileNotFoundError:
        raise ClasslabError(f"{path}: no such file") from None
    if size > MAX_BYTES:
        raise ClasslabError(f"{path}: is {size / (1 << 20):.0f} MB, larger than any class's download "
                            f"({MAX_BYTES >> 20} MB at most); not read")
    if size == 0:
        raise ClasslabError(f"{path}: is empty")
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        members = _zip_members(path, data)
        table = _ods(path, data) if "content.xml" in members and "xl/workbook.xml" not in members else \
            _xlsx(path, data)
    elif data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        table = _json(path, _text(path, data))
    else:
        table = _csv(path, _text(path, data))
    table.digest = hashlib.sha256(data).hexdigest()
    while table.rows and not any(c.text.strip() for c in table.rows[0]) and not table.keyed:
        table.rows.pop(0)
    if not table.keyed:
        if not table.rows:
            raise ClasslabError(f"{path}: is empty")
        table.header = [c.text.strip() for c in table.rows.pop(0)]
    return table


def _text(path, data):
    """The file's text: UTF-8 (with or without BOM), UTF-16 with its BOM, or Windows-1252 as Excel saves CSV."""
    encodings = ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\0" not in text:
            return text
    raise ClasslabError(f"{path}: not readable text (neither UTF-8, UTF-16 nor Windows-1252); download it from "
                        "Moodle again as CSV, Excel, ODS or JSON")


def _csv(path, text):
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = max(",;\t", key=lambda d: len(next(csv.reader([first], delimiter=d), [])))  # a re-save's `;`
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as err:
        raise ClasslabError(f"{path}: not a readable CSV file ({err})") from None
    return Table(path, "csv", [], [[Cell(c) for c in row] for row in rows])


def _zip_members(path, data):
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise ClasslabError(f"{path}: not a readable Excel or ODS file ({type(err).__name__})") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise ClasslabError(f"{path}: unpacks to {unpacked >> 20} MB, far more than any class's download; not read")
    return {i.filename for i in infos}


def _xlsx(path, data):
    from openpyxl import load_workbook

    try:
        # data_only=False: a formula cell gives the formula's text; openpyxl never evaluates a formula
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheets = book.worksheets
            rows = [[_xlsx_cell(c) for c in row] for row in sheets[0].iter_rows()] if sheets else None
        finally:
            book.close()
    except Exception as err:  # openpyxl raises what its zip and XML readers raise, a type per problem
        raise ClasslabError(f"{path}: not a readable Excel file ({type(err).__name__})") from None
    if rows is None:
        raise ClasslabError(f"{path}: the Excel file has no sheet")
    return Table(path, "xlsx", [], rows)


def _xlsx_cell(cell):
    value = getattr(cell, "value", None)
    if value is None:
        return Cell("")
    if getattr(cell, "data_type", None) == "f":
        return Cell(str(value), FORMULA)
    return _typed(value)


def _typed(value):
    """A cell of a typed value (a spreadsheet's or JSON's)."""
    if isinstance(value, bool):
        return Cell(str(value).lower())
    if isinstance(value, (int, float)):
        return Cell(str(int(value)) if float(value).is_integer() else repr(float(value)), NUMBER)
    return Cell(str(value))


def _ods(path, data):
    from python_calamine import CalamineWorkbook

    data, repaired = _repaired_ods(path, data)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as err:  # calamine raises its own error types, one per problem
        raise ClasslabError(f"{path}: not a readable ODS file ({type(err).__name__})") from None
    cells = [[Cell("", LOST) if v == _LOST else Cell("") if v == "" else _typed(v) for v in row] for row in rows]
    notes = [f"{repaired} cell(s) of this ODS download lost their text: Moodle's ODS writer breaks a response "
             "that starts with '=' (the CSV and Excel downloads keep it)"] if repaired else []
    return Table(path, "ods", [], cells, notes=notes)


def _repaired_ods(path, data):
    """The ODS file with each cell that Moodle's writer left unclosed closed again, holding the lost mark."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        try:
            content = z.read("content.xml").decode("utf-8")
        except (KeyError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as err:
            raise ClasslabError(f"{path}: not a readable ODS file ({type(err).__name__})") from None
        fixed, n = _BROKEN_ODS_CELL.subn(
            rf'\1 office:value-type="string"><text:p>{_LOST}</text:p></table:table-cell>', content)
        if not n:
            return data, 0
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as w:
            for info in z.infolist():
                w.writestr(info, fixed.encode("utf-8") if info.filename == "content.xml" else z.read(info))
    return out.getvalue(), n


def _json(path, text):
    try:
        data = json.loads(text)
    except ValueError as err:
        raise ClasslabError(f"{path}: not valid JSON ({err})") from None
    # Moodle writes a list of sheets, each a list of records; accept one sheet, or records alone.
    if isinstance(data, list) and data and all(isinstance(sheet, list) for sheet in data) and \
            all(isinstance(r, (dict, list)) for r in data[0]):
        data = data[0]
    if not isinstance(data, list) or not data:
        raise ClasslabError(f"{path}: not a Moodle download (expected a list of rows)")
    if all(isinstance(r, dict) for r in data):
        header = list(data[0])
        return Table(path, "json", header, [[_json_cell(r.get(h)) for h in header] for r in data], keyed=True)
    if all(isinstance(r, list) for r in data):
        return Table(path, "json", [], [[_json_cell(v) for v in r] for r in data])
    raise ClasslabError(f"{path}: not a Moodle download (rows must all be objects or all be lists)")


def _json_cell(value):
    if value is None:
        return Cell("")
    if isinstance(value, (list, dict)):
        return Cell(json.dumps(value))
    return _typed(value)
