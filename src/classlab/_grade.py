"""``classlab grade``: a class's Moodle Responses download graded against a run's key, with the pitfall behind
each wrong number, the class's mistakes summed up for the instructor, and Moodle's own marks as the judge.

Every response is judged by the key's own model (``classlab._key``: what the quiz files tell Moodle and what
``classlab check`` says), exactly as typed. Moodle read each attempt's numbers with the separators of the language
that attempt started in; the download does not say which, but Moodle's marks do (its Grade column, or a Grades
download given beside it): each attempt is graded under every language's separators, and read the way that
reproduces its marks (``moodle.readings``); an attempt whose marks say nothing is read the class's way (``lang``
if given, which then reads every attempt). Every sentence written about an answer whose mark Moodle gave states
that mark. One result per student, from the attempt that ``attempt`` picks (``best``: Moodle's "highest grade",
among the attempts Moodle has graded). Every difference from Moodle's marks is listed with its reason. Where
Moodle's reading of a separator changed what an answer earns (``0,27`` read as 27), the answer is listed for the
instructor to review, with what it would earn read the other way. Everything is computed before anything is written; the files go into the grading folder only
(``GradeFolder``), each atomically. Student data are personal: nothing is sent anywhere, and ``anonymize``
replaces names and e-mails by pseudonyms in every output.
"""

import json
import random
import re
import statistics
from dataclasses import dataclass
from pathlib import Path

from ._atomic import write_text
from .errors import ClasslabError
from ._folder import GradeFolder
from ._key import SLIPS, VERDICTS, KeyOptions, build_key, load_run
from .moodle.downloads import read_grades, read_responses
from .moodle.grading import FRACTIONS
from .moodle.numbers import shown, write_number
from .moodle.readings import WAYS, class_reading, choose, langs, language, way
from ._report.common import banners

ATTEMPTS = ("best", "first", "last")
RUNNING = ("inprogress", "overdue")  # Moodle shows none of the answers of an attempt not yet submitted
MARK_SLACK = 0.006  # Moodle shows marks and grades to two decimals


class Grades:
    """A graded class: ``students``, ``questions``, ``pitfalls`` (as grades.json holds them) and the files.

    In Jupyter it shows as the class summary: what the class got wrong, and the verdicts per question.
    """

    def __init__(self, doc, folder):
        self.doc, self.folder = doc, GradeFolder(folder)

    students = property(lambda self: self.doc["students"])
    questions = property(lambda self: self.doc["questions"])
    pitfalls = property(lambda self: self.doc["pitfalls"])
    moodle = property(lambda self: self.doc["moodle"])

    @property
    def paths(self):
        return self.folder.shown()

    def _repr_html_(self):
        from ._report.grades import summary_html

        return summary_html(self.doc)

    def __repr__(self):
        n = len(self.students)
        return f"<Grades of {n} student{'s' if n != 1 else ''} in {self.folder}>"


@dataclass
class _Graded:
    """One attempt, graded under every language's separators; ``choice`` picks the reading that counts."""

    index: int  # 1-based, in the download's order of this student's attempts
    attempt: object  # moodle.downloads.Attempt
    ways: dict  # Separators -> {question id: answer record}
    marks: dict | None = None  # question id -> Moodle's mark (None: no mark), from a Grades download
    fits: tuple | None = None  # the separators under which classlab's points reproduce Moodle's marks
    choice: object = None  # moodle.readings.Choice

    @property
    def answers(self):
        return self.ways[self.choice.separators]

    @property
    def points(self):
        return _points(self.answers)

    @property
    def alike(self):
        """Whether every language's separators read this attempt's answers alike."""
        return len({json.dumps(_shape(answers), sort_keys=True) for answers in self.ways.values()}) == 1

    @property
    def name(self):
        return ", ".join(p for p in (self.attempt.lastname, self.attempt.firstname) if p)


def grade(key, responses, out=None, attempt="best", anonymize=False, slots=None, corrected_credit=None,
          separator_slips=None, lang=None, grades=None, force=False):
    """Grade the Moodle Responses download ``responses`` against the key of the finished run ``key``; write
    grades.json, grades.csv, feedback.csv and class.html into ``out`` (default: a folder beside the download).
    ``lang``: the students' Moodle language (its separators read the numbers); ``grades``: Moodle's Grades
    download of the same quiz, to compare marks question by question. Returns ``Grades``."""
    from ._report.grades import class_page, feedback_csv, grades_csv, remarks_csv

    if attempt not in ATTEMPTS:
        raise ClasslabError(f"--attempt: best, first or last, got {attempt!r}")
    lang, lang_note = language(lang)
    key_dir, responses = Path(key), Path(responses)
    run = load_run(key_dir)
    options, notes = KeyOptions.of(key_dir, corrected_credit, separator_slips, required=True)
    notes += [lang_note] if lang_note else []
    questions = {q.id: q for q in build_key(run, key_dir, options.corrected_credit, options.separator_slips)}
    download = read_responses(responses)
    mapping = map_slots(download, questions, slots)
    marked = _marked(read_grades(grades), download, mapping) if grades is not None else None
    folder = GradeFolder(out if out is not None else responses.with_name(responses.stem + "-graded"))
    _check_folder(folder, force)
    graded = _graded_class(download, mapping, marked)
    reading = class_reading([g.fits for history in graded for g in history], lang, download.pack.lang)
    for history in graded:
        for g in history:
            g.choice = choose(g.fits, g.alike, reading, flag=lang is not None)
            _tell(g, mapping)
    students = [_student(history, mapping, attempt) for history in graded]
    moodle = _compare(graded, mapping, download, marked, grades, key_dir, run, options)
    students.sort(key=lambda s: (s["surname"].casefold(), s["first_name"].casefold(), s["email"].casefold()))
    if anonymize:
        real = [(s, _name(s)) for s in students]
        students = pseudonymized(students, download.digest)
        pseudonym = {name: _name(s) for s, name in real}
        for d in moodle["differences"]:
            d["student"] = pseudonym[d["student"]]
    doc = {
        "key": {"run": str(key_dir), "created": run.get("created"), "quick": run.get("quick", False),
                "banners": banners(run), "corrected_credit": options.corrected_credit,
                "separator_slips": options.separator_slips, "notes": notes},
        "source": {"file": responses.name, "format": download.format, "moodle": download.pack.version,
                   "headings": download.pack.lang, "rows": download.rows, "attempts": len(download.attempts),
                   "skipped_rows": download.skipped, "digits_typed": download.typed, "notes": download.notes},
        "reading": _reading(reading, students, download, lang),
        "attempt": attempt, "anonymized": anonymize,
        "questions": _questions(mapping, students),
        "pitfalls": _pitfalls(run, mapping, students),
        "mistakes": _mistakes(mapping, students),
        "moodle": moodle,
        "remarks": _remarks(mapping, students, moodle["differences"]),
        "students": students,
    }
    files = {folder.grades: json.dumps(doc, indent=2, ensure_ascii=False), folder.grades_csv: grades_csv(doc),
             folder.feedback: feedback_csv(doc), folder.remarks: remarks_csv(doc), folder.page: class_page(doc)}
    try:
        folder.path.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            write_text(path, text)
    except OSError as err:
        raise ClasslabError(f"{folder}: cannot write the grades here ({err.strerror or err})") from None
    return Grades(doc, folder.path)


def pseudonymized(students, seed):
    """The students as "Student 1", "Student 2", ... with no first name or e-mail, numbered in an order drawn
    from ``seed`` (the download's digest: the same file gives the same pseudonyms). Numbered in the class list's
    (alphabetical) order, the pseudonyms would give the names back to anyone holding the list."""
    students = sorted(students, key=lambda s: (s["surname"], s["first_name"], s["email"]))
    random.Random(seed).shuffle(students)
    width = len(str(len(students)))
    for i, s in enumerate(students, start=1):
        s.update(surname=f"Student {i:0{width}d}", first_name="", email="")
    return students


def _check_folder(folder, force):
    if folder.path.exists() and not folder.path.is_dir():
        raise ClasslabError(f"{folder}: --out exists and is not a folder")
    if not force and any((folder / name).exists() for name in folder.FILES):
        raise ClasslabError(f"{folder}: holds grades already; choose another --out, or add --force")


# ----------------------------------------------------------------------------- slots and attempts


def map_slots(download, questions, slots=None):
    """``{slot: KeyQuestion}``: from ``slots`` ("1.1,1.2,-,..."; "-" skips a slot), else from each slot's
    question text (the text classlab's quiz gave it), else by the key's order of questions."""
    ids = list(questions)
    if slots is not None:
        given = [s.strip() for s in (slots.split(",") if isinstance(slots, str) else slots)]
        unknown = [s for s in given if s != "-" and s not in questions]
        if unknown:
            raise ClasslabError(f"--slots: {', '.join(unknown)} not in the key (it answers {', '.join(ids)})")
        if len(given) != len(download.slots):
            raise ClasslabError(f"--slots: {len(given)} ids for the {len(download.slots)} responses of "
                                f"{download.path}")
        return {slot: questions[id] for slot, id in zip(download.slots, given) if id != "-"}
    texts = {slot: next((a.texts[slot] for a in download.attempts if a.texts.get(slot, "-") != "-"), None)
             for slot in download.slots}
    if any(text is not None for text in texts.values()):
        found = {slot: _question_of(text, questions) if text is not None else None for slot, text in texts.items()}
        if not any(found.values()):
            raise ClasslabError(f"{download.path}: none of its questions is one of the key's ({len(texts)} questions, "
                                "none with a text of this key): the download of another quiz? Grade it with that "
                                "quiz's key, or map the slots with --slots 1.1,1.2,...")
        for slot, q in found.items():
            if q is None:
                text = texts[slot]
                shown = f"'{text[:60]}...'" if text else "no text"
                raise ClasslabError(f"{download.path}: Question {slot} ({shown}) is none of the key's questions; "
                                    "map the slots with --slots 1.1,1.2,... ('-' skips one)")
        return found
    if len(download.slots) != len(ids):
        raise ClasslabError(f"{download.path}: {len(download.slots)} responses per attempt, but the key has {len(ids)} "
                            "questions and the download has no 'Question N' columns to tell them apart; map the "
                            "slots with --slots 1.1,1.2,... ('-' skips one)")
    return dict(zip(download.slots, questions.values()))


def _words(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


def _question_of(text, questions):
    """The key question whose text is ``text`` (Moodle's summary of it: the plain text, spaced anew), or None."""
    return next((q for q in questions.values() if _words(q.text) == _words(text)), None)


def _by_student(attempts):
    """The attempts grouped by student (e-mail, else name), in the download's order."""
    groups = {}
    for a in attempts:
        groups.setdefault(a.student, []).append(a)
    return list(groups.values())


def _marked(overview, download, mapping):
    """Moodle's marks of each attempt of the Responses download (by student and order), from the Grades download;
    one clear line where it is another quiz's."""
    points = {slot: q.points for slot, q in mapping.items()}
    wrong = {slot: m for slot, m in overview.maxima.items() if slot in points and m is not None and
             abs(m - points[slot]) > 1e-9}
    if set(points) - set(overview.maxima) or wrong:
        raise ClasslabError(f"{overview.path}: its questions ({len(overview.maxima)}, marked out of "
                            f"{', '.join(f'{m:g}' for m in overview.maxima.values())}) are not the key's and the "
                            f"Responses download's ({len(points)}, out of "
                            f"{', '.join(f'{p:g}' for p in points.values())}): the Grades download of another quiz?")
    by_student = {}
    for m in overview.attempts:
        by_student.setdefault(m.student, []).append(m)
    out, matched = {}, 0
    for attempts in _by_student(download.attempts):
        for i, a in enumerate(attempts):
            found = by_student.get(a.student, [])
            if i < len(found):
                out[id(a)] = found[i]
                matched += 1
    if not matched:
        raise ClasslabError(f"{overview.path}: none of its attempts is one of {download.path}'s: the Grades download "
                            "of another quiz or class?")
    return out


# ----------------------------------------------------------------------------- grading


def _graded_class(download, mapping, marked):
    """Every attempt of every student, graded under every language's separators, with Moodle's marks and the
    separators that reproduce them."""
    out = []
    for attempts in _by_student(download.attempts):
        history = []
        for i, a in enumerate(attempts, start=1):
            m = marked.get(id(a)) if marked is not None else None
            marks = {q.id: m.marks.get(slot) for slot, q in mapping.items()} if m is not None else None
            g = _Graded(i, a, {sep: _answers(a, mapping, sep, marks) for sep in WAYS}, marks)
            g.fits = _fits(g, mapping, download, marked is not None)
            history.append(g)
        out.append(history)
    return out


def _answers(attempt, mapping, sep, marks):
    """The attempt's answers read with ``sep``. A '-' cell is Moodle's mark for an empty answer, and also what a
    student typed who typed '-': the Grades download tells them apart (no mark: empty; a mark: typed)."""
    answers = {}
    for slot, q in mapping.items():
        typed = attempt.responses.get(slot, "-")
        if attempt.state in RUNNING:
            answers[q.id] = {"response": typed, "value": None, "verdict": "in-progress", "pitfall": None,
                             "feedback": "The attempt is still in progress: Moodle's download shows none of its answers.",
                             "points": None}
            continue
        lost = slot in attempt.lost
        dash = typed == "-"
        typed_dash = dash and marks is not None and marks.get(q.id) is not None
        # A response the download lost began with '=': never a number, never the five classes (see moodle.tables)
        v = q.judge("=" if lost else "" if dash and not typed_dash else typed, sep,
                    digits_known=slot not in attempt.as_numbers)
        feedback = v.feedback
        if dash and marks is None and v.verdict == "unanswered":
            feedback = ("No answer given (or a typed '-': Moodle's download shows both as '-', and either earns "
                        "nothing).")
        answer = {"response": "" if lost else typed, "value": v.value, "verdict": v.verdict, "pitfall": v.pitfall,
                  "feedback": feedback, "points": None if v.verdict == "manual" else round(q.points * v.credit, 6)}
        if lost:
            answer["lost"] = ("the download lost this response (Moodle's ODS writer breaks a response that starts "
                              "with '='); its text is in the CSV or Excel download")
        answers[q.id] = answer
    return answers


def _shape(answers):
    """What a reading changes in an attempt's answers: the numbers read, the verdicts and the points."""
    return {id: (a["value"], a["verdict"], a["points"]) for id, a in answers.items()}


def _close(ours, theirs):
    return abs((ours or 0.0) - (theirs or 0.0)) <= MARK_SLACK


def _fits(g, mapping, download, per_answer):
    """The separators under which classlab's points reproduce Moodle's marks of this attempt: per answer (a Grades
    download), else its grade (the Grade column, once nothing waits for a teacher); None where the marks say
    nothing (an unfinished attempt, no marks)."""
    a = g.attempt
    auto = [q for q in mapping.values() if q.kind != "figure"]
    if not a.finished:
        return None
    if per_answer:
        if g.marks is None:
            return None
        return tuple(sep for sep in WAYS if all(_close(g.ways[sep][q.id]["points"], g.marks[q.id]) for q in auto))
    if download.grade_max is None or len(mapping) != len(download.slots) or a.grade is None:
        return None
    scale = download.grade_max / sum(q.points for q in mapping.values())
    by_hand = sum(q.points for slot, q in mapping.items() if q.kind == "figure" and
                  a.responses.get(slot, "-") not in ("", "-")) * scale
    out = []
    for sep in WAYS:
        ours = sum(g.ways[sep][q.id]["points"] or 0.0 for q in auto) * scale
        if ours - MARK_SLACK <= a.grade <= ours + by_hand + MARK_SLACK:
            out.append(sep)
    return tuple(out)


def _tell(g, mapping):
    """Each answer's feedback and separator note, true to Moodle: written under the reading(s) that reproduce
    Moodle's mark of that answer (or of the attempt), and stating Moodle's mark wherever it is known. Where the
    readings Moodle's marks allow read a number differently, each is said."""
    chosen = g.choice.separators
    base = [sep for sep in WAYS if sep in g.fits] if g.fits else [chosen]
    if chosen in base:  # the chosen reading first: its words where the others agree with it
        base.remove(chosen)
        base.insert(0, chosen)
    for q in mapping.values():
        answer = g.answers[q.id]
        mark_known = g.marks is not None and q.kind != "figure" and g.attempt.finished
        told, gap = base, False
        if mark_known:
            mark = g.marks[q.id]
            answer["moodle_mark"] = mark
            told = [sep for sep in base if _close(g.ways[sep][q.id]["points"], mark)] or \
                [sep for sep in WAYS if _close(g.ways[sep][q.id]["points"], mark)]
            gap, told = not told, told or [chosen]
        heard = {}
        for sep in told:
            heard.setdefault(json.dumps(_shape({q.id: g.ways[sep][q.id]})), []).append(sep)
        if len(heard) == 1:
            first = told[0]
            said = g.ways[first][q.id]["feedback"]
            slip = _slip(q, g.ways, first) if q.kind == "numerical" and "lost" not in answer else None
            if slip:
                answer["separator"] = slip
                if slip["kind"] == "cost" and g.ways[first][q.id]["verdict"] != "separator":
                    said += f" {slip['advice']}"
        else:
            typed = shown(answer["response"])
            said = (f"How Moodle read {typed} depends on the language this attempt started in, and its marks do not "
                    "tell which. " + " ".join(f"Read {way(seps[0])}, it is {_value(g.ways[seps[0]][q.id]['value'])}: "
                                              f"{g.ways[seps[0]][q.id]['feedback']}" for seps in heard.values()))
        if mark_known:
            said += f" Moodle's mark: {_mark(g.marks[q.id])} of {q.points:g}."
            if gap:
                said += f" (This key gives {answer['points'] or 0:g}: your instructor will look into the difference.)"
        answer["feedback"] = said


def _value(v):
    return "no number" if v is None else write_number(v)


def _mark(mark):
    return "none (no answer)" if mark is None else f"{mark:g}"


def _slip(q, ways, sep):
    """Where reading the answer with the other common separators changes what it earns: both readings, a note
    for the instructor and the advice for the student."""
    other = sep.swapped()
    ours, theirs = ways[sep][q.id], ways[other][q.id]
    if ours["value"] is None or theirs["value"] is None or theirs["points"] == ours["points"]:
        return None
    typed = shown(ours["response"])
    kind = "cost" if theirs["points"] > ours["points"] else "gain"
    said = {"accepted": "accepted", "digits": "accepted", "separator": "a separator slip", "percent": "a percentage",
            "corrected": "the corrected protocol's number"}.get(theirs["verdict"], "no match")
    meant = write_number(theirs["value"])
    note = (f"Moodle read {typed} as {write_number(ours['value'])}, {way(sep)}, worth {ours['points']:g} of "
            f"{q.points:g}; read {way(other)}, it is {meant}: {said} ({theirs['points']:g}).")
    note += " Most likely meant as Moodle read it; review it if not." if kind == "gain" else ""
    return {"kind": kind, "read_as": ours["value"], "points": ours["points"],
            "other": {"separators": {"decimal": other.decimal, "thousands": other.thousands},
                      "value": theirs["value"], "verdict": theirs["verdict"], "points": theirs["points"]},
            "note": note, "advice": f"Type {meant}, which every language reads alike."}


def _student(history, mapping, which):
    chosen, why = _chosen(history, which)
    attempt = chosen.attempt
    return {"surname": attempt.lastname, "first_name": attempt.firstname, "email": attempt.email,
            "state": attempt.state_text, "attempts": len(history), "attempt": chosen.index, "why": why,
            "waiting": [{"attempt": g.index, "questions": _waits(g, mapping)} for g in history
                        if g.attempt.finished and g.attempt.grade is None and _waits(g, mapping)],
            "moodle_grade": attempt.grade_text, "reading": _attempt_reading(chosen), "answers": chosen.answers,
            "points": chosen.points, "max_points": round(sum(q.points for q in mapping.values()), 6),
            "points_to_grade_by_hand": round(sum(q.points for q in mapping.values() if q.kind == "figure"), 6),
            "history": [{"attempt": g.index, "state": g.attempt.state_text, "finished": g.attempt.finished,
                         "waiting": g.attempt.finished and g.attempt.grade is None and bool(_waits(g, mapping)),
                         "moodle_grade": g.attempt.grade_text, "reading": _attempt_reading(g), "points": g.points,
                         "answers": g.answers} for g in history]}


def _waits(g, mapping):
    """The questions graded by hand that the attempt answered: Moodle's grade for it waits for a teacher."""
    return [q.id for slot, q in mapping.items() if q.kind == "figure" and g.attempt.responses.get(slot, "-") not in
            ("", "-")]


def _attempt_reading(g):
    c = g.choice
    return {"lang": c.lang, "separators": {"decimal": c.separators.decimal, "thousands": c.separators.thousands},
            "from": c.source, "fits": None if c.fits is None else sorted({langs(s)[0] for s in c.fits},
                                                                         key=[langs(s)[0] for s in WAYS].index),
            "alike": g.alike}
def _chosen(history, which):
    """The attempt that counts, and why: Moodle grades finished attempts only; "best" is its "highest grade",
    which skips an attempt whose grade waits for a teacher."""
    finished = [g for g in history if g.attempt.finished]
    pool = finished or history
    if which == "first":
        return pool[0], "the first finished attempt" if finished else "no finished attempt: the first"
    if which == "last":
        return pool[-1], "the last finished attempt" if finished else "no finished attempt: the last"
    if not finished:
        return history[-1], "no finished attempt: the last (Moodle grades none of them)"
    if len(finished) == 1:
        return finished[0], "the only finished attempt"
    by_moodle = [g for g in finished if g.attempt.grade is not None]
    waiting = [g.index for g in finished if g.attempt.grade is None]
    if by_moodle:
        best = max(by_moodle, key=lambda g: (g.attempt.grade, -g.index))  # the earliest of equal grades
        skipped = (f"; attempt{'s' if len(waiting) > 1 else ''} {', '.join(map(str, waiting))} "
                   f"ha{'ve' if len(waiting) > 1 else 's'} no grade yet (a question waits for a teacher), and Moodle "
                   "skips it until then") if waiting else ""
        return best, f"Moodle's highest grade: attempt {best.index}, {best.attempt.grade_text}{skipped}"
    best = max(finished, key=lambda g: (g.points, -g.index))
    return best, ("no finished attempt has a grade from Moodle in this download (a question waits for a teacher, "
                  "or no Grade column): the highest of classlab's points")


def _points(answers):
    return round(sum(a["points"] or 0.0 for a in answers.values()), 6)


# ----------------------------------------------------------------------------- Moodle's marks as the judge


def _compare(graded, mapping, download, marked, grades_path, key_dir, run, options):
    """classlab's points against Moodle's marks, per answer (a Grades download) or per attempt (the Grade column):
    each difference with its reason (``separators``: the attempt's marks are another reading's, under --lang;
    ``key``: no reading explains them), and the advice under which every difference disappears."""
    auto = [q for q in mapping.values() if q.kind != "figure"]
    per_answer = marked is not None
    attempts = [g for history in graded for g in history if g.fits is not None]
    if not per_answer and (download.grade_max is None or len(mapping) != len(download.slots)):
        return {"source": None, "compared": 0, "agree": 0, "differences": [], "advice": None}
    found, compared = [], 0
    for g in attempts:
        chosen = g.choice.separators
        if per_answer:
            compared += len(auto)
            for q in auto:
                ours, theirs = g.answers[q.id]["points"] or 0.0, g.marks[q.id] or 0.0
                if not _close(ours, theirs):
                    explained = next((s for s in WAYS if _close(g.ways[s][q.id]["points"], theirs)), None)
                    found.append((g, q, ours, theirs, explained))
        else:
            compared += 1
            if chosen not in g.fits:
                scale = download.grade_max / sum(q.points for q in mapping.values())
                ours = round(sum(g.answers[q.id]["points"] or 0.0 for q in auto) * scale, 6)
                found.append((g, None, ours, g.attempt.grade, g.fits[0] if g.fits else None))
    source = f"the Grades download {Path(grades_path).name}" if per_answer else \
        f"the Grade column of {download.path.name}"
    result = {"source": source, "per": "answer" if per_answer else "attempt", "compared": compared,
              "agree": compared - len(found), "differences": [], "advice": None}
    for g, q, ours, theirs, explained in found:
        entry = {"student": g.name, "attempt": g.index, "question": q.id if q else None,
                 "response": g.answers[q.id]["response"] if q else None, "classlab": ours, "moodle": theirs}
        if explained is not None:
            entry["reason"] = "separators"
            entry["why"] = (f"Moodle read this attempt's numbers {way(explained)}, as its marks show; --lang reads "
                            f"them {way(g.choice.separators)}")
        else:
            entry["reason"] = "key"
            entry["why"] = ("no reading of the separators explains it: was the quiz imported from another key (another "
                            "run, --corrected-credit or --separator-slips), or edited in Moodle?")
        result["differences"].append(entry)
    if found and all(d["reason"] == "separators" for d in result["differences"]):
        result["advice"] = "leave out --lang: each attempt is then read as its marks show"
    elif found:
        result["advice"] = _other_options(found, mapping, key_dir, run, options, download, per_answer)
    return result


def _other_options(found, mapping, key_dir, run, options, download, per_answer):
    """The key options (another --corrected-credit or --separator-slips) under which Moodle's marks of every
    attempt that differs are reproduced, in some language's reading: the quiz Moodle imported was written so."""
    attempts = list({id(g): g for g, *_ in found}.values())
    tries = [{"corrected_credit": f} for f in FRACTIONS if f != options.corrected_credit] + \
        [{"separator_slips": s} for s in SLIPS if s != options.separator_slips] + \
        [{"corrected_credit": f, "separator_slips": s} for f in FRACTIONS for s in SLIPS
         if f != options.corrected_credit and s != options.separator_slips]
    for change in tries:
        tried = {"corrected_credit": options.corrected_credit, "separator_slips": options.separator_slips} | change
        questions = {q.id: q for q in build_key(run, key_dir, **tried)}
        remapped = {slot: questions[q.id] for slot, q in mapping.items()}
        if all(_reproduced(g, remapped, download, per_answer) for g in attempts):
            return " ".join(f"--{name.replace('_', '-')} {value:g}" if isinstance(value, float) else
                            f"--{name.replace('_', '-')} {value}" for name, value in change.items())
    return None


def _reproduced(g, mapping, download, per_answer):
    """Whether some reading reproduces the attempt's marks with the key of ``mapping``."""
    trial = _Graded(g.index, g.attempt, {sep: _answers(g.attempt, mapping, sep, g.marks) for sep in WAYS}, g.marks)
    return bool(_fits(trial, mapping, download, per_answer))


def _reading(reading, students, download, lang):
    """How the class's numbers were read: the class's reading (for attempts whose marks say nothing) and where it
    comes from, and each attempt's, grouped by reading and source, with the students."""
    sep, source = reading
    groups = {}
    for s in students:
        for h in s["history"]:
            r = h["reading"]
            if h["answers"] and all(a["verdict"] == "in-progress" for a in h["answers"].values()):
                continue
            name = ", ".join(p for p in (s["surname"], s["first_name"]) if p) + \
                (f" (attempt {h['attempt']})" if s["attempts"] > 1 else "")
            groups.setdefault((r["lang"], r["from"]), []).append(name)
    why = {"flag": f"--lang {lang}",
           "moodle-marks": "the reading Moodle's marks show for every attempt they decide",
           "headings": f"the language of the download's headings ({download.pack}): no attempt's marks tell"}[source]
    return {"lang": langs(sep)[0], "separators": {"decimal": sep.decimal, "thousands": sep.thousands},
            "from": source, "why": why,
            "attempts": [{"lang": code, "from": src, "students": names} for (code, src), names in groups.items()]}


# ----------------------------------------------------------------------------- the class


def _questions(mapping, students):
    out = {}
    for slot, q in mapping.items():
        answers = [s["answers"][q.id] for s in students]
        counts = {v: sum(a["verdict"] == v for a in answers) for v in VERDICTS}
        judged = [a for a in answers if a["verdict"] not in ("manual", "in-progress")]
        credits = [(a["points"] or 0.0) / q.points for a in judged] if q.points else []
        out[q.id] = {"slot": slot, "name": q.name, "text": q.text, "kind": q.kind, "points": q.points,
                     "digits": q.digits, "step": q.step, "accepted": q.accepted, "ranges": q.ranges,
                     "pitfall": next((e.pitfall for e in q.entries if e.variant == "corrected"), None),
                     "counts": counts,
                     "accepted_share": (counts["accepted"] + counts["digits"]) / len(judged) if judged else None,
                     "facility": statistics.fmean(credits) if credits else None,
                     "moodle_facility": _moodle_facility(judged, q.points),
                     "values": [[a["value"], a["verdict"]] for a in answers if a["value"] is not None]}
    return out


def _moodle_facility(judged, points):
    """The mean share of the marks Moodle gave this question in the attempts that count (a Grades download gives
    them per answer); None where some of them are not in the download."""
    marks = [a.get("moodle_mark", "none") for a in judged]
    if not marks or not points or "none" in marks:
        return None
    return statistics.fmean((m or 0.0) / points for m in marks)


def _name(s):
    return ", ".join(p for p in (s["surname"], s["first_name"]) if p)


def _remarks(mapping, students, differences):
    """What the instructor should re-mark or grade in Moodle: every answer that waits for a teacher, lost marks to
    a separator slip, or differs from this key for no reason of the separators; per question (Moodle's slot
    order), then by last name, as Moodle's Manual grading report lists them (Order attempts by: Last name)."""
    differ = {(d.get("student"), d["attempt"], d["question"]): d for d in differences if d["reason"] == "key"}
    out = []
    for slot, q in mapping.items():
        for s in sorted(students, key=lambda s: (s["surname"].casefold(), s["first_name"].casefold())):
            name = _name(s)
            for h in s["history"]:
                a = h["answers"][q.id]
                row = {"question": q.id, "slot": slot, "name": q.name, "surname": s["surname"],
                       "first_name": s["first_name"], "email": s["email"], "attempt": h["attempt"],
                       "typed": a["response"], "moodle_mark": a.get("moodle_mark"), "mark_known": "moodle_mark" in a,
                       "out_of": q.points,
                       "comment": a["feedback"]}
                if not h["finished"]:
                    continue
                if a["verdict"] == "manual" and h["waiting"]:
                    until = f"until then Moodle counts attempt {s['attempt']}" if s["attempt"] != h["attempt"] else \
                        "until then the attempt has no grade in Moodle"
                    out.append(row | {"why": "waiting", "set": None, "comment": "",
                                      "note": f"grade it in Moodle, then download the Responses again; {until}"})
                elif a.get("separator", {}).get("kind") == "cost":
                    slip = a["separator"]
                    out.append(row | {"why": "separator", "set": slip["other"]["points"],
                                      "note": f"{slip['note']} Set it if you accept the number as meant."})
                elif (name, h["attempt"], q.id) in differ:
                    d = differ[(name, h["attempt"], q.id)]
                    out.append(row | {"why": "difference", "set": d["classlab"],
                                      "note": f"Moodle gave {d['moodle']:g}, this key gives {d['classlab']:g}: "
                                              f"{d['why']} Set it only if the key is the quiz's."})
    return out


def _pitfalls(run, mapping, students):
    """Each pitfall the class's numbers point to: how many students, on which questions, in the key's words."""
    known = {p["id"]: p for p in run.get("pitfalls", [])}
    out, who = {}, {}
    for q in mapping.values():
        pitfall = next((e.pitfall for e in q.entries if e.variant == "corrected" and e.pitfall), None)
        if pitfall is None:
            continue
        hit = {i for i, s in enumerate(students) if s["answers"][q.id]["verdict"] == "corrected"}
        corrected = next(e for e in q.entries if e.variant == "corrected" and not e.slip)
        entry = out.setdefault(pitfall, {"what": known.get(pitfall, {}).get("what", corrected.feedback),
                                         "where": known.get(pitfall, {}).get("where", ""), "questions": {}})
        entry["questions"][q.id] = len(hit)
        who[pitfall] = who.get(pitfall, set()) | hit
    for pitfall, entry in out.items():
        entry["students"] = len(who[pitfall])
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["students"]))


def _mistakes(mapping, students):
    """The other ways a number went wrong, per verdict: how many students, on which questions."""
    out = {}
    for verdict in ("separator", "rounding", "digits", "no-match", "invalid", "unanswered"):
        questions = {q.id: sum(s["answers"][q.id]["verdict"] == verdict for s in students) for q in mapping.values()}
        who = {i for i, s in enumerate(students) if any(a["verdict"] == verdict for a in s["answers"].values())}
        out[verdict] = {"students": len(who), "questions": {k: v for k, v in questions.items() if v}}
    return out
