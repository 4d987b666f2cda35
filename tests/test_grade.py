"""The instructor's loop closed: a class's Moodle Responses download graded against a run's key, numbers read as
Moodle reads them, one result per student, the pitfall behind each wrong number, safe outputs. The exports are
fakes made here, laid out as Moodle writes them (mod/quiz/report/responses); no real student's data."""

import csv
import hashlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classlab._key import MOODLE_FRACTIONS, build_key, read_number
from conftest import run_cli

HEAD = ["Surname", "First name", "Email address", "State", "Started on", "Completed", "Time taken", "Grade/4,00"]


# ----------------------------------------------------------------------------- numbers as Moodle reads them


def moodle_reading(response):
    """Moodle's qtype_numerical apply_units, written out here by hand: (value or None, unit)."""
    s = response.strip(" \t\n\r\0\x0b").replace(" ", "")
    s = re.sub(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)", r"e\1", s)
    s = s.replace(",", "") if "." in s or s.count(",") > 1 else s.replace(",", ".")
    digits = "0123456789"
    i = 1 if s[:1] in "+-" else 0
    start = i
    while i < len(s) and s[i] in digits:
        i += 1
    before = i - start
    after = 0
    if i < len(s) and s[i] == ".":
        j = i + 1
        while j < len(s) and s[j] in digits:
            j += 1
        after = j - i - 1
        if before or after:
            i = j
    if not before and not after:
        return None, s
    if i < len(s) and s[i] == "e":
        j = i + 1 + (s[i + 1:i + 2] in ("+", "-"))
        k = j
        while k < len(s) and s[k] in digits:
            k += 1
        if k > j:
            i = k
    return float(s[:i]), s[i:]


@pytest.mark.parametrize("typed,value", [
    ("0,544", 0.544), ("0.544", 0.544), (" 0.544 ", 0.544), ("1,234.5", 1234.5), ("1,234,567", 1234567.0),
    ("0,47", 0.47), ("-0,5", -0.5), (".5", 0.5), ("5.", 5.0), ("1 234", 1234.0), ("4,7e-1", 0.47),
    ("4.7x10^-1", 0.47), ("47%", 47.0), ("abc", None), ("", None), (",", None), ("e5", None),
])
def test_numbers_are_read_as_moodle_reads_them(typed, value):
    reading = read_number(typed)
    assert reading.value == value and moodle_reading(typed)[0] == value


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789.,+- eEXx*^×%a\t\n\x0c\xa0\u2003٣", max_size=14))
def test_reading_equals_moodles_rule_on_any_text(text):
    reading = read_number(text)
    assert (reading.value, reading.unit if reading.value is not None else None) == \
        (lambda v, u: (v, u if v is not None else None))(*moodle_reading(text))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(0, 6))
def test_a_number_written_with_a_decimal_comma_reads_as_itself(x, digits):
    text = f"{x:.{digits}f}"
    assert read_number(text.replace(".", ",")).value == read_number(text).value == float(text)


def test_short_answer_matches_as_moodles_wildcards():
    from classlab._key import moodle_wildcard_match

    pattern = "airplane*automobile*bird*cat*deer"
    for ok in ("airplane, automobile, bird, cat, deer", "Airplane automobile bird cat deer", " airplane;automobile;bird;cat;deer "):
        assert moodle_wildcard_match(ok, pattern), ok
    for bad in ("automobile, airplane, bird, cat, deer", "airplane, automobile, bird, cat", "xairplane automobile bird cat deer"):
        assert not moodle_wildcard_match(bad, pattern), bad
    # Moodle's escaped asterisk is a literal one, and a run of asterisks is one wildcard
    assert moodle_wildcard_match("a*b and c", r"a\*b*c") and not moodle_wildcard_match("aXb and c", r"a\*b*c")
    assert moodle_wildcard_match("a and c", "a***c")


# ----------------------------------------------------------------------------- the quiz's grades, as Moodle imports them


def _fractions(out):
    import xml.etree.ElementTree as ET

    xml = {float(a.get("fraction")) for a in ET.parse(out / "quiz.xml").getroot().iter("answer")}
    gift = {float(f) for f in re.findall(r"=%([0-9.]+)%", (out / "quiz.gift").read_text())}
    return xml, gift


def test_quiz_files_carry_only_fractions_moodle_imports(part2_key):
    out, _ = part2_key
    code, _, err = run_cli("key", out, "--corrected-credit", "33.33")
    assert code == 0, err
    xml, gift = _fractions(out)
    assert xml <= set(MOODLE_FRACTIONS) and gift <= set(MOODLE_FRACTIONS) and 33.33333 in xml and 33.33333 in gift


def test_a_credit_snaps_to_moodles_fraction_within_a_hundredth():
    from classlab.errors import ClasslabError
    from classlab._key import moodle_fraction

    assert moodle_fraction(0.01) == 0 and moodle_fraction(16.67) == 16.66667 and moodle_fraction(14.2857) == 14.28571
    with pytest.raises(ClasslabError):
        moodle_fraction(0.0101)


@pytest.mark.parametrize("credit", ["45", "101", "-5", "33.3"])
def test_other_credits_are_refused_with_the_list(part2_key, credit):
    out, _ = part2_key
    code, _, err = run_cli("key", out, "--corrected-credit", credit)
    listed = ", ".join(map(str, MOODLE_FRACTIONS))
    assert code == 2 and err == (f"classlab: error: --corrected-credit: {float(credit):g} is not a grade Moodle imports; "
                                 f"choose one of {listed}\n") and "66.66667, 60" in listed


# ----------------------------------------------------------------------------- the checker reads as Moodle does


def test_check_reads_decimal_commas_and_spaces(part2_key):
    out, doc = part2_key
    display = doc["answers"]["2.1"]["display"]
    for typed in (display, display.replace(".", ","), f" {display} "):
        code, stdout, err = run_cli("check", "--key", out, f"2.1={typed}")
        assert code == 0 and " yes " in stdout, (typed, stdout, err)
    code, stdout, _ = run_cli("check", "--key", out, "2.1=1,234.5")
    assert code == 1 and "matches none" in stdout.lower()


# ----------------------------------------------------------------------------- a class's export


def _ranges(doc, id):
    """(faithful, corrected) as sets of what rounds in, from answers.json alone: (lo, hi) or a set of values."""
    a = doc["answers"][id]
    step = 10.0 ** -a["digits"] if a["digits"] is not None else 1.0
    out = []
    for variant in ("faithful", "corrected"):
        r = (a.get("spread") or {}).get(variant)
        if r is None:
            out.append(None)
        elif "values" in r:
            out.append({float(v) for v in r["values"] if v != "none"})
        else:
            out.append((r["low"] - step / 2 - 1e-9, r["high"] + step / 2 + 1e-9))
    return out


def _inside(x, r):
    return x in r if isinstance(r, set) else r[0] <= x <= r[1]


def _corrected_only(doc, id):
    """A corrected-protocol display that the faithful range does not take, or None."""
    a = doc["answers"][id]
    faithful, corrected = _ranges(doc, id)
    for p in a["per_seed"]:
        c = p.get("corrected")
        if isinstance(c, (int, float)) and not isinstance(c, bool):
            shown = f"{c:.{a['digits']}f}" if a["digits"] is not None else str(c)
            if _inside(float(shown), corrected) and not _inside(float(shown), faithful):
                return shown
    return None


def moodle_csv(path, key, students, delimiter=",", encoding="utf-8-sig", texts=True):
    """A Responses download as Moodle writes it: identity, state, times, grade, then Question/Response/Right answer N."""
    head = list(HEAD)
    for i, _ in enumerate(key, start=1):
        head += ([f"Question {i}"] if texts else []) + [f"Response {i}", f"Right answer {i}"]
    rows = [head]
    for surname, first, email, state, answers in students:
        row = [surname, first, email, state, "1 December 2026 10:00 AM", "1 December 2026 10:40 AM", "40 mins", "2,50"]
        for q in key:
            row += ([q.text] if texts else []) + [answers.get(q.id, "-"), "-"]
        rows.append(row)
    rows.append(["Overall average", "", "", "", "", "", "", "2,10"] + [""] * (len(head) - len(HEAD)))
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
FORMULA = '=HYPERLINK("http://example.invalid/steal","click")'


@pytest.fixture(scope="module")
def class_export(part2_key, tmp_path_factory):
    out, doc = part2_key
    key = build_key(doc, out)
    a = doc["answers"]
    right = {id: a[id]["display"] for id in ("2.1", "2.3", "2.4")}
    comma = {id: v.replace(".", ",") for id, v in right.items()}
    corrected = dict(right, **{"2.3": _corrected_only(doc, "2.3")})
    assert corrected["2.3"] is not None, "the run must tell the protocols apart on 2.3"
    near = float(a["2.1"]["display"]) + 0.001
    wrong = {"2.1": f"{near:.3f}", "2.3": "0.0001", "2.4": "3"}
    students = [
        ("Weber", "Jonas", "jonas.weber@uni.example", "Finished", wrong),  # first attempt
        ("Schmidt", "Anna", "anna.schmidt@uni.example", "Finished", dict(comma, **{"2.2": "my figure"})),
        ("Weber", "Jonas", "jonas.weber@uni.example", "Finished", right),  # second attempt: better
        ("Keller", "Clara", "clara.keller@uni.example", "Finished", corrected),
        (HOSTILE, FORMULA, "mallory@uni.example", "Finished", {"2.1": "0.5", "2.3": "=1+1"}),
        ("Brandt", "Dan", "dan.brandt@uni.example", "In progress", {}),  # an unfinished attempt: all "-"
    ]
    folder = tmp_path_factory.mktemp("export")
    path = moodle_csv(folder / "responses.csv", key, students)
    return out, doc, key, path, students


def _graded(path, out, *extra):
    code, stdout, err = run_cli("grade", "--key", out, path, "--out", path.parent / "graded", "--force", *extra)
    assert code == 0, err
    return json.loads((path.parent / "graded" / "grades.json").read_text()), stdout


def _by_name(grades):
    return {s["surname"]: s for s in grades["students"]}


def test_one_entry_per_student_with_the_right_verdicts(class_export):
    out, doc, key, path, _ = class_export
    grades, stdout = _graded(path, out)
    students = _by_name(grades)
    assert sorted(students) == sorted(["Weber", "Schmidt", "Keller", HOSTILE, "Brandt"])  # no average row
    anna = students["Schmidt"]["answers"]
    assert {id: anna[id]["verdict"] for id in ("2.1", "2.3", "2.4")} == {"2.1": "accepted", "2.3": "accepted",
                                                                           "2.4": "accepted"}
    assert anna["2.1"]["response"] == doc["answers"]["2.1"]["display"].replace(".", ",")
    assert anna["2.1"]["value"] == float(doc["answers"]["2.1"]["display"])
    assert anna["2.2"]["verdict"] == "manual" and anna["2.2"]["points"] is None
    clara = students["Keller"]["answers"]["2.3"]
    assert clara["verdict"] == "corrected" and clara["pitfall"] == "seed-in-init" and "manual_seed(42)" in clara["feedback"]
    assert clara["points"] == 0
    jonas = students["Weber"]
    assert jonas["attempts"] == 2 and jonas["attempt"] == 2 and jonas["answers"]["2.3"]["verdict"] == "accepted"
    mallory = students[HOSTILE]["answers"]
    assert mallory["2.1"]["verdict"] == "no-match" and mallory["2.3"]["verdict"] == "invalid"
    dan = students["Brandt"]
    assert dan["state"] == "In progress" and dan["points"] == 0
    assert {a["verdict"] for a in dan["answers"].values()} == {"unanswered"}
    points = {q.id: q.points for q in key}
    assert students["Schmidt"]["points"] == pytest.approx(points["2.1"] + points["2.3"] + points["2.4"])
    assert students["Schmidt"]["max_points"] == pytest.approx(sum(points.values()))
    assert grades["pitfalls"]["seed-in-init"]["students"] == 1 and grades["pitfalls"]["seed-in-init"]["questions"]["2.3"] == 1
    assert "seed-in-init: 1 student(s), on 2.3" in stdout


def test_which_attempt_counts(class_export):
    out, _, _, path, _ = class_export
    first = _by_name(_graded(path, out, "--attempt", "first")[0])["Weber"]
    assert first["attempt"] == 1 and first["answers"]["2.1"]["verdict"] == "rounding"
    assert first["answers"]["2.4"]["verdict"] == "no-match"
    last = _by_name(_graded(path, out, "--attempt", "last")[0])["Weber"]
    assert last["attempt"] == 2 and last["points"] > first["points"]


def test_counts_and_facility_per_question(class_export):
    out, _, _, path, _ = class_export
    grades, _ = _graded(path, out)
    q = grades["questions"]["2.1"]
    verdicts = [s["answers"]["2.1"]["verdict"] for s in grades["students"]]
    assert q["counts"]["accepted"] == verdicts.count("accepted") and sum(q["counts"].values()) == len(verdicts)
    assert q["accepted_share"] == pytest.approx(verdicts.count("accepted") / len(verdicts))
    assert grades["mistakes"]["invalid"]["questions"] == {"2.3": 1}


def test_hostile_names_stay_data(class_export):
    out, _, _, path, _ = class_export
    _graded(path, out)
    folder = path.parent / "graded"
    page = (folder / "class.html").read_text()
    assert "<script>" not in page and "onerror=\"" not in page and "&lt;script&gt;" in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "http://" not in page.replace("http://example.invalid/steal", "")
    for name in ("grades.csv", "feedback.csv"):
        with open(folder / name, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert "'" + FORMULA in cells and FORMULA not in cells, name
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], name


def test_the_same_export_as_excel_json_and_a_semicolon_csv(class_export, tmp_path):
    """Moodle's other downloads, and a spreadsheet's re-save (semicolons, Windows-1252), grade alike."""
    from openpyxl import Workbook

    out, _, key, path, students = class_export
    reference = _graded(path, out)[0]["students"]
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    for r, row in enumerate(rows, start=1):  # as Moodle's Excel writer: numbers as numbers, text as text
        for c, value in enumerate(row, start=1):
            numeric = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", value)
            cell = book.active.cell(r, c, float(value) if numeric else value)
            if not numeric:
                cell.data_type = "s"  # never a formula, even for text starting with =
    book.save(tmp_path / "responses.xlsx")
    (tmp_path / "responses.json").write_text(json.dumps([[dict(zip(rows[0], r)) for r in rows[1:]]]))
    (tmp_path / "lists.json").write_text(json.dumps([rows]))
    plain = [s if s[0] != HOSTILE else ("Mallory", *s[1:]) for s in students]  # Windows-1252 has no emoji-free
    moodle_csv(tmp_path / "resaved.csv", key, plain, delimiter=";", encoding="cp1252")
    for name in ("responses.xlsx", "responses.json", "lists.json", "resaved.csv"):
        sub = tmp_path / name.replace(".", "-")
        sub.mkdir()
        (sub / name).write_bytes((tmp_path / name).read_bytes())
        grades = _graded(sub / name, out)[0]["students"]
        strip = lambda ss: [{k: v for k, v in s.items() if k != "surname"} for s in ss]  # noqa: E731
        if name == "resaved.csv":
            assert [s["surname"] for s in grades if s["surname"] == "Mallory"]
            grades = sorted(grades, key=lambda s: s["email"])
            assert strip(grades) == strip(sorted(reference, key=lambda s: s["email"])), name
        else:
            assert grades == reference, name


def test_all_tries_grade_the_last_try(class_export, tmp_path):
    """"Show all tries": one row per try, the identity on the first only, the state on the last."""
    out, doc, key, _, _ = class_export
    right = {id: doc["answers"][id]["display"] for id in ("2.1", "2.3", "2.4")}
    path = moodle_csv(tmp_path / "tries.csv", key, [("Lange", "Eva", "eva@uni.example", "", {"2.1": "0.1"}),
                                                    ("", "", "", "Finished", right)])
    (eva,) = _graded(path, out)[0]["students"]
    assert eva["surname"] == "Lange" and eva["attempts"] == 1 and eva["answers"]["2.1"]["verdict"] == "accepted"


def test_slots_by_order_and_by_flag(class_export, tmp_path):
    out, doc, key, _, students = class_export
    path = moodle_csv(tmp_path / "plain.csv", key, students[:2], texts=False)  # no Question N columns
    by_order = _by_name(_graded(path, out)[0])
    assert by_order["Schmidt"]["answers"]["2.1"]["verdict"] == "accepted"
    swapped = _by_name(_graded(path, out, "--slots", "2.1,2.2,2.4,2.3")[0])
    assert swapped["Schmidt"]["answers"]["2.3"]["response"] == by_order["Schmidt"]["answers"]["2.4"]["response"]
    skipped = _graded(path, out, "--slots", "2.1,-,-,-")[0]
    assert list(skipped["questions"]) == ["2.1"]


def test_anonymized_outputs_hold_no_name_or_email(class_export):
    out, _, _, path, students = class_export
    grades, _ = _graded(path, out, "--anonymize")
    folder = path.parent / "graded"
    texts = {name: (folder / name).read_text(encoding="utf-8-sig") for name in
             ("grades.json", "grades.csv", "feedback.csv", "class.html")}
    for surname, first, email, _, _ in students:
        for secret in {surname, first, email, surname.replace("<", "&lt;"), json.dumps(first)[1:-1]}:
            for name, text in texts.items():
                assert secret not in text, (secret, name)
    assert [s["surname"] for s in grades["students"]] == [f"Student {i}" for i in range(1, 6)]
    again, _ = _graded(path, out, "--anonymize")
    assert again["students"] == grades["students"]  # stable: the same download, the same pseudonyms
    from classlab._grade import pseudonymized

    plain, _ = _graded(path, out)
    drawn = pseudonymized(plain["students"], hashlib.sha256(path.read_bytes()).hexdigest())
    assert [s["answers"] for s in drawn] == [s["answers"] for s in grades["students"]]  # drawn from this file


def test_pseudonyms_do_not_follow_the_class_list():
    """Numbered in name order, "Student 01" would be the alphabetically first student: the numbers are drawn
    from the download's digest, so the same file gives the same pseudonyms and another file other ones."""
    from classlab._grade import pseudonymized

    def drawn(seed, order=range(40)):
        students = [{"surname": f"Name{i:02d}", "first_name": "F", "email": f"s{i}@uni.example", "row": i}
                    for i in order]
        return pseudonymized(students, seed)

    first = drawn("a1")
    assert [s["surname"] for s in first] == [f"Student {i:02d}" for i in range(1, 41)]
    assert {s["first_name"] for s in first} == {s["email"] for s in first} == {""}
    rows = [s["row"] for s in first]
    assert sorted(rows) == list(range(40)) and rows != list(range(40))
    assert [s["row"] for s in drawn("a1", reversed(range(40)))] == rows  # the export's row order does not matter
    assert [s["row"] for s in drawn("a2")] != rows


def test_python_api_and_notebook_display(class_export, tmp_path):
    import classlab

    out, _, _, path, _ = class_export
    grades = classlab.grade(out, path, out=tmp_path / "g")
    html = grades._repr_html_()
    assert "What the class got wrong" in html and "seed-in-init" in html and "&lt;script&gt;" not in html  # no names
    assert grades.paths["class.html"] == tmp_path / "g" / "class.html" and len(grades.students) == 5


# ----------------------------------------------------------------------------- bad input: one line, nothing written


@pytest.mark.parametrize("content,message", [
    (b"name,grade\nAnna,3\n", "not a Moodle Responses download (no 'Response 1' column"),
    (b"Response 1,Response 2\n0.5,8\n", "no 'Surname', 'First name', 'State' column"),
    (b"\xff\xfe\x00\xd8A\x00", "not readable text"),
    (b"\x00\x01\x02binary\x00", "not readable text"),
    (b"", "is empty"),
    (b"PK\x03\x04 not really a zip", "not a readable Excel file"),
    (b"[1, 2, 3]", "not a Moodle Responses download"),
    (b'{"a": ', "not valid JSON"),
])
def test_bad_exports_are_one_line(part2_key, tmp_path, content, message):
    out, _ = part2_key
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g")
    assert code == 2 and message in err and err.count("\n") == 1 and str(path) in err, err
    assert not (tmp_path / "g").exists()


def test_too_large_and_missing_files_and_keys(part2_key, class_export, tmp_path):
    out, _ = part2_key
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(51 << 20)  # sparse: the size says it all, nothing is read
    code, _, err = run_cli("grade", "--key", out, big, "--out", tmp_path / "g")
    assert code == 2 and "larger than any class's export" in err
    code, _, err = run_cli("grade", "--key", out, tmp_path / "missing.csv", "--out", tmp_path / "g")
    assert code == 2 and "no such file" in err
    code, _, err = run_cli("grade", "--key", tmp_path, class_export[3], "--out", tmp_path / "g")
    assert code == 2 and "no answers.json" in err
    assert not (tmp_path / "g").exists()


def test_a_graded_folder_is_not_overwritten_without_force(class_export, tmp_path):
    out, _, _, path, _ = class_export
    assert run_cli("grade", "--key", out, path, "--out", tmp_path / "g")[0] == 0
    code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g")
    assert code == 2 and "--force" in err


def test_default_folder_is_beside_the_export(class_export, tmp_path):
    out, _, _, path, _ = class_export
    copy = tmp_path / "ps10-responses.csv"
    copy.write_bytes(path.read_bytes())
    assert run_cli("grade", "--key", out, copy)[0] == 0
    assert sorted(p.name for p in (tmp_path / "ps10-responses-graded").iterdir()) == \
        ["class.html", "feedback.csv", "grades.csv", "grades.json"]


def test_a_slot_matching_no_question_is_one_line(class_export, tmp_path):
    out, _, key, _, students = class_export
    path = moodle_csv(tmp_path / "other.csv", key, students[:1])
    text = path.read_text(encoding="utf-8-sig").replace(key[0].text, "What is the capital of France?")
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g")
    assert code == 2 and "Question 1" in err and "--slots" in err and err.count("\n") == 1


def test_a_formula_in_a_spreadsheet_is_never_taken_for_text_or_run(class_export, tmp_path):
    """openpyxl gives a formula's cached value (none, for a file no spreadsheet has computed), never the formula."""
    from openpyxl import Workbook

    out, doc, key, _, _ = class_export
    path = moodle_csv(tmp_path / "one.csv", key, [("Lange", "Eva", "eva@uni.example", "Finished",
                                                   {"2.1": doc["answers"]["2.1"]["display"]})])
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[:2]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    response = rows[0].index("Response 3")
    book.active.cell(2, response + 1).value = "=0.596*1"  # a formula where 2.3's response was
    book.save(tmp_path / "formula.xlsx")
    (eva,) = _graded(tmp_path / "formula.xlsx", out)[0]["students"]
    assert eva["answers"]["2.3"]["response"] == "" and eva["answers"]["2.3"]["verdict"] == "unanswered"
    assert eva["answers"]["2.1"]["verdict"] == "accepted"


def test_json_nulls_are_empty_cells(class_export, tmp_path):
    out, doc, key, _, _ = class_export
    path = moodle_csv(tmp_path / "one.csv", key, [("Lange", "Eva", "eva@uni.example", "Finished",
                                                   {"2.1": doc["answers"]["2.1"]["display"]})])
    with open(path, encoding="utf-8-sig", newline="") as f:
        head, row = list(csv.reader(f))[:2]
    record = dict(zip(head, row)) | {"Response 3": None}
    (tmp_path / "nulls.json").write_text(json.dumps([[record]]))
    (eva,) = _graded(tmp_path / "nulls.json", out)[0]["students"]
    assert eva["answers"]["2.3"]["verdict"] == "unanswered" and eva["answers"]["2.3"]["response"] == ""


def test_question_texts_match_however_moodle_spaces_them(class_export, tmp_path):
    """Moodle's "Question N" cell is the question's text as plain text: its spaces and line breaks may differ."""
    import dataclasses

    out, doc, key, _, students = class_export
    spaced = [dataclasses.replace(q, text="  " + q.text.replace(" ", " \n ").upper() + " ") for q in key]
    path = moodle_csv(tmp_path / "spaced.csv", spaced, students[1:2])
    (anna,) = _graded(path, out)[0]["students"]
    assert [anna["answers"][id]["verdict"] for id in ("2.1", "2.3", "2.4")] == ["accepted"] * 3


def test_corrected_credit_reaches_the_points(class_export):
    out, doc, key, path, _ = class_export
    points = {q.id: q.points for q in key}
    shown = _corrected_only(doc, "2.3")
    for credit, words in (("0", "(no credit)"), ("50", "(50% credit)")):
        clara = _by_name(_graded(path, out, "--corrected-credit", credit)[0])["Keller"]["answers"]["2.3"]
        assert clara["verdict"] == "corrected" and clara["value"] == float(shown) and words in clara["feedback"]
        assert clara["points"] == pytest.approx(points["2.3"] * float(credit) / 100)
        assert clara["feedback"].startswith("Matches the corrected protocol, not the problem set's code")
