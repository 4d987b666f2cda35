"""Moodle's marks are the judge: the real class's downloads (tests/moodle/class-en, attempts in English) graded by
classlab give the mark a real Moodle 4.5 gave every auto-graded answer (moodle-marks.json, read from its database);
read with another language's separators, the differences are listed with their reason; a class whose attempts ran
in German is graded as Moodle's German rule grades it; the key remembers its options; the separator slips."""

import csv
import functools
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import run_cli
from test_moodle import CLASS, MOODLE, RESPONSES, moodle_apply_units

MARKS = json.loads((CLASS / "moodle-marks.json").read_text(encoding="utf-8"))
FINISHED = [a for a in MARKS["attempts"] if a["state"] == "finished"]
AUTO = [id for id in MARKS["slots"] if id != "2.2"]  # 2.2, the figure, waits for a teacher


@pytest.fixture(scope="module")
def real_key(tmp_path_factory):
    """The key Moodle's quiz was made from (tests/moodle/key/answers.json), re-keyed as the instructor did."""
    folder = tmp_path_factory.mktemp("real") / "key"
    folder.mkdir()
    shutil.copy(MOODLE / "key" / "answers.json", folder)
    code, _, err = run_cli("key", folder, "--corrected-credit", "50")
    assert code == 0, err
    return folder


def graded(key, tmp_path, *files, lang=None, extra=()):
    out = tmp_path / "graded"
    args = ["grade", "--key", key, *files, "--out", out, "--force", *extra] + (["--lang", lang] if lang else [])
    code, stdout, err = run_cli(*args)
    assert code == 0, err
    return json.loads((out / "grades.json").read_text()), stdout


def points_of(doc):
    """classlab's points per (user, attempt) and auto-graded question, every attempt of every student."""
    return {(s["email"].split("@")[0], h["attempt"]): {id: h["answers"][id]["points"] for id in AUTO}
            for s in doc["students"] for h in s["history"]}


def moodle_points():
    return {(a["user"], a["attempt"]): {id: a["slots"][id]["mark"] or 0.0 for id in AUTO} for a in FINISHED}


# ----------------------------------------------------------------------------- Moodle's German rule, as an oracle


@functools.cache
def imported_answers():
    """The numerical answers Moodle imported (tests/moodle/key/quiz.xml): {question id: [(fraction, answer,
    tolerance)]}, in Moodle's order."""
    out = {}
    for q in ET.parse(MOODLE / "key" / "quiz.xml").getroot().findall("question"):
        if q.get("type") == "numerical":
            id = q.find("name/text").text.split(":")[0].removeprefix("PS10 ")
            out[id] = [(float(a.get("fraction")) / 100, a.find("text").text, float(a.find("tolerance").text))
                       for a in q.findall("answer")]
    return out


def moodle_mark(id, typed, decsep, thousandssep):
    """What Moodle gives ``typed`` for the numerical question ``id`` on an attempt with these separators: the first
    answer whose interval (answer +- (tolerance + 1e-14 * max(1, |answer|))) holds the number; '*' holds all."""
    value, _ = moodle_apply_units(typed, decsep, thousandssep)
    max_mark = next(a["slots"][id]["max"] for a in FINISHED)
    if typed.strip() == "":
        return 0.0
    for fraction, answer, tolerance in imported_answers()[id]:
        if answer == "*":
            return fraction * max_mark
        slack = tolerance + 1e-14 * max(1.0, abs(float(answer)))
        if value is not None and float(answer) - slack <= value <= float(answer) + slack:
            return fraction * max_mark
    return 0.0


def oracle(decsep, thousandssep):
    """Every finished attempt's marks on a Moodle whose attempts read numbers with these separators: the numerical
    questions by Moodle's rule above, the others as the real Moodle marked them (no separator touches them)."""
    numerical = imported_answers()
    return {(a["user"], a["attempt"]): {id: moodle_mark(id, a["slots"][id]["typed"], decsep, thousandssep)
                                        if id in numerical else a["slots"][id]["mark"] or 0.0 for id in AUTO}
            for a in FINISHED}


def test_the_oracle_gives_the_real_moodles_marks():
    """Proof of the oracle itself: with English separators it is the real Moodle, mark for mark."""
    assert oracle(".", ",") == moodle_points()


def test_the_rekeyed_quiz_is_the_one_moodle_imported(real_key, tmp_path):
    """Without separator slips, classlab key writes the answers Moodle imported, every one."""
    shutil.copy(real_key / "answers.json", tmp_path)
    assert run_cli("key", tmp_path, "--corrected-credit", "50", "--separator-slips", "off")[0] == 0

    def answers(path):
        return [(q.find("name/text").text, [(a.get("fraction"), a.find("text").text, a.findtext("tolerance"),
                                             a.find("feedback/text").text) for a in q.findall("answer")])
                for q in ET.parse(path).getroot().findall("question")[1:]]

    assert answers(tmp_path / "quiz.xml") == answers(MOODLE / "key" / "quiz.xml")


# ----------------------------------------------------------------------------- the English class


@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_every_download_is_graded_as_moodle_marked_it(real_key, tmp_path, path):
    """The issue's "done when": --lang en on each of the eight Responses files gives Moodle's mark for every
    auto-graded answer of every finished attempt (99 answers), and the Grade column agrees."""
    doc, stdout = graded(real_key, tmp_path, path, lang="en")
    ours = points_of(doc)
    assert {k: ours[k] for k in moodle_points()} == moodle_points()
    assert sum(len(v) for v in moodle_points().values()) == 99
    m = doc["moodle"]
    assert (m["per"], m["compared"], m["agree"], m["differences"]) == ("attempt", 5, 5, [])
    assert doc["reading"]["lang"] == "en" and doc["reading"]["from"] == "--lang"
    assert "Numbers read as a Moodle attempt in 'en' reads them" in stdout
    students = {s["first_name"]: s for s in doc["students"]}
    hana = students["Hana"]["answers"]
    if path.suffix == ".ods":
        assert hana["2.2"]["response"] == "" and "ODS writer" in hana["2.2"]["lost"]
    else:  # her 2.2 text, as typed: a live formula in Excel, never evaluated
        assert hana["2.2"]["response"] == '=HYPERLINK("x")' and "lost" not in hana["2.2"]
    assert hana["2.2"]["verdict"] == "manual" and hana["1.4"]["verdict"] == "digits"  # 0.270: the digits kept
    finn = students["Finn"]
    assert finn["state"] in ("In progress", "In Bearbeitung") and doc["questions"]["1.4"]["counts"]["in-progress"] == 1
    assert {a["verdict"] for a in finn["answers"].values()} == {"in-progress"}  # in progress, not unanswered
    eve = students["Eve"]
    assert (eve["attempts"], eve["attempt"], eve["points"]) == (2, 1, 2.5)  # Moodle's highest grade skips attempt 2
    assert eve["why"].startswith("Moodle's highest grade: attempt 1, 2") and "attempt 2 has no grade yet" in eve["why"]


@pytest.mark.parametrize("ui", ["en", "de"])
def test_the_grades_download_is_compared_answer_by_answer(real_key, tmp_path, ui):
    doc, _ = graded(real_key, tmp_path, CLASS / f"responses-ui-{ui}.xlsx", CLASS / f"grades-ui-{ui}.json", lang="en")
    m = doc["moodle"]
    assert (m["per"], m["compared"], m["agree"], m["differences"]) == ("answer", 99, 99, [])
    assert m["source"] == f"the Grades download grades-ui-{ui}.json"


def test_read_the_german_way_the_comma_answers_are_listed_with_their_reason(real_key, tmp_path):
    """--lang de on the English class: each answer whose reading changes is a difference from Moodle's mark, with
    the reason (the separators), and --lang en is named as the reading under which they all disappear."""
    expected = {(user, attempt, id) for (user, attempt), marks in moodle_points().items() for id, mark in marks.items()
                if oracle(",", ".")[(user, attempt)][id] != mark}
    assert len(expected) == 9  # Chloé's five decimal commas, Gus's 803,786, Ivan's 0,27, 222,346 and 0,33
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv", lang="de")
    m = doc["moodle"]
    got = {(d["student"], d["attempt"], d["question"]) for d in m["differences"]}
    users = {f"{s['surname']}, {s['first_name']}": s["email"].split("@")[0] for s in doc["students"]}
    assert {(users[s], a, q) for s, a, q in got} == expected
    assert {d["reason"] for d in m["differences"]} == {"separators"} and m["use_lang"] == "en"
    assert (m["compared"], m["agree"]) == (99, 90) and "Every difference disappears with --lang en" in stdout
    chloe = next(d for d in m["differences"] if d["question"] == "1.4" and d["response"] == "0,27" and
                 d["student"].startswith("Müller"))
    assert (chloe["classlab"], chloe["moodle"]) == (1.0, 0.0)
    by_column, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="de")  # the Grade column alone
    assert by_column["moodle"]["use_lang"] == "en" and {d["reason"] for d in by_column["moodle"]["differences"]} == \
        {"separators"} and len(by_column["moodle"]["differences"]) == 2  # Gus's and Ivan's graded attempts


def test_the_language_of_the_headings_is_the_default_reading(real_key, tmp_path):
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-de.csv")
    assert doc["reading"] == {"lang": "de", "from": "the download's headings (de (Moodle 4.5))",
                              "separators": {"decimal": ",", "thousands": "."}}
    assert doc["moodle"]["use_lang"] == "en" and "--lang en" in stdout  # and it says which --lang to use


# ----------------------------------------------------------------------------- a class whose attempts ran in German


def test_a_german_class_is_graded_as_moodle_grades_german_attempts(real_key, tmp_path):
    """The same students' answers on attempts that ran in German: Moodle's German rule (the oracle) gives each
    answer its mark; the download's Grade column holds the German attempts' grades (as that Moodle would)."""
    german = oracle(",", ".")
    assert german != moodle_points()  # the readings really differ on this class
    with open(CLASS / "responses-ui-de.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    seen = {}
    for row in rows[1:]:
        user = row[2].split("@")[0]
        seen[user] = seen.get(user, 0) + 1
        if (user, seen[user]) in german and row[7] not in ("-", "Bisher nicht bewertet"):
            row[7] = f"{sum(german[(user, seen[user])].values()):.2f}".replace(".", ",")
    path = tmp_path / "german-class.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    doc, _ = graded(real_key, tmp_path, path, lang="de")
    ours = points_of(doc)
    assert {k: ours[k] for k in german} == german
    assert doc["moodle"]["differences"] == [] and doc["moodle"]["agree"] == doc["moodle"]["compared"] == 5
    english, _ = graded(real_key, tmp_path, path, lang="en")
    assert english["moodle"]["use_lang"] == "de" and english["moodle"]["differences"]


# ----------------------------------------------------------------------------- attempts, states, formulas


def test_the_formula_cell_is_safe_in_every_output(real_key, tmp_path):
    graded(real_key, tmp_path, CLASS / "responses-ui-en.xlsx", lang="en")
    for name in ("grades.csv", "feedback.csv"):
        with open(tmp_path / "graded" / name, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], name
    assert "'=HYPERLINK(\"x\")" in cells or "'=HYPERLINK" in (tmp_path / "graded" / "grades.csv").read_text()


# ----------------------------------------------------------------------------- separators to review


def test_the_trap_is_named_for_the_instructor_and_the_student(real_key, tmp_path):
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="en")
    chloe = next(s for s in doc["students"] if s["first_name"] == "Chloé")
    slip = chloe["answers"]["1.4"]["separator"]
    assert (slip["kind"], slip["read_as"], slip["points"]) == ("cost", 27.0, 0.0)
    assert (slip["other"]["value"], slip["other"]["verdict"], slip["other"]["points"]) == (0.27, "accepted", 1.0)
    assert "Moodle read 0,27 as 27" in slip["note"] and "Type 0.27" in slip["note"]
    gus = next(s for s in doc["students"] if s["first_name"] == "Gus")["answers"]["1.3"]["separator"]
    assert (gus["kind"], gus["points"], gus["other"]["points"]) == ("gain", 1.0, 0.0)
    page = (tmp_path / "graded" / "class.html").read_text()
    assert 'id="separators"' in page and "0,27" in page and "lost marks" in page
    with open(tmp_path / "graded" / "feedback.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r[1]: r[-1] for r in csv.reader(f)}
    assert "Moodle read 0,27 as 27" in rows["Chloé"] and "Type 0.27" in rows["Chloé"]
    assert "Separators to review: 9 answer(s)" in stdout


# ----------------------------------------------------------------------------- the key remembers; check --json


def test_the_key_remembers_its_options(real_key, tmp_path):
    """key.json: check and grade give the corrected credit of --corrected-credit 50 without the flag; a flag given
    still wins, and the output says so."""
    assert json.loads((real_key / "key.json").read_text()) == {"corrected_credit": 50, "separator_slips": "feedback"}
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", "en", "1.7=0.33")
    assert code == 1 and "(50% credit)" in stdout
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", "en", "--json", "1.7=0.33")
    assert json.loads(stdout)[0]["credit"] == 0.5
    code, stdout, err = run_cli("check", "--key", real_key, "--lang", "en", "--corrected-credit", "0", "1.7=0.33")
    assert "(no credit)" in stdout and "--corrected-credit 0 given: the key in" in stdout and "written with 50" in stdout
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="en")
    assert doc["key"]["corrected_credit"] == 50
    bold = next(s for s in doc["students"] if s["email"].startswith("bold"))
    assert bold["answers"]["1.7"]["points"] == 0.25 and bold["answers"]["1.7"]["verdict"] == "corrected"
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="en", extra=["--corrected-credit", "0"])
    assert "--corrected-credit 0 given" in stdout and doc["key"]["notes"]


def test_check_help_lists_every_option():
    import contextlib
    import io

    from classlab._cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        main(["check", "--help"])
    for option in ("--key", "--answers", "--lang", "--json", "--corrected-credit", "--separator-slips"):
        assert option in out.getvalue(), option


def test_check_json_is_only_json(real_key):
    """The issue's case: three JSON verdicts, the second invalid, the third with credit 0 and value 27."""
    code, stdout, err = run_cli("check", "--key", real_key, "--lang", "en", "--json", "1.1=5", "1.3=abc", "1.4=0,27")
    first, second, third = json.loads(stdout)
    assert code == 1 and err == ""
    assert {k: first[k] for k in ("id", "typed", "value", "credit", "verdict")} == \
        {"id": "1.1", "typed": "5", "value": 5.0, "credit": 1.0, "verdict": "accepted"}
    assert (second["verdict"], second["credit"], second["value"]) == ("invalid", 0.0, None)
    assert (third["value"], third["credit"], third["verdict"]) == (27.0, 0.0, "separator") and "0,27" in third["feedback"]
    assert set(first) == {"id", "typed", "value", "credit", "verdict", "feedback"}


def test_check_without_lang_says_both_readings(real_key):
    code, stdout, _ = run_cli("check", "--key", real_key, "1.4=0,27")
    assert code == 1 and "Depends on the students' Moodle language" in stdout
    assert "On an English-language" in stdout and "it is 27" in stdout and "On a German-language" in stdout
    assert "Type 0.27, which every language reads alike" in stdout
    code, stdout, _ = run_cli("check", "--key", real_key, "--json", "1.4=0,27", "1.6=0.31")
    both, plain = json.loads(stdout)
    assert both["credit"] == 0.0 and both["type_instead"] == "0.27" and len(both["readings"]) >= 2
    assert "readings" not in plain and plain["credit"] == 1.0 and code == 1


@pytest.mark.parametrize("mode,verdict,credit", [("credit", "separator", 1.0), ("feedback", "separator", 0.0),
                                                 ("off", "no-match", 0.0)])
def test_separator_slips_in_the_key_check_and_grade(real_key, tmp_path, mode, verdict, credit):
    """quiz.xml holds the slip answers only where no genuine answer can be read so; check and grade judge with
    them as Moodle would."""
    key = tmp_path / "key"
    key.mkdir()
    shutil.copy(real_key / "answers.json", key)
    assert run_cli("key", key, "--corrected-credit", "50", "--separator-slips", mode)[0] == 0
    questions = {q.find("name/text").text.split(":")[0].removeprefix("PS10 "): q
                 for q in ET.parse(key / "quiz.xml").getroot().findall("question")[1:]}
    for id, q in questions.items():
        answers = [(float(a.get("fraction")), a.find("text").text, float(a.findtext("tolerance") or 0),
                    a.find("feedback/text").text) for a in q.findall("answer")]
        slips = [a for a in answers if "Moodle read this as" in a[3]]
        genuine = [a for a in answers if a not in slips and a[1] != "*"]
        # digits after the point, or whole numbers of 1000 or more: 1.1, 1.8 (999) and 2.4 have none to catch
        assert bool(slips) == (mode != "off" and id in ("1.3", "1.4", "1.5", "1.6", "1.7", "2.1", "2.3")), id
        assert all(fraction == (0.0 if mode == "feedback" else float(genuine[0][0]) if "It is the problem set's answer" in feedback
                                else 50.0) for fraction, _, _, feedback in slips), id
        for _, text, tol, _ in slips:  # never where a genuine answer could be read
            assert all(abs(float(text) - float(g[1])) > tol + g[2] for g in genuine), (id, text)
    code, stdout, _ = run_cli("check", "--key", key, "--lang", "en", "--json", "1.4=0,27")
    (got,) = json.loads(stdout)
    assert (got["verdict"], got["credit"]) == (verdict, credit)
    if mode != "off":
        assert "0,27 is 27" in got["feedback"] and "type a decimal point (0.27)" in got["feedback"]
    doc, _ = graded(key, tmp_path, CLASS / "responses-ui-en.csv", lang="en")
    chloe = next(s for s in doc["students"] if s["first_name"] == "Chloé")["answers"]["1.4"]
    assert (chloe["verdict"], chloe["points"]) == (verdict, credit * 1.0)


# ----------------------------------------------------------------------------- another quiz: one line


def test_downloads_of_another_quiz_are_one_line(real_key, tmp_path):
    other = tmp_path / "part2-key"  # a key of part 2 alone: the download's question 1 is none of its questions
    other.mkdir()
    doc = json.loads((real_key / "answers.json").read_text())
    doc["answers"] = {id: a for id, a in doc["answers"].items() if id.startswith("2.")}
    (other / "answers.json").write_text(json.dumps(doc))
    code, _, err = run_cli("grade", "--key", other, CLASS / "responses-ui-en.csv", "--out", tmp_path / "g")
    assert code == 2 and "Question 1 ('How much larger" in err and "--slots" in err and err.count("\n") == 1
    renamed = tmp_path / "other-quiz.csv"
    with open(CLASS / "responses-ui-en.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        row[8::3] = [f"Another quiz's question {n}" for n in range(1, 13)]
    with open(renamed, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    code, _, err = run_cli("grade", "--key", real_key, renamed, "--out", tmp_path / "g")
    assert code == 2 and "none of its questions is one of the key's" in err and err.count("\n") == 1
    code, _, err = run_cli("grade", "--key", real_key, CLASS / "grades-ui-en.csv", "--out", tmp_path / "g")
    assert code == 2 and "this is Moodle's Grades download" in err and err.count("\n") == 1
    mangled = tmp_path / "grades.csv"
    mangled.write_text((CLASS / "grades-ui-en.csv").read_text(encoding="utf-8-sig").replace("Q. 12 /1.50",
                                                                                          "Q. 12 /2.00"))
    code, _, err = run_cli("grade", "--key", real_key, CLASS / "responses-ui-en.csv", mangled, "--out", tmp_path / "g")
    assert code == 2 and "the Grades download of another quiz?" in err and err.count("\n") == 1
    code, _, err = run_cli("grade", "--key", real_key, CLASS / "responses-ui-en.csv", "--lang", "xx",
                           "--out", tmp_path / "g")
    assert code == 2 and "--lang: 'xx' is none of Moodle's languages" in err
    assert not (tmp_path / "g").exists()
