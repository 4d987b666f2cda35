"""Moodle's marks are the judge: the real class's downloads (tests/moodle/class-en, attempts in English) graded by
classlab give the mark a real Moodle 4.5 gave every auto-graded answer (moodle-marks.json, read from its database);
read with another language's separators, the differences are listed with their reason; a class whose attempts ran
in German is graded as Moodle's German rule grades it; the key remembers its options; the separator slips."""

import csv
import functools
import html
import json
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import run_cli
from classlab.moodle.numbers import POINT, read_number
from classlab.moodle.readings import WAYS, langs
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


def grades_beside(path):
    """The Grades download of the same teacher's interface, in the format's kind where there is one."""
    ui = "de" if "-ui-de" in path.name else "en"
    return CLASS / f"grades-ui-{ui}{path.suffix if path.suffix in ('.csv', '.json', '.xlsx') else '.csv'}"


@pytest.mark.parametrize("beside", ["no Grades download", "Grades download"])
@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_every_download_is_graded_as_moodle_marked_it(real_key, tmp_path, path, beside):
    """The issue's "done when": without --lang, each of the eight Responses files gives Moodle's mark for every
    auto-graded answer of every finished attempt (99 answers), from the Grade column alone or with the Grades
    download beside it, and says that the attempts were read in English because Moodle's marks say so."""
    files = [path] + ([grades_beside(path)] if beside == "Grades download" else [])
    doc, stdout = graded(real_key, tmp_path, *files)
    ours = points_of(doc)
    assert {k: ours[k] for k in moodle_points()} == moodle_points()
    assert sum(len(v) for v in moodle_points().values()) == 99
    m = doc["moodle"]
    expected = ("answer", 99, 99, []) if beside == "Grades download" else ("attempt", 5, 5, [])
    assert (m["per"], m["compared"], m["agree"], m["differences"]) == expected
    r = doc["reading"]
    assert (r["lang"], r["from"]) == ("en", "moodle-marks") and "Moodle's marks show" in r["why"]
    decided = {name for g in r["attempts"] if g["from"] == "moodle-marks" for name in g["students"]}
    # the attempts with a separator in them: Gus and Ivan by their grades; Chloé too where her marks are given
    assert decided == {"Units, Gus", "Grosz, Ivan"} | ({"Müller, Chloé"} if beside == "Grades download" else set())
    assert {g["lang"] for g in r["attempts"]} == {"en"} and {g["from"] for g in r["attempts"]} <= {"moodle-marks",
                                                                                                    "class"}
    assert "  the English way (decimal point, comma for thousands), as their marks show: " in stdout
    students = {s["first_name"]: s for s in doc["students"]}
    assert students["Gus"]["reading"] == {"lang": "en", "separators": {"decimal": ".", "thousands": ","},
                                          "from": "moodle-marks", "fits": ["en", "ur"], "alike": False}
    assert students["Ada"]["reading"]["alike"] and students["Ada"]["reading"]["from"] == "class"
    hana = students["Hana"]["answers"]
    if path.suffix == ".ods":
        assert hana["2.2"]["response"] == "" and "ODS writer" in hana["2.2"]["lost"]
    else:  # her 2.2 text, as typed: a live formula in Excel, never evaluated
        assert hana["2.2"]["response"] == '=HYPERLINK("x")' and "lost" not in hana["2.2"]
    assert hana["2.2"]["verdict"] == "manual" and hana["1.4"]["verdict"] == "digits"  # 0.270: the digits kept
    # her typed '-': with Moodle's marks beside it, an answer Moodle marked 0 (not "no answer")
    dash = ("invalid", "Not a number as Moodle reads it. Moodle's mark: 0 of 0.5.") if beside == "Grades download" \
        else ("unanswered", "No answer given (or a typed '-': Moodle's download shows both as '-', and either earns "
                            "nothing).")
    assert (hana["1.1"]["verdict"], hana["1.1"]["feedback"]) == dash
    blank = "No answer given. Moodle's mark: none (no answer) of 1." if beside == "Grades download" else dash[1]
    assert (students["Dan"]["answers"]["1.6"]["verdict"], students["Dan"]["answers"]["1.6"]["feedback"]) == \
        ("unanswered", blank)  # a '-' Moodle did not mark: no answer
    finn = students["Finn"]
    assert finn["state"] in ("In progress", "In Bearbeitung") and doc["questions"]["1.4"]["counts"]["in-progress"] == 1
    assert {a["verdict"] for a in finn["answers"].values()} == {"in-progress"}  # in progress, not unanswered
    eve = students["Eve"]
    assert (eve["attempts"], eve["attempt"], eve["points"]) == (2, 1, 2.5)  # Moodle's highest grade skips attempt 2
    assert eve["why"].startswith("Moodle's highest grade: attempt 1, 2") and "attempt 2 has no grade yet" in eve["why"]
    assert eve["waiting"] == [{"attempt": 2, "questions": ["2.2"]}]
    finn = next(s for s in doc["students"] if s["first_name"] == "Finn")  # his attempt is in progress
    assert {json.dumps(a, sort_keys=True) for a in finn["answers"].values()} == {json.dumps(
        {"response": "-", "value": None, "verdict": "in-progress", "pitfall": None, "points": None,
         "feedback": "The attempt is still in progress: Moodle's download shows none of its answers."}, sort_keys=True)}
    assert not [n for g in doc["reading"]["attempts"] for n in g["students"] if n.startswith("Unfinished, Finn")]


@pytest.mark.parametrize("ui", ["en", "de"])
def test_the_grades_download_is_compared_answer_by_answer(real_key, tmp_path, ui):
    doc, _ = graded(real_key, tmp_path, CLASS / f"responses-ui-{ui}.xlsx", CLASS / f"grades-ui-{ui}.json", lang="en")
    m = doc["moodle"]
    assert (m["per"], m["compared"], m["agree"], m["differences"]) == ("answer", 99, 99, [])
    assert m["source"] == f"the Grades download grades-ui-{ui}.json"
    assert (doc["reading"]["from"], {g["from"] for g in doc["reading"]["attempts"]}) == ("flag", {"flag"})


def test_read_the_german_way_the_comma_answers_are_listed_with_their_reason(real_key, tmp_path):
    """--lang de on the English class still reads every attempt the German way: each answer whose reading changes is
    a difference from Moodle's mark, with the reason (the separators), and leaving out --lang is the advice."""
    expected = {(user, attempt, id) for (user, attempt), marks in moodle_points().items() for id, mark in marks.items()
                if oracle(",", ".")[(user, attempt)][id] != mark}
    assert len(expected) == 9  # Chloé's five decimal commas, Gus's 803,786, Ivan's 0,27, 222,346 and 0,33
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv", lang="de")
    m = doc["moodle"]
    got = {(d["student"], d["attempt"], d["question"]) for d in m["differences"]}
    users = {f"{s['surname']}, {s['first_name']}": s["email"].split("@")[0] for s in doc["students"]}
    assert {(users[s], a, q) for s, a, q in got} == expected
    assert {d["reason"] for d in m["differences"]} == {"separators"}
    assert m["advice"] == "leave out --lang: each attempt is then read as its marks show"
    assert (m["compared"], m["agree"]) == (99, 90) and "Every difference disappears with leave out --lang" not in stdout
    assert "Every difference disappears when you leave out --lang" in stdout
    chloe = next(d for d in m["differences"] if d["question"] == "1.4" and d["response"] == "0,27" and
                 d["student"].startswith("Müller"))
    assert (chloe["classlab"], chloe["moodle"]) == (1.0, 0.0) and "as its marks show" in chloe["why"]
    by_column, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="de")  # the Grade column alone
    assert by_column["moodle"]["advice"].startswith("leave out --lang") and \
        {d["reason"] for d in by_column["moodle"]["differences"]} == {"separators"} and \
        len(by_column["moodle"]["differences"]) == 2  # Gus's and Ivan's graded attempts


def test_the_headings_language_is_not_the_students(real_key, tmp_path):
    """The issue's first case: class-en downloaded by a teacher whose interface is German. Without --lang every
    attempt is read as Moodle read it (English), so Chloé's feedback gives her Moodle's 5 and Gus his full marks."""
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-de.csv", CLASS / "grades-ui-de.csv")
    assert doc["source"]["headings"] == "de" and doc["reading"]["lang"] == "en"
    assert doc["moodle"]["differences"] == [] and doc["moodle"]["advice"] is None
    students = {s["first_name"]: s for s in doc["students"]}
    assert students["Chloé"]["points"] == 5.0 and students["Gus"]["answers"]["1.3"]["points"] == 1.0
    with open(tmp_path / "graded" / "feedback.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r[1]: r for r in csv.reader(f)}
    assert rows["Chloé"][3] == "5.0" and "Moodle read 0,27 as 27" in rows["Chloé"][5]
    assert "read as 027" not in rows["Chloé"][5] and "027" not in rows["Chloé"][5]
    assert "803,786 as 803.786" not in rows["Gus"][5] and "1.3 (803,786): Accepted" in rows["Gus"][5]


# ----------------------------------------------------------------------------- feedback never contradicts Moodle


TRUTH = {(a["user"], a["attempt"]): a["slots"] for a in FINISHED}
STATED_MARK = re.compile(r"Moodle's mark: (none \(no answer\)|[0-9.]+) of ([0-9.]+)")
STATED_READ = re.compile(r"Moodle read (\S+?) as (?:the decimal number |a decimal number)?([0-9.]+)?")


def assert_true_to_moodle(text, typed, truth, where):
    """Every mark ``text`` states as Moodle's is ``truth``'s; every number it says Moodle read is the English
    reading (the attempts of class-en ran in English)."""
    for mark, _ in STATED_MARK.findall(text):
        assert (None if mark.startswith("none") else float(mark)) == (truth["mark"] if truth["mark"] is not None else
                                                                       None), (where, text)
    for said_typed, said_value in STATED_READ.findall(text):
        if said_value:
            assert float(said_value) == read_number(said_typed, POINT).value, (where, text)
    assert "worth" not in text or truth["mark"] is not None, (where, text)


@pytest.mark.parametrize("lang", [None, "en", "de"])
@pytest.mark.parametrize("beside", ["no Grades download", "Grades download"])
@pytest.mark.parametrize("path", RESPONSES, ids=lambda p: p.name)
def test_no_sentence_contradicts_moodles_marks(real_key, tmp_path, path, beside, lang):
    """Item 2 of the issue, on every real download, with and without --lang: every sentence classlab writes about
    an answer whose mark Moodle gave, as the download shows it (the Grades download per answer, the Grade column
    per attempt), in grades.json's feedback and separator notes, feedback.csv and class.html, states that mark and
    no other, and reads the numbers as Moodle read them."""
    files = [path] + ([grades_beside(path)] if beside == "Grades download" else [])
    doc, _ = graded(real_key, tmp_path, *files, lang=lang)
    checked = 0
    for s in doc["students"]:
        user = s["email"].split("@")[0]
        for h in s["history"]:
            if (user, h["attempt"]) not in TRUTH or not h["reading"]["fits"]:
                continue  # no marks in the download for this attempt: nothing known to contradict
            for id in AUTO:
                a, truth = h["answers"][id], TRUTH[(user, h["attempt"])][id]
                if "moodle_mark" in a:
                    assert a["moodle_mark"] == truth["mark"], (user, id)
                    assert f"Moodle's mark: {_mark(truth['mark'])}" in a["feedback"], (user, id, a["feedback"])
                texts = [a["feedback"]] + ([a["separator"]["note"]] if a.get("separator") else [])
                for text in texts:
                    assert_true_to_moodle(text, a["response"], truth, (user, h["attempt"], id))
                    checked += 1
    assert checked >= (99 if beside == "Grades download" else 55)  # 5 attempts have a grade: 55 answers
    with open(tmp_path / "graded" / "feedback.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r[2].split("@")[0]: r[5] for r in list(csv.reader(f))[1:]}
    known = set()
    for s in doc["students"]:
        user = s["email"].split("@")[0]
        if (user, s["attempt"]) in TRUTH and s["reading"]["fits"]:
            known.add(f"{s['surname']}, {s['first_name']}")
            for line in rows[user].splitlines():
                id = line.split(" ", 1)[0]
                if id in AUTO:
                    assert_true_to_moodle(line, None, TRUTH[(user, s["attempt"])][id], (user, id, "feedback.csv"))
    page = (tmp_path / "graded" / "class.html").read_text()
    for row in re.findall(r"<tr>(.*?)</tr>", re.search(r'id="separators".*?</table>', page, re.S).group(0)
                          if 'id="separators"' in page else "", re.S):
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells and cells[0] in known:
            name, id, typed, read_as = cells[:4]
            assert float(read_as) == read_number(typed, POINT).value, cells


def _mark(mark):
    return "none" if mark is None else f"{mark:g}"


# ----------------------------------------------------------------------------- a class whose attempts ran in German


def _rewritten(source, dest, edit, header=lambda row: None):
    """``source``'s rows, each attempt's row passed to ``edit(row, (user, attempt))`` and the headings to
    ``header(row)``, written to ``dest``."""
    with open(source, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header(rows[0])
    seen = {}
    for row in rows[1:]:
        user = row[2].split("@")[0]
        seen[user] = seen.get(user, 0) + 1
        edit(row, (user, seen[user]))
    with open(dest, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    return dest


def class_of(tmp_path, langs, grades=True):
    """class-en's answers on attempts that ran in ``langs`` ({user: (decsep, thousandssep)}, English otherwise), as
    that Moodle would download them: the Responses download (German headings) with each graded attempt's grade by
    Moodle's rule (the oracle), and, with ``grades``, the Grades download with each answer's mark."""
    marks = {(user, attempt): oracle(*langs.get(user, (".", ",")))[(user, attempt)]
             for (user, attempt) in moodle_points()}

    def grade(row, attempt):
        if attempt in marks and row[7] not in ("-", "Bisher nicht bewertet"):
            row[7] = f"{sum(marks[attempt].values()):.2f}".replace(".", ",")

    def mark(row, attempt):
        grade(row, attempt)
        for i, id in enumerate(MARKS["slots"]):
            if attempt in marks and id in AUTO and row[8 + i] != "-":
                row[8 + i] = f"{marks[attempt][id]:.2f}".replace(".", ",")

    responses = _rewritten(CLASS / "responses-ui-de.csv", tmp_path / "mixed-class.csv", grade)
    overview = _rewritten(CLASS / "grades-ui-de.csv", tmp_path / "mixed-grades.csv", mark) if grades else None
    return responses, overview, marks


GERMAN = (",", ".")


@pytest.mark.parametrize("grades", [True, False], ids=["Grades download", "Grade column"])
def test_a_german_class_is_graded_as_moodle_grades_german_attempts(real_key, tmp_path, grades):
    """The same students' answers on attempts that ran in German: Moodle's German rule (the oracle) gives each
    answer its mark, and classlab gives the same, without being told the language; --lang en is refused by the
    marks (listed, with leaving out --lang as the advice)."""
    responses, overview, marks = class_of(tmp_path, {user: GERMAN for user, _ in moodle_points()}, grades)
    assert marks != moodle_points()  # the readings really differ on this class
    doc, stdout = graded(real_key, tmp_path, *[f for f in (responses, overview) if f])
    ours = points_of(doc)
    assert {k: ours[k] for k in marks} == marks
    assert doc["moodle"]["differences"] == [] and doc["moodle"]["agree"] == doc["moodle"]["compared"]
    assert (doc["reading"]["lang"], doc["reading"]["from"]) == ("de", "moodle-marks")
    english, _ = graded(real_key, tmp_path, *[f for f in (responses, overview) if f], lang="en")
    assert english["moodle"]["differences"] and english["moodle"]["advice"].startswith("leave out --lang")


def test_a_class_of_mixed_languages_is_graded_as_moodle_graded_it(real_key, tmp_path):
    """The issue's "done when": Chloé and Ivan worked in German, the others in English (Moodle's rule for each, from
    the same real answers). Graded with no flag, every auto-graded answer gets the mark that Moodle gives it, each
    attempt read its own way, as grades.json, the terminal and the page say."""
    langs = {"chloe_en": GERMAN, "ivan_en": GERMAN}
    responses, overview, marks = class_of(tmp_path, langs)
    assert marks != moodle_points() and marks != oracle(*GERMAN)  # neither one language's marks
    doc, stdout = graded(real_key, tmp_path, responses, overview)
    ours = points_of(doc)
    assert {k: ours[k] for k in marks} == marks
    assert doc["moodle"]["differences"] == [] and doc["moodle"]["agree"] == doc["moodle"]["compared"] == 99
    readings = {s["email"].split("@")[0]: s["reading"] for s in doc["students"]}
    assert (readings["chloe_en"]["lang"], readings["chloe_en"]["from"]) == ("de", "moodle-marks")
    assert (readings["ivan_en"]["lang"], readings["ivan_en"]["from"]) == ("de", "moodle-marks")
    assert (readings["gus_en"]["lang"], readings["gus_en"]["from"]) == ("en", "moodle-marks")
    assert doc["reading"]["from"] == "headings"  # the decided attempts share no reading: the headings' (German)
    groups = {(g["lang"], g["from"]): g["students"] for g in doc["reading"]["attempts"]}
    assert groups[("de", "moodle-marks")] == ["Grosz, Ivan", "Müller, Chloé"]
    assert "  the German way (decimal comma, point for thousands), as their marks show: Grosz, Ivan; Müller, Chloé" \
        in stdout
    chloe = next(s for s in doc["students"] if s["first_name"] == "Chloé")
    assert chloe["answers"]["1.4"]["verdict"] == "accepted" and "Moodle's mark: 1 of 1" in \
        chloe["answers"]["1.4"]["feedback"]
    page = (tmp_path / "graded" / "class.html").read_text()
    assert "2 the German way (decimal comma, point for thousands), as their marks show" in page
    assert "as their marks show: Grosz, Ivan; Müller, Chloé" in page


def expected_fits(attempt):
    """The languages (the first of each reading) whose Moodle rule (the oracle) gives the attempt its real marks."""
    return [langs(sep)[0] for sep in WAYS if oracle(sep.decimal, sep.thousands)[attempt] == moodle_points()[attempt]]


FIGURE_MARK = 0.6  # what a teacher gave 2.2, the figure, on every attempt that waited for it


@pytest.mark.parametrize("form", ["Grade column", "Grade column out of 100", "Grades download"])
def test_a_figure_marked_by_a_teacher_leaves_the_reading_to_the_marks(real_key, tmp_path, form):
    """Once a teacher has marked 2.2 (1 point), Moodle's grade holds that mark too: the attempts that waited for it
    are decided by their marks like the others, the figure's mark being the teacher's, not classlab's to
    reproduce. The quiz's maximum grade (Grade/100.00) scales the Grade column, never the reading."""
    scale = 10 if form.endswith("100") else 1
    waited = {(a["user"], a["attempt"]) for a in FINISHED if a["slots"]["2.2"]["state"] == "needsgrading"}
    assert len(waited) > 1

    def heading(row):
        row[7] = f"Grade/{10 * scale:.2f}"

    def grade(row, attempt):
        if row[7] not in ("-", "Not yet graded"):
            row[7] = f"{float(row[7]) * scale:.2f}"
        elif attempt in waited:
            row[7] = f"{(sum(moodle_points()[attempt].values()) + FIGURE_MARK) * scale:.2f}"

    def mark(row, attempt):
        grade(row, attempt)
        if attempt in waited:
            row[8 + list(MARKS["slots"]).index("2.2")] = f"{FIGURE_MARK:.2f}"

    files = [_rewritten(CLASS / "responses-ui-en.csv", tmp_path / "responses.csv", grade, heading)]
    if form == "Grades download":
        files.append(_rewritten(CLASS / "grades-ui-en.csv", tmp_path / "grades.csv", mark, heading))
    doc, _ = graded(real_key, tmp_path, *files)
    fits = {(s["email"].split("@")[0], h["attempt"]): h["reading"]["fits"] for s in doc["students"]
            for h in s["history"]}
    assert {a: fits[a] for a in waited} == {a: expected_fits(a) for a in waited}
    assert {a: fits[a] for a in moodle_points()} == {a: expected_fits(a) for a in moodle_points()}
    assert doc["moodle"]["differences"] == []


@pytest.mark.parametrize("case", ["no Grade column", "a slot left out"])
def test_where_the_grade_says_nothing_attempts_are_read_the_class_way(real_key, tmp_path, case):
    """Moodle leaves the Grade column out where the quiz shows no grades; a question left out with --slots is in the
    grade but not in classlab's points. Either way the Grade column cannot tell an attempt's reading: every attempt
    is read the headings' way, said so, and no difference from Moodle is claimed."""
    at = 7

    def drop(row, attempt=None):
        del row[at]

    path, extra = CLASS / "responses-ui-de.csv", ()
    if case == "no Grade column":
        path = _rewritten(path, tmp_path / "no-grade.csv", drop, drop)
    else:
        extra = ("--slots", ",".join(list(MARKS["slots"])[:-1] + ["-"]))
    doc, stdout = graded(real_key, tmp_path, path, extra=extra)
    readings = {(s["email"], h["attempt"]): (h["reading"]["lang"], h["reading"]["from"], h["reading"]["fits"])
                for s in doc["students"] for h in s["history"]}
    assert set(readings.values()) == {("de", "headings", None)}
    assert (doc["reading"]["lang"], doc["reading"]["from"]) == ("de", "headings")
    assert doc["moodle"]["differences"] == []
    if case == "no Grade column":
        assert doc["moodle"] == {"source": None, "compared": 0, "agree": 0, "differences": [], "advice": None}


# ----------------------------------------------------------------------------- attempts, states, formulas


def test_the_formula_cell_is_safe_in_every_output(real_key, tmp_path):
    graded(real_key, tmp_path, CLASS / "responses-ui-en.xlsx", lang="en")
    for name in ("grades.csv", "feedback.csv"):
        with open(tmp_path / "graded" / name, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and c != "-"], name
        assert "'-" not in cells, name  # Moodle's mark of no answer stays '-', no formula to guard
    assert "'=HYPERLINK(\"x\")" in cells or "'=HYPERLINK" in (tmp_path / "graded" / "grades.csv").read_text()


# ----------------------------------------------------------------------------- separators to review


def test_the_trap_is_named_for_the_instructor_and_the_student(real_key, tmp_path):
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", lang="en")
    chloe = next(s for s in doc["students"] if s["first_name"] == "Chloé")
    slip = chloe["answers"]["1.4"]["separator"]
    assert (slip["kind"], slip["read_as"], slip["points"]) == ("cost", 27.0, 0.0)
    assert (slip["other"]["value"], slip["other"]["verdict"], slip["other"]["points"]) == (0.27, "accepted", 1.0)
    assert "Moodle read 0,27 as 27" in slip["note"] and slip["advice"] == "Type 0.27, which every language reads alike."
    gus = next(s for s in doc["students"] if s["first_name"] == "Gus")["answers"]["1.3"]["separator"]
    assert (gus["kind"], gus["points"], gus["other"]["points"]) == ("gain", 1.0, 0.0)
    english, german = "the English way (decimal point, comma for thousands)", \
        "the German way (decimal comma, point for thousands)"
    assert slip["note"] == (f"Moodle read 0,27 as 27, {english}, worth 0 of 1; read {german}, it is 0.27: "
                            "accepted (1).")
    assert gus["note"] == (f"Moodle read 803,786 as 803786, {english}, worth 1 of 1; read {german}, it is 803.786: "
                           "a separator slip (0). Most likely meant as Moodle read it; review it if not.")
    ivan = next(s for s in doc["students"] if s["first_name"] == "Ivan")["answers"]["1.7"]["separator"]
    assert ivan["note"] == (f"Moodle read 0,33 as 33, {english}, worth 0 of 0.5; read {german}, it is 0.33: "
                            "the corrected protocol's number (0.25).")
    assert ivan["other"]["separators"] == {"decimal": ",", "thousands": "."}
    page = (tmp_path / "graded" / "class.html").read_text()
    assert 'id="separators"' in page and "0,27" in page and "lost marks" in page
    with open(tmp_path / "graded" / "feedback.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r[1]: r[-1] for r in csv.reader(f)}
    assert "Moodle read 0,27 as 27" in rows["Chloé"] and "type 0.27" in rows["Chloé"]
    assert rows["Chloé"].count("0.27") == 2  # 1.4 and 1.7: one piece of advice each, in her own words (0,27)
    assert "0,28" not in rows["Chloé"] and "every language reads alike" in rows["Chloé"]
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
    assert "(no credit)" in stdout and "--corrected-credit 0 given: the key in" in err and "written with 50" in err
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
    assert code == 1 and "Depends on the language of your Moodle attempt" in stdout
    assert "On a Moodle in English, Arabic" in stdout and "it is 27" in stdout and "German, Catalan" in stdout
    assert "Type 0.27, which every language reads alike" in stdout
    code, stdout, _ = run_cli("check", "--key", real_key, "--json", "1.4=0,27", "1.6=0.31")
    both, plain = json.loads(stdout)
    assert (both["verdict"], both["credit"], both["value"]) == ("depends-on-language", None, None)  # none picked
    assert both["type_instead"] == "0.27" and len(both["readings"]) >= 2
    assert {r["credit"] for r in both["readings"]} == {0.0, 1.0} and "Depends on the language" in both["feedback"]
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
        assert all(fraction == (0.0 if mode == "feedback" else float(genuine[0][0]) if "it is the problem set's answer" in feedback
                                else 50.0) for fraction, _, _, feedback in slips), id
        for _, text, tol, _ in slips:  # never where a genuine answer could be read
            assert all(abs(float(text) - float(g[1])) > tol + g[2] for g in genuine), (id, text)
    code, stdout, _ = run_cli("check", "--key", key, "--lang", "en", "--json", "1.4=0,27")
    (got,) = json.loads(stdout)
    assert (got["verdict"], got["credit"]) == (verdict, credit)
    if mode != "off":
        assert "Moodle read 0,27 as 27" in got["feedback"] and "type 0.27, with a decimal point" in got["feedback"]
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
    assert run_cli("key", other)[0] == 0
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
    assert code == 2 and err.strip().endswith(
        "its questions (12, marked out of 0.5, 0.5, 1, 1, 1, 1, 0.5, 0.5, 0.5, 1, 1, 2) are not the key's and the "
        "Responses download's (12, out of 0.5, 0.5, 1, 1, 1, 1, 0.5, 0.5, 0.5, 1, 1, 1.5): the Grades download of "
        "another quiz?") and err.count("\n") == 1

    def strangers(row, attempt):
        row[:3] = ["Nobody", "Else", f"{attempt[0]}@elsewhere.example"]

    another_class = _rewritten(CLASS / "grades-ui-en.csv", tmp_path / "another-class.csv", strangers)
    code, _, err = run_cli("grade", "--key", real_key, CLASS / "responses-ui-en.csv", another_class,
                           "--out", tmp_path / "g")
    assert code == 2 and err.strip().endswith(f"another-class.csv: none of its attempts is one of "
                                              f"{CLASS / 'responses-ui-en.csv'}'s: the Grades download of another "
                                              "quiz or class?") and err.count("\n") == 1
    code, _, err = run_cli("grade", "--key", real_key, CLASS / "responses-ui-en.csv", "--lang", "xx",
                           "--out", tmp_path / "g")
    assert code == 2 and "--lang: 'xx' is none of Moodle's languages" in err
    assert not (tmp_path / "g").exists()


def test_a_grades_download_missing_attempts_leaves_them_to_the_class(real_key, tmp_path):
    """A Grades download filtered before it was downloaded (a group, "attempts from" a date) lacks some rows: the
    others keep their marks per answer, each matched by student and order; those it lacks are read the class's way
    (compared per answer, the Grades download does not mix in the Grade column)."""
    gone = {("dan_en", 1), ("eve_en", 2)}
    kept = tmp_path / "some-grades.csv"
    with open(CLASS / "grades-ui-en.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    seen, out = {}, [rows[0]]
    for row in rows[1:]:
        user = row[2].split("@")[0]
        seen[user] = seen.get(user, 0) + 1
        if (user, seen[user]) not in gone:
            out.append(row)
    with open(kept, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(out)
    doc, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", kept)
    full, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv")

    def fits(d):
        return {(s["email"].split("@")[0], h["attempt"]): h["reading"]["fits"] for s in d["students"]
                for h in s["history"]}

    assert {a: f for a, f in fits(doc).items() if a not in gone} == \
        {a: f for a, f in fits(full).items() if a not in gone}
    assert {a: fits(doc)[a] for a in gone} == {a: None for a in gone}
    assert {(s["email"].split("@")[0], h["attempt"]): h["reading"]["from"] for s in doc["students"]
            for h in s["history"] if (s["email"].split("@")[0], h["attempt"]) in gone} == {a: "class" for a in gone}
    assert doc["moodle"]["differences"] == []


# ----------------------------------------------------------------------------- verdicts that say what happened


@pytest.mark.parametrize("lang", ["en", "de", "fr", "nl", "ur"])
def test_a_percentage_is_no_separator_slip_anywhere(real_key, lang):
    """27% reads as 27 with '%' for a unit in every language: not a slip (no separator typed), but a percentage,
    told what to type, with the credit Moodle gives it (the slip answer's: 0 with --separator-slips feedback)."""
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", lang, "--json", "1.4=27%", "2.3=59.6%")
    for got in json.loads(stdout):
        assert got["verdict"] == "percent" and got["credit"] == 0.0, got
        assert "comma" not in got["feedback"] and "with no '%'" in got["feedback"]
    assert "type 0.27, with no '%'" in json.loads(stdout)[0]["feedback"]


def test_a_space_is_no_separator_slip(real_key):
    """French reads "0 27" as 27 (Moodle removes spaces): no comma was typed, so no comma is blamed."""
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", "fr", "--json", "1.4=0 27")
    (got,) = json.loads(stdout)
    assert got["value"] == 27.0 and got["verdict"] == "no-match" and "comma" not in got["feedback"]
    assert "it is what 0,27 reads as" in got["feedback"]  # the slip answer Moodle matched, said as such


def test_a_whole_number_just_outside_is_not_a_rounding(real_key):
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", "en", "--json", "1.3=803785", "1.8=1000",
                              "1.4=0.41")
    count, svs, accuracy = json.loads(stdout)
    for got in (count, svs):
        assert got["verdict"] == "no-match" and "rounding" not in got["feedback"]
        assert "is not the number the runs give" in got["feedback"]
    assert accuracy["verdict"] == "rounding" and "check the rounding" in accuracy["feedback"]


# ----------------------------------------------------------------------------- the text exactly as typed


@pytest.mark.parametrize("lang,typed,value,credit,why", [
    ("de", "\xa00,27", None, 0.0, "it starts with a no-break space"),  # not trimmed: no number at all
    ("fr", "\xa00,27", 0.27, 1.0, None),  # French's own thousands separator: removed first
    ("de", "0,27\xa0", 0.27, 1.0, "[no-break space]"),  # a number, and a unit Moodle ignores
    ("de", "\u202f0,27", None, 0.0, "narrow no-break space"),
    ("en", "\t0.27\n", 0.27, 1.0, None),  # PHP's trim: tab and line break go
])
def test_the_issues_no_break_spaces(real_key, lang, typed, value, credit, why):
    """The issue's "done when": a no-break space before 0,27 on a German attempt gives no number (credit 0, and
    why); on a French one it is read; after the number, German: a number with a unit, as apply_units reads it."""
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", lang, "--json", f"1.4={typed}")
    (got,) = json.loads(stdout)
    assert got["typed"] == typed and (got["value"], got["credit"]) == (value, credit), got
    if why:
        assert why in got["feedback"], got["feedback"]


SPACES = sorted({chr(c) for c in range(0x110000) if chr(c).isspace() or unicodedata.category(chr(c)) in
                 ("Zs", "Zl", "Zp")} | {"\0", "\u200b", "\u2060", "\ufeff"})


def test_every_space_unicode_has_reaches_moodles_reading_as_typed(tmp_path):
    """Item 4: every space character Unicode has (and the invisible ones), at the start, the end and inside, in each
    language's separators: the command line, a lines file, a JSON file and a download's cell hand the text on
    unchanged, and the reading is apply_units' as its source states it (test_moodle.moodle_apply_units)."""
    from classlab._check import parse_answers, read_answers_file
    from classlab.moodle.words import LANGUAGES, separators

    assert len(SPACES) >= 29
    cases = [f"{c}0,27" for c in SPACES] + [f"0,27{c}" for c in SPACES] + [f"0{c}27" for c in SPACES] + \
        [f"1{c}000,5" for c in SPACES]
    for typed in cases:
        assert parse_answers([f"1.4={typed}"]) == {"1.4": typed}
        assert read_answers_file(_json_file(tmp_path, typed)) == {"1.4": typed}
        if not set(typed) & set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):  # a line break ends a line
            lines = tmp_path / "answers.txt"
            lines.write_text(f"1.4={typed}\n", encoding="utf-8", newline="")
            assert read_answers_file(lines) == {"1.4": typed}, repr(typed)
        for lang in LANGUAGES:
            sep = separators(lang)
            reading = read_number(typed, sep)
            value, unit = moodle_apply_units(typed, sep.decimal, sep.thousands)
            assert reading.value == value, (repr(typed), lang)
            if value is not None:
                assert reading.unit == unit, (repr(typed), lang)
    cells = [typed for typed in cases if "\0" not in typed]  # a NUL marks a file as no text (UTF-16 without its BOM)
    rows = [["Last name", "First name", "Email address", "Status", "Started", "Completed", "Duration",
             "Grade/10.00", "Response 1"]] + [["S", f"n{i}", f"s{i}@example.org", "Finished", "", "", "", "-", typed]
                                             for i, typed in enumerate(cells)]
    path = tmp_path / "spaces.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    from classlab.moodle.downloads import read_responses

    assert [a.responses[1] for a in read_responses(path).attempts] == cells


def _json_file(tmp_path, typed):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps({"1.4": typed}), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- the checker takes what students type


def test_the_checker_takes_what_students_type(real_key, tmp_path):
    """Item 7, each input: a byte-order mark, a blank answer, JSON null, broken JSON, a repeated id, language codes
    in any case and Moodle's child packs, and --json without --lang."""
    notepad = tmp_path / "notepad.txt"
    notepad.write_bytes("\ufeff1.4=0.27\r\n1.6=0.31\r\n".encode("utf-8"))
    code, stdout, err = run_cli("check", "--key", real_key, "--lang", "en", "--answers", notepad)
    assert code == 0 and err == "" and stdout.count("yes") == 2
    code, stdout, err = run_cli("check", "--key", real_key, "--lang", "en", "--json", "1.4=", "1.6=0.31")
    blank, answered = json.loads(stdout)
    assert (blank["typed"], blank["verdict"], blank["credit"]) == ("", "unanswered", 0.0) and code == 1
    nulls = tmp_path / "answers.json"
    nulls.write_text('{"1.4": null, "1.6": 0.310, "2.4": 32}')
    code, stdout, _ = run_cli("check", "--key", real_key, "--lang", "en", "--json", "--answers", nulls)
    null, digits, whole = json.loads(stdout)
    assert (null["typed"], null["verdict"]) == ("", "unanswered") and "None" not in stdout
    assert (digits["typed"], digits["verdict"]) == ("0.310", "digits") and whole["typed"] == "32"  # as written
    broken = tmp_path / "broken.json"
    broken.write_text('{"1.4": 0.27,\n "1.6" 0.31}')
    code, _, err = run_cli("check", "--key", real_key, "--answers", broken)
    assert code == 2 and "broken.json: not valid JSON (line 2:" in err and err.count("\n") == 1
    code, _, err = run_cli("check", "--key", real_key, "1.4=0.27", "1.4=0.28")
    assert code == 2 and "1.4 is given twice" in err
    twice = tmp_path / "twice.json"
    twice.write_text('{"1.4": 0.27, "1.4": 0.28}')
    code, _, err = run_cli("check", "--key", real_key, "--answers", twice)
    assert code == 2 and "1.4 is given twice" in err
    code, _, err = run_cli("check", "--key", real_key, "--answers", notepad, "1.4=0.27")
    assert code == 2 and "1.4 is given twice" in err
    for code_given, parent in (("EN", "en"), ("en_us", "en"), ("pt_br", "pt"), ("de_du", "de"), ("De-Du", "de")):
        code, stdout, err = run_cli("check", "--key", real_key, "--lang", code_given, "--json", "1.4=0,27")
        (got,) = json.loads(stdout)
        assert got["value"] == (27.0 if parent == "en" else 0.27), code_given
        said = err.count(f"read with the separators of")
        assert said == (0 if code_given == "EN" else 1), (code_given, err)
    code, _, err = run_cli("check", "--key", real_key, "--lang", "zh_tw", "1.4=0.27")
    assert code == 2 and "child pack such as en_us" in err


# ----------------------------------------------------------------------------- keys that cannot be mixed up


def test_a_key_is_not_replaced_by_one_with_other_options(real_key, tmp_path):
    key = tmp_path / "key"
    key.mkdir()
    shutil.copy(real_key / "answers.json", key)
    code, stdout, _ = run_cli("key", key, "--corrected-credit", "50")
    assert code == 0 and "made from a --quick run" in stdout
    code, _, err = run_cli("key", key)
    assert code == 2 and "--corrected-credit 0 (was 50)" in err and "--force" in err
    assert json.loads((key / "key.json").read_text())["corrected_credit"] == 50  # untouched
    assert run_cli("key", key, "--corrected-credit", "50")[0] == 0  # the same options: written again
    assert run_cli("key", key, "--force")[0] == 0
    assert json.loads((key / "key.json").read_text())["corrected_credit"] == 0


def test_a_key_of_one_seed_says_so(real_key, tmp_path):
    key = tmp_path / "key"
    key.mkdir()
    doc = json.loads((real_key / "answers.json").read_text())
    doc["quick"], doc["config"]["seeds"] = False, [0]
    (key / "answers.json").write_text(json.dumps(doc))
    code, stdout, _ = run_cli("key", key)
    assert code == 0 and "made from 1 seed" in stdout and "--seeds 5 or more" in stdout


def test_grading_needs_a_key(real_key, tmp_path):
    """A run folder that was never keyed has no quiz in Moodle: grading against it is refused, nothing written."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(real_key / "answers.json", run)
    code, _, err = run_cli("grade", "--key", run, CLASS / "responses-ui-en.csv", "--out", tmp_path / "g")
    assert code == 2 and "run classlab key" in err and not (tmp_path / "g").exists()
    code, stdout, err = run_cli("check", "--key", run, "--lang", "en", "1.4=0.27")  # a student's own run: checked
    assert code == 0 and "holds no key.json" in err and "yes" in stdout


def test_the_options_moodles_marks_were_made_with_are_named(real_key, tmp_path):
    """Moodle's quiz was imported with --corrected-credit 50; grading with 0 gives differences (reason: the key),
    and every one disappears with --corrected-credit 50, which the output says."""
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv",
                         extra=["--corrected-credit", "0"])
    m = doc["moodle"]
    assert m["differences"] and {d["reason"] for d in m["differences"]} == {"key"}
    assert m["advice"] == "--corrected-credit 50" and "Every difference disappears with --corrected-credit 50" in stdout
    remarks = {(f"{r['surname']}, {r['first_name']}", r["attempt"], r["question"]): r for r in doc["remarks"]
               if r["why"] == "difference"}  # each difference is on the re-marking worklist
    differences = {(d["student"], d["attempt"], d["question"]): d for d in m["differences"]}
    assert remarks and set(remarks) == set(differences)
    for at, r in remarks.items():
        d = differences[at]
        assert r["set"] == d["classlab"] and r["note"].startswith(f"Moodle gave {d['moodle']:g}, this key gives "
                                                                  f"{d['classlab']:g}: no reading of the separators")
    for s in doc["students"]:  # the feedback still states Moodle's mark, and names the key's
        for id, a in s["answers"].items():
            if a.get("moodle_mark") is not None and abs(a["moodle_mark"] - (a["points"] or 0)) > 0.006:
                assert f"Moodle's mark: {a['moodle_mark']:g}" in a["feedback"] and "This key gives" in a["feedback"]


@pytest.mark.parametrize("options,advice", [
    (["--separator-slips", "credit"], "--separator-slips feedback"),
    (["--separator-slips", "credit", "--corrected-credit", "0"], "--corrected-credit 50 --separator-slips feedback"),
    (["--separator-slips", "off"], None)])  # "off" and "feedback" both give a slip 0: Moodle's marks agree
def test_the_separator_slips_moodles_marks_were_made_with_are_named(real_key, tmp_path, options, advice):
    """Moodle's quiz was imported with --separator-slips feedback (and --corrected-credit 50): grading with another
    choice names the options under which every difference disappears, both where both differ."""
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv",
                         extra=options)
    m = doc["moodle"]
    assert m["advice"] == advice and bool(m["differences"]) == bool(advice)
    if advice:
        assert {d["reason"] for d in m["differences"]} == {"key"}
        assert f"Every difference disappears with {advice}" in stdout


def test_where_the_marks_allow_two_readings_the_feedback_says_both(real_key, tmp_path):
    """Eve's second attempt: Moodle's marks (0 for 1.8's "1,000") fit the English and the German reading, which read
    it as 1000 and as 1. Her feedback claims neither: it says each reading and what it makes of her answer."""
    doc, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv")
    eve = next(s for s in doc["students"] if s["first_name"] == "Eve")
    said = eve["history"][1]["answers"]["1.8"]["feedback"]
    assert said.startswith("How Moodle read 1,000 depends on the language this attempt started in, and its marks do "
                           "not tell which. Read the English way (decimal point, comma for thousands), it is 1000: "
                           "Just outside the accepted range")
    assert " Read the German way (decimal comma, point for thousands), it is 1: Matches none of the runs" in said
    assert said.endswith(" Moodle's mark: 0 of 0.5.") and "This key gives" not in said


def test_a_grade_column_difference_states_both_grades_on_the_quizs_scale(real_key, tmp_path):
    """Read the German way (--lang de), the English class's Grade column (a quiz out of 100) differs where a
    separator changed a mark: each difference gives Moodle's grade and classlab's points on the quiz's scale."""
    def heading(row):
        row[7] = "Grade/100.00"

    def grade(row, attempt):
        if row[7] not in ("-", "Not yet graded"):
            row[7] = f"{float(row[7]) * 10:.2f}"

    path = _rewritten(CLASS / "responses-ui-en.csv", tmp_path / "r.csv", grade, heading)
    doc, _ = graded(real_key, tmp_path, path, lang="de")
    history = {(f"{s['surname']}, {s['first_name']}", h["attempt"]): h for s in doc["students"] for h in s["history"]}
    found = doc["moodle"]["differences"]
    assert found and doc["moodle"]["per"] == "attempt"
    for d in found:
        h = history[(d["student"], d["attempt"])]
        assert d["classlab"] == pytest.approx(h["points"] * 10) and d["moodle"] == float(h["moodle_grade"])
        assert d["question"] is None and d["reason"] == "separators"


def test_the_facility_is_moodles_where_its_marks_are_in_the_download(real_key, tmp_path):
    """The class page's facility index: the mean share of Moodle's marks in the attempts that count (moodle-marks.json,
    read from Moodle's database), where the Grades download gives them; none without it."""
    doc, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv")
    counting = {(s["email"].split("@")[0], s["attempt"]) for s in doc["students"]}
    finished = [a for a in FINISHED if (a["user"], a["attempt"]) in counting]
    for id in AUTO:
        shares = [(a["slots"][id]["mark"] or 0.0) / a["slots"][id]["max"] for a in finished]
        assert doc["questions"][id]["moodle_facility"] == pytest.approx(sum(shares) / len(shares)), id
    german, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv", lang="de")
    assert german["questions"]["1.4"]["moodle_facility"] == doc["questions"]["1.4"]["moodle_facility"] != \
        german["questions"]["1.4"]["facility"]  # misread under --lang de, Moodle's own figure stays
    for id in AUTO:  # the marks agree, so classlab's own figures are Moodle's too
        q, shares = doc["questions"][id], [(a["slots"][id]["mark"] or 0.0) / a["slots"][id]["max"] for a in finished]
        assert q["facility"] == pytest.approx(sum(shares) / len(shares)), id
        verdicts = [s["answers"][id]["verdict"] for s in doc["students"]
                    if s["answers"][id]["verdict"] not in ("manual", "in-progress")]
        assert q["accepted_share"] == sum(v in ("accepted", "digits") for v in verdicts) / len(verdicts), id
    alone, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv")
    assert {q["moodle_facility"] for q in alone["questions"].values()} == {None}


def test_the_class_summary_counts_pitfalls_and_mistakes_in_the_keys_words(real_key, tmp_path):
    """After the deadline the instructor learns which mistakes the class made: each pitfall in the key's own words
    (answers.json), the students and questions it shows in, the most common first; each other kind of mistake."""
    doc, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv")
    key = {p["id"]: p for p in json.loads((real_key / "answers.json").read_text())["pitfalls"]}
    pitfalls = doc["pitfalls"]
    assert pitfalls and set(pitfalls) <= set(key)
    for id, p in pitfalls.items():
        assert (p["what"], p["where"]) == (key[id]["what"], key[id]["where"])
        for q, n in p["questions"].items():
            assert doc["questions"][q]["pitfall"] == id
            assert n == sum(s["answers"][q]["verdict"] == "corrected" for s in doc["students"])
        assert p["students"] == sum(any(s["answers"][q]["verdict"] == "corrected" for q in p["questions"])
                                    for s in doc["students"])
    assert [p["students"] for p in pitfalls.values()] == sorted((p["students"] for p in pitfalls.values()),
                                                                reverse=True)
    assert {(id, p["students"]) for id, p in pitfalls.items() if p["students"]} == \
        {("seed-in-init", 4), ("svc-augmented-pixels", 2)}
    for verdict, m in doc["mistakes"].items():
        assert m["questions"] == {q: n for q in doc["questions"]
                                  if (n := sum(s["answers"][q]["verdict"] == verdict for s in doc["students"]))}
        assert m["students"] == sum(any(a["verdict"] == verdict for a in s["answers"].values())
                                    for s in doc["students"])
    assert doc["mistakes"]["unanswered"]["students"] > 0


def test_anonymized_differences_and_readings_name_no_student(real_key, tmp_path):
    """With --anonymize even the lists that name students (differences from Moodle, the readings' groups, the
    re-marking worklist) give pseudonyms, the same ones as the students' rows."""
    doc, stdout = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv", CLASS / "grades-ui-en.csv",
                         extra=["--anonymize", "--corrected-credit", "0"])
    names = {", ".join(p for p in (s["surname"], s["first_name"]) if p) for s in doc["students"]}
    assert doc["moodle"]["differences"] and {d["student"] for d in doc["moodle"]["differences"]} <= names
    assert {n for g in doc["reading"]["attempts"] for n in g["students"]} <= names | \
        {f"{n} (attempt {i})" for n in names for i in (1, 2)}
    written = stdout + "".join((tmp_path / "graded" / f).read_text(encoding="utf-8-sig") for f in
                               ("grades.json", "class.html", "remarks.csv", "feedback.csv", "grades.csv"))
    for a in MARKS["attempts"]:
        assert a["user"] not in written
    for real in ("Lovelace", "Müller", "Chloé", "Grosz", "Twice", "O'Neil", "O&#x27;Neil"):
        assert real not in written, real


# ----------------------------------------------------------------------------- the attempt that counts, and what to do


def test_the_attempt_that_counts_and_what_to_do_are_said(real_key, tmp_path):
    """Eve's first attempt counts because her second waits for a teacher to grade 2.2: her feedback says so, and
    the class page tells the instructor to grade 2.2 in Moodle, then download again."""
    doc, _ = graded(real_key, tmp_path, CLASS / "responses-ui-en.csv")
    with open(tmp_path / "graded" / "feedback.csv", encoding="utf-8-sig", newline="") as f:
        rows = {r[1]: r[5] for r in csv.reader(f)}
    first = rows["Eve"].splitlines()[0]
    assert first.startswith("Attempt 1 of 2 counts: Moodle's highest grade: attempt 1, 2.50") and \
        "Attempt 2 waits for a teacher to grade 2.2." in first
    assert rows["Ada"].splitlines()[0] == "Moodle's grade for your attempt waits for a teacher to grade 2.2."
    eve = next(s for s in doc["students"] if s["first_name"] == "Eve")
    assert (eve["max_points"], eve["points_to_grade_by_hand"]) == (10, 1)
    assert [(h["attempt"], h["waiting"], h["moodle_grade"]) for h in eve["history"]] == \
        [(1, False, "2.50"), (2, True, "Not yet graded")] and eve["moodle_grade"] == "2.50"
    assert eve["waiting"] == [{"attempt": 2, "questions": ["2.2"]}]
    assert not rows["Gus"].startswith(("Attempt", "Moodle's grade"))  # one attempt, graded: nothing to say
    page = html.unescape((tmp_path / "graded" / "class.html").read_text())
    todo = re.search(r'<table id="todo-2.2">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td>.*?<td>(grade by hand: .*?)</td>", todo, re.S)
    assert [(name, attempt) for name, attempt, _ in rows] == [("Lovelace, Ada", "1"), ("Müller, Chloé", "1"),
                                                              ("O'Neil, Jr., Hana", "1"), ("Twice, Eve", "2")]
    assert rows[-1][2] == "grade by hand: grade it in Moodle, then download the Responses again; until then Moodle " \
                          "counts attempt 1"
    assert "Results > Manual grading" in page and "gradebook's import" in page
    with open(tmp_path / "graded" / "remarks.csv", encoding="utf-8-sig", newline="") as f:
        remarks = list(csv.DictReader(f))
    assert [(r["Question"], r["Last name"], r["Why"]) for r in remarks if r["Question"] == "2.2"] == \
        [("2.2", "Lovelace", "grade by hand"), ("2.2", "Müller", "grade by hand"), ("2.2", "O'Neil, Jr.", "grade by hand"),
         ("2.2", "Twice", "grade by hand")]
    slips = [r for r in remarks if r["Why"] == "a separator slip"]
    assert {(r["Question"], r["Last name"], r["Typed"], r["Moodle's mark"], r["Mark to set"]) for r in slips} >= \
        {("1.4", "Müller", "0,27", "", "1"), ("1.4", "Grosz", "0,27", "", "1")}  # no Grades download: no mark
    assert [r["Question"] for r in remarks] == sorted((r["Question"] for r in remarks), key=list(doc["questions"]).index)


@pytest.mark.parametrize("second,counts", [("2.50", 1), ("3.00", 2)])
def test_moodles_highest_grade_keeps_the_earliest_of_equal_grades(real_key, tmp_path, second, counts):
    """Once a teacher has graded Eve's second attempt, Moodle's "highest grade" counts it only if it is higher:
    of equal grades the earliest (quiz_calculate_best_attempt compares with >)."""
    def grade(row, attempt):
        if attempt == ("eve_en", 2):
            row[7] = second

    doc, _ = graded(real_key, tmp_path, _rewritten(CLASS / "responses-ui-en.csv", tmp_path / "r.csv", grade))
    eve = next(s for s in doc["students"] if s["first_name"] == "Eve")
    assert (eve["attempt"], eve["why"]) == (counts, f"Moodle's highest grade: attempt {counts}, "
                                                    f"{'2.50' if counts == 1 else second}")


def test_without_moodles_grades_the_highest_of_classlabs_points_counts(real_key, tmp_path):
    def drop(row, attempt=None):
        del row[7]

    doc, _ = graded(real_key, tmp_path, _rewritten(CLASS / "responses-ui-en.csv", tmp_path / "r.csv", drop, drop))
    eve = next(s for s in doc["students"] if s["first_name"] == "Eve")
    points = [h["points"] for h in eve["history"]]
    assert eve["attempt"] == points.index(max(points)) + 1
    assert eve["why"] == ("no finished attempt has a grade from Moodle in this download (a question waits for a "
                          "teacher, or no Grade column): the highest of classlab's points")
    ada = next(s for s in doc["students"] if s["first_name"] == "Ada")
    assert (ada["attempt"], ada["why"]) == (1, "the only finished attempt")


# ----------------------------------------------------------------------------- tools that answer at once


def _in_a_process(code):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", ["check", "key", "grade"])
def test_the_small_tools_import_no_heavy_module(real_key, tmp_path, command):
    """check, key and grade import neither torch nor torchvision nor matplotlib: a student runs check again and
    again, an instructor's script per answer (torch alone is over a second)."""
    args = {"check": ["check", "--key", real_key, "--lang", "en", "1.4=0.27"],
            "key": ["key", real_key, "--corrected-credit", "50"],
            "grade": ["grade", "--key", real_key, CLASS / "responses-ui-de.csv", CLASS / "grades-ui-de.csv", "--out",
                      tmp_path / "g"]}[command]
    out = _in_a_process(f"import sys, contextlib, io\nfrom classlab._cli import main\n"
                        f"with contextlib.redirect_stdout(io.StringIO()): code = main({[str(a) for a in args]!r})\n"
                        "print(code, sorted(m for m in ('torch', 'torchvision', 'matplotlib') if m in sys.modules))")
    assert out.split(None, 1)[1].strip() == "[]", out
    assert out.split()[0] in ("0", "1"), out


@pytest.mark.parametrize("args", [["run", "--help"], ["grade", "--key", "KEY", str(CLASS / "responses-ui-de.csv"),
                                                      "--out", "OUT"]])
def test_output_cut_by_a_closed_pipe_ends_quietly(real_key, tmp_path, args):
    import subprocess
    import sys

    args = [str(real_key) if a == "KEY" else str(tmp_path / "g") if a == "OUT" else a for a in args]
    p = subprocess.Popen([sys.executable, "-m", "classlab", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # as `| head -1` does once it has its line: every later write meets a closed pipe
    err = p.stderr.read().decode()
    p.wait(timeout=120)
    assert p.returncode in (0, 1) and "Traceback" not in err and "BrokenPipeError" not in err, err
