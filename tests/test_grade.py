"""The instructor's loop closed: a class's Moodle Responses download graded against a run's key, numbers read as
Moodle reads them, one result per student, the pitfall behind each wrong number, safe outputs. The exports are
fakes made here, laid out as Moodle writes them (mod/quiz/report/responses); no real student's data."""

import csv
import hashlib
import json
import re

import pytest

from classlab._grade import ATTEMPTS
from classlab._key import build_key
from classlab.errors import ClasslabError
from classlab.moodle.grading import FRACTIONS as MOODLE_FRACTIONS
from conftest import keyed_copy, run_cli

# Moodle 4.5's English headings (tests/moodle/class-en holds a real download)
HEAD = ["Last name", "First name", "Email address", "Status", "Started", "Completed", "Duration", "Grade/4.00"]


# ----------------------------------------------------------------------------- the quiz's grades, as Moodle imports them


def _fractions(out):
    import xml.etree.ElementTree as ET

    xml = {float(a.get("fraction")) for a in ET.parse(out / "quiz.xml").getroot().iter("answer")}
    gift = {float(f) for f in re.findall(r"=%([0-9.]+)%", (out / "quiz.gift").read_text())}
    return xml, gift


def test_quiz_files_carry_only_fractions_moodle_imports(part2_key, tmp_path):
    out = keyed_copy(part2_key[0], tmp_path / "run")
    code, _, err = run_cli("key", out, "--corrected-credit", "33.33")
    assert code == 0, err
    xml, gift = _fractions(out)
    assert xml <= set(MOODLE_FRACTIONS) and gift <= set(MOODLE_FRACTIONS) and 33.33333 in xml and 33.33333 in gift


@pytest.mark.parametrize("credit", ["45", "101", "-5", "33.3"])
def test_other_credits_are_refused_with_the_list(part2_key, credit):
    out, _ = part2_key
    code, _, err = run_cli("key", out, "--corrected-credit", credit)
    listed = ", ".join(map(str, MOODLE_FRACTIONS))
    assert code == 2 and err == (f"classlab: error: --corrected-credit: {float(credit):g} is not a grade Moodle imports; "
                                 f"choose one of {listed}\n") and "66.66667, 60" in listed


# ----------------------------------------------------------------------------- the checker reads as Moodle does


def test_check_reads_as_the_students_language(part2_key):
    out, doc = part2_key
    display = doc["answers"]["2.1"]["display"]
    for typed, lang in ((display, None), (f" {display} ", None), (display.replace(".", ","), "de"),
                        (display.replace(".", ","), "fr"), (display, "de")):
        code, stdout, err = run_cli("check", "--key", out, f"2.1={typed}", *(["--lang", lang] if lang else []))
        assert code == 0 and " yes " in stdout, (typed, stdout, err)
    code, stdout, _ = run_cli("check", "--key", out, f"2.1={display.replace('.', ',')}", "--lang", "en")
    assert code == 1 and " no " in stdout and "Moodle read 0,544 as 544" in stdout  # a separator slip, named
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
        row = [surname, first, email, state, "1 December 2026  10:00 AM", "1 December 2026  10:40 AM", "40 mins", "-"]
        for q in key:
            row += ([q.text] if texts else []) + [answers.get(q.id, "-"), "-"]
        rows.append(row)
    rows.append(["Overall average", "", "", "", "", "", "", "2.10"] + [""] * (len(head) - len(HEAD)))
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
FORMULA = '=HYPERLINK("http://example.invalid/steal","click")'


@pytest.fixture(scope="module")
def class_export(part2_keyed, tmp_path_factory):
    out, doc = part2_keyed
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
    """The fake class grades with --lang de: its students' Moodle read the decimal comma (Anna's 0,544)."""
    code, stdout, err = run_cli("grade", "--key", out, path, "--out", path.parent / "graded", "--force", "--lang", "de",
                                *extra)
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
    assert {a["verdict"] for a in dan["answers"].values()} == {"in-progress"}  # not "unanswered": Moodle hides them
    assert {a["points"] for a in dan["answers"].values()} == {None}
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
    judged = [v for v in verdicts if v != "in-progress"]  # an attempt in progress has no answer to judge yet
    assert q["accepted_share"] == pytest.approx(verdicts.count("accepted") / len(judged)) and len(judged) < len(verdicts)
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
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and c != "-"], name
        assert "'-" not in cells, name  # a lone '-' (no answer) runs nothing: left as Moodle wrote it


def test_the_same_export_as_excel_json_and_a_semicolon_csv(class_export, tmp_path):
    """Moodle's other downloads, and a spreadsheet's re-save (semicolons, Windows-1252), grade alike."""
    from openpyxl import Workbook

    out, _, key, path, students = class_export
    reference = _graded(path, out)[0]["students"]
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    book = Workbook()
    for r, row in enumerate(rows, start=1):  # as a spreadsheet re-saves it: numbers as numbers, text as text
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


def test_the_same_name_with_two_emails_is_two_students(class_export, tmp_path):
    out, doc, key, _, _ = class_export
    right = {id: doc["answers"][id]["display"] for id in ("2.1", "2.3", "2.4")}
    path = moodle_csv(tmp_path / "twins.csv", key, [("Schmidt", "Anna", "anna.schmidt@uni.example", "Finished", right),
                                                    ("Schmidt", "Anna", "anna.schmidt2@uni.example", "Finished", {})])
    students = _graded(path, out)[0]["students"]
    assert [(s["email"], s["attempts"]) for s in students] == [("anna.schmidt2@uni.example", 1),
                                                               ("anna.schmidt@uni.example", 1)]
    assert sorted(s["points"] for s in students) == [0.0, 3.0]


def test_best_is_the_best_attempt_not_the_last(class_export, tmp_path):
    """Without Moodle's grades, "best" is the attempt with the most points: here the first; "last" the second."""
    out, doc, key, _, _ = class_export
    right = {id: doc["answers"][id]["display"] for id in ("2.1", "2.3", "2.4")}
    path = moodle_csv(tmp_path / "worse.csv", key, [("Lange", "Eva", "eva@uni.example", "Finished", right),
                                                    ("Lange", "Eva", "eva@uni.example", "Finished", {"2.1": "0.1"})])
    for attempt, chosen, why in (("best", 1, "the highest of classlab's points"), ("last", 2, "the last finished"),
                                 ("first", 1, "the first finished")):
        (eva,) = _graded(path, out, "--attempt", attempt)[0]["students"]
        assert (eva["attempt"], eva["attempts"]) == (chosen, 2) and why in eva["why"], attempt


def test_an_unfinished_attempt_never_counts_beside_a_finished_one(class_export, tmp_path):
    out, doc, key, _, _ = class_export
    right = {id: doc["answers"][id]["display"] for id in ("2.1", "2.3", "2.4")}
    path = moodle_csv(tmp_path / "running.csv", key, [("Lange", "Eva", "eva@uni.example", "Finished", {"2.1": "0.1"}),
                                                      ("Lange", "Eva", "eva@uni.example", "In progress", right)])
    for attempt in ATTEMPTS:
        (eva,) = _graded(path, out, "--attempt", attempt)[0]["students"]
        assert (eva["attempt"], eva["state"], eva["points"]) == (1, "Finished", 0.0), attempt
        assert eva["why"] in ("the only finished attempt", "the first finished attempt", "the last finished attempt")
        assert [h["state"] for h in eva["history"]] == ["Finished", "In progress"]


def test_every_cell_a_spreadsheet_would_run_is_guarded():
    """OWASP's rule: a leading =, +, -, @, tab or carriage return (and their full-width forms) gets a '."""
    from classlab._report.grades import csv_safe

    for start in ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"):
        assert csv_safe(f"{start}SUM(A1)") == f"'{start}SUM(A1)", repr(start)
    assert csv_safe("0.5") == "0.5" and csv_safe(0.5) == 0.5 and csv_safe("a=b") == "a=b"


def test_names_and_answers_starting_a_formula_are_guarded_in_the_files(class_export, tmp_path):
    out, _, key, _, _ = class_export
    path = moodle_csv(tmp_path / "at.csv", key, [("@SUM(1+1)", "+Ulf", "-ulf@uni.example", "Finished", {"2.1": "@1"})])
    _graded(path, out)
    for name in ("grades.csv", "feedback.csv"):
        with open(tmp_path / "graded" / name, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert "'@SUM(1+1)" in cells and "'+Ulf" in cells and "'-ulf@uni.example" in cells, name
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and c != "-"], name


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
    import classlab

    as_list = classlab.grade(out, path, tmp_path / "api", slots=["2.1", "2.2", "2.4", "2.3"], lang="de")
    assert _by_name(as_list.doc)["Schmidt"]["answers"]["2.3"]["response"] == \
        swapped["Schmidt"]["answers"]["2.3"]["response"]
    for slots, message in (("2.1,9.9,2.4,2.3", "--slots: 9.9 not in the key (it answers 2.1, 2.2, 2.3, 2.4)"),
                           ("2.1,2.2", f"--slots: 2 ids for the 4 responses of {path}")):
        code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g", "--slots", slots)
        assert code == 2 and err.strip().endswith(message) and err.count("\n") == 1, err
    fewer = moodle_csv(tmp_path / "fewer.csv", key[:3], students[:2], texts=False)
    code, _, err = run_cli("grade", "--key", out, fewer, "--out", tmp_path / "g")
    assert code == 2 and err.strip().endswith(
        f"{fewer}: 3 responses per attempt, but the key has 4 questions and the download has no 'Question N' columns "
        "to tell them apart; map the slots with --slots 1.1,1.2,... ('-' skips one)"), err
    assert not (tmp_path / "g").exists()


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
    (b"name,grade\nAnna,3\n", "not a Moodle Responses download in any language classlab knows (headings found: "
                              "'name', 'grade')"),
    (b"Response 1,Response 2\n0.5,8\n", "headings found: 'Response 1', 'Response 2'); download it again with "
                                        "Moodle's interface in English"),
    (b"\xff\xfe\x00\xd8A\x00", "not readable text"),
    (b"\x00\x01\x02binary\x00", "not readable text"),
    (b"", "is empty"),
    (b"PK\x03\x04 not really a zip", "not a readable Excel or ODS file"),
    (b"[1, 2, 3]", "not a Moodle download"),
    (b'{"a": ', "not valid JSON"),
])
def test_bad_exports_are_one_line(part2_keyed, tmp_path, content, message):
    out, _ = part2_keyed
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g")
    assert code == 2 and message in err and err.count("\n") == 1 and str(path) in err, err
    assert not (tmp_path / "g").exists()


def test_too_large_and_missing_files_and_keys(part2_keyed, class_export, tmp_path):
    out, _ = part2_keyed
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(51 << 20)  # sparse: the size says it all, nothing is read
    code, _, err = run_cli("grade", "--key", out, big, "--out", tmp_path / "g")
    assert code == 2 and "larger than any class's download" in err
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
    (tmp_path / "file").write_text("not a folder")
    for force in ((), ("--force",)):
        code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "file", *force)
        assert code == 2 and err.strip().endswith("file: --out exists and is not a folder"), err
    assert (tmp_path / "file").read_text() == "not a folder"


def test_default_folder_is_beside_the_export(class_export, tmp_path):
    out, _, _, path, _ = class_export
    copy = tmp_path / "ps10-responses.csv"
    copy.write_bytes(path.read_bytes())
    assert run_cli("grade", "--key", out, copy)[0] == 0
    assert sorted(p.name for p in (tmp_path / "ps10-responses-graded").iterdir()) == \
        ["class.html", "feedback.csv", "grades.csv", "grades.json", "remarks.csv"]


def test_a_slot_matching_no_question_is_one_line(class_export, tmp_path):
    out, _, key, _, students = class_export
    path = moodle_csv(tmp_path / "other.csv", key, students[:1])
    text = path.read_text(encoding="utf-8-sig").replace(key[0].text, "What is the capital of France?")
    path.write_text(text, encoding="utf-8")
    code, _, err = run_cli("grade", "--key", out, path, "--out", tmp_path / "g")
    assert code == 2 and "Question 1" in err and "--slots" in err and err.count("\n") == 1


def test_a_formula_in_a_spreadsheet_is_the_text_typed_and_never_run(class_export, tmp_path):
    """Moodle's Excel writer makes a response that starts with = a live formula: it is what the student typed (Moodle
    read it as no number), never evaluated (0.596 would be accepted)."""
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
    assert eva["answers"]["2.3"]["response"] == "=0.596*1" and eva["answers"]["2.3"]["verdict"] == "invalid"
    assert eva["answers"]["2.3"]["value"] is None and eva["answers"]["2.1"]["verdict"] == "accepted"


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


def test_the_python_api_keeps_names_and_refuses_to_overwrite_by_default(class_export, tmp_path):
    """``classlab.grade`` takes the CLI's defaults: names kept (anonymizing is asked for), the best attempt, and an
    existing grading folder refused without ``force=True``."""
    import classlab

    out, _, _, path, _ = class_export
    graded = classlab.grade(out, path, tmp_path / "g")
    assert graded.doc["anonymized"] is False and graded.doc["attempt"] == "best"
    assert "Weber" in {s["surname"] for s in graded.students}
    with pytest.raises(ClasslabError, match="--force"):
        classlab.grade(out, path, tmp_path / "g")
    assert classlab.grade(out, path, tmp_path / "g", force=True, anonymize=True).doc["anonymized"] is True
