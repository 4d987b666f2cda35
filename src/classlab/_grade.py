"""``classlab grade``: a class's Moodle Responses download graded against a run's key, with the pitfall behind
each wrong number, and the class's mistakes summed up for the instructor.

Every response is judged by the key's own model (``classlab._key``: what the quiz files tell Moodle and what
``classlab check`` says), read as Moodle reads numbers. One result per student, from the attempt that
``--attempt`` picks (``best``: Moodle's default grading method, the highest grade). Everything is computed
before anything is written; the files go into the grading folder only (``GradeFolder``), each atomically.
Student data are personal: nothing is sent anywhere, and ``anonymize`` replaces names and e-mails by
pseudonyms in every output.
"""

import json
import random
import re
import statistics
from pathlib import Path

from ._atomic import write_text
from .errors import ClasslabError
from ._folder import GradeFolder
from ._key import VERDICTS, build_key, load_run
from ._report.common import banners
from ._responses import read_export

ATTEMPTS = ("best", "first", "last")


class Grades:
    """A graded class: ``students``, ``questions``, ``pitfalls`` (as grades.json holds them) and the files.

    In Jupyter it shows as the class summary: what the class got wrong, and the verdicts per question.
    """

    def __init__(self, doc, folder):
        self.doc, self.folder = doc, GradeFolder(folder)

    students = property(lambda self: self.doc["students"])
    questions = property(lambda self: self.doc["questions"])
    pitfalls = property(lambda self: self.doc["pitfalls"])

    @property
    def paths(self):
        return self.folder.shown()

    def _repr_html_(self):
        from ._report.grades import summary_html

        return summary_html(self.doc)

    def __repr__(self):
        n = len(self.students)
        return f"<Grades of {n} student{'s' if n != 1 else ''} in {self.folder}>"


def grade(key, responses, out=None, attempt="best", anonymize=False, slots=None, corrected_credit=0.0,
          force=False):
    """Grade the Moodle Responses download ``responses`` against the key of the finished run ``key``; write
    grades.json, grades.csv, feedback.csv and class.html into ``out`` (default: a folder beside the download).
    Returns ``Grades``."""
    from ._report.grades import class_page, feedback_csv, grades_csv

    if attempt not in ATTEMPTS:
        raise ClasslabError(f"--attempt: best, first or last, got {attempt!r}")
    key_dir, responses = Path(key), Path(responses)
    run = load_run(key_dir)
    questions = {q.id: q for q in build_key(run, key_dir, corrected_credit)}
    export = read_export(responses)
    mapping = map_slots(export, questions, slots)
    folder = GradeFolder(out if out is not None else responses.with_name(responses.stem + "-graded"))
    _check_folder(folder, force)
    students = [_student(attempts, mapping, attempt) for attempts in _by_student(export.attempts)]
    students.sort(key=lambda s: (s["surname"].casefold(), s["first_name"].casefold(), s["email"].casefold()))
    if anonymize:
        students = pseudonymized(students, export.digest)
    doc = {
        "key": {"run": str(key_dir), "created": run.get("created"), "quick": run.get("quick", False),
                "banners": banners(run), "corrected_credit": _corrected_credit(questions)},
        "source": {"file": responses.name, "format": export.format, "rows": export.rows,
                   "attempts": len(export.attempts), "skipped_rows": export.skipped,
                   "digits_typed": all(a.typed for a in export.attempts)},
        "attempt": attempt, "anonymized": anonymize,
        "questions": _questions(mapping, students),
        "pitfalls": _pitfalls(run, mapping, students),
        "mistakes": _mistakes(mapping, students),
        "students": students,
    }
    files = {folder.grades: json.dumps(doc, indent=2, ensure_ascii=False), folder.grades_csv: grades_csv(doc),
             folder.feedback: feedback_csv(doc), folder.page: class_page(doc)}
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


def _corrected_credit(questions):
    return next((e.fraction for q in questions.values() for e in q.entries if e.variant == "corrected"), 0.0)


def _check_folder(folder, force):
    if folder.path.exists() and not folder.path.is_dir():
        raise ClasslabError(f"{folder}: --out exists and is not a folder")
    if not force and any((folder / name).exists() for name in folder.FILES):
        raise ClasslabError(f"{folder}: holds grades already; choose another --out, or add --force")


def map_slots(export, questions, slots=None):
    """``{slot: KeyQuestion}``: from ``slots`` ("1.1,1.2,-,..."; "-" skips a slot), else from each slot's
    question text (the text classlab's quiz gave it), else by the key's order of questions."""
    ids = list(questions)
    if slots is not None:
        given = [s.strip() for s in (slots.split(",") if isinstance(slots, str) else slots)]
        unknown = [s for s in given if s != "-" and s not in questions]
        if unknown:
            raise ClasslabError(f"--slots: {', '.join(unknown)} not in the key (it answers {', '.join(ids)})")
        if len(given) != len(export.slots):
            raise ClasslabError(f"--slots: {len(given)} ids for the {len(export.slots)} responses of {export.path}")
        return {slot: questions[id] for slot, id in zip(export.slots, given) if id != "-"}
    texts = {slot: next((a.texts[slot] for a in export.attempts if a.texts.get(slot, "-") != "-"), None)
             for slot in export.slots}
    if any(text is not None for text in texts.values()):
        mapping = {}
        for slot, text in texts.items():
            q = _question_of(text, questions) if text is not None else None
            if q is None:
                shown = f"'{text[:60]}...'" if text else "no text"
                raise ClasslabError(f"{export.path}: Question {slot} ({shown}) is none of the key's questions; "
                                    "map the slots with --slots 1.1,1.2,... ('-' skips one)")
            mapping[slot] = q
        return mapping
    if len(export.slots) != len(ids):
        raise ClasslabError(f"{export.path}: {len(export.slots)} responses per attempt, but the key has {len(ids)} "
                            "questions and the download has no 'Question N' columns to tell them apart; map the "
                            "slots with --slots 1.1,1.2,... ('-' skips one)")
    return dict(zip(export.slots, questions.values()))


def _words(text):
    return re.sub(r"\s+", " ", text).strip().casefold()


def _question_of(text, questions):
    """The key question whose text is ``text`` (Moodle's summary of it: the plain text, spaced anew), or None."""
    return next((q for q in questions.values() if _words(q.text) == _words(text)), None)


def _by_student(attempts):
    """The attempts grouped by student, in the export's order."""
    groups = {}
    for a in attempts:
        key = a.email.casefold() if a.email else (a.surname.casefold(), a.first_name.casefold())
        groups.setdefault(key, []).append(a)
    return list(groups.values())


def _graded(attempt, mapping):
    answers = {}
    for slot, q in mapping.items():
        response = attempt.responses.get(slot, "-")
        verdict = q.judge(response, digits_known=attempt.typed)
        answers[q.id] = {"response": response, "value": verdict.value, "verdict": verdict.verdict,
                         "pitfall": verdict.pitfall, "feedback": verdict.feedback,
                         "points": None if verdict.verdict == "manual" else round(q.points * verdict.credit, 6)}
    return answers


def _student(attempts, mapping, which):
    graded = [(a, _graded(a, mapping)) for a in attempts]
    finished = [g for g in graded if g[0].finished] or graded  # Moodle grades finished attempts only
    if which == "first":
        chosen = finished[0]
    elif which == "last":
        chosen = finished[-1]
    else:  # the highest grade; the earliest of equals
        chosen = max(finished, key=lambda g: (_points(g[1]), -graded.index(g)))
    attempt, answers = chosen
    return {"surname": attempt.surname, "first_name": attempt.first_name, "email": attempt.email,
            "state": attempt.state, "attempts": len(attempts), "attempt": graded.index(chosen) + 1,
            "moodle_grade": attempt.grade, "answers": answers, "points": _points(answers),
            "max_points": round(sum(q.points for q in mapping.values()), 6),
            "points_to_grade_by_hand": round(sum(q.points for q in mapping.values() if q.kind == "figure"), 6)}


def _points(answers):
    return round(sum(a["points"] or 0.0 for a in answers.values()), 6)


def _questions(mapping, students):
    out = {}
    for slot, q in mapping.items():
        answers = [s["answers"][q.id] for s in students]
        counts = {v: sum(a["verdict"] == v for a in answers) for v in VERDICTS}
        credits = [(a["points"] or 0.0) / q.points for a in answers if a["verdict"] != "manual"] if q.points else []
        out[q.id] = {"slot": slot, "name": q.name, "text": q.text, "kind": q.kind, "points": q.points,
                     "digits": q.digits, "step": q.step, "accepted": q.accepted, "ranges": q.ranges,
                     "pitfall": next((e.pitfall for e in q.entries if e.variant == "corrected"), None),
                     "counts": counts,
                     "accepted_share": (counts["accepted"] + counts["digits"]) / len(answers) if answers else None,
                     "facility": statistics.fmean(credits) if credits else None,
                     "values": [[a["value"], a["verdict"]] for a in answers if a["value"] is not None]}
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
        entry = out.setdefault(pitfall, {"what": known.get(pitfall, {}).get("what", q.entries[-1].feedback),
                                         "where": known.get(pitfall, {}).get("where", ""), "questions": {}})
        entry["questions"][q.id] = len(hit)
        who[pitfall] = who.get(pitfall, set()) | hit
    for pitfall, entry in out.items():
        entry["students"] = len(who[pitfall])
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["students"]))


def _mistakes(mapping, students):
    """The other ways a number went wrong, per verdict: how many students, on which questions."""
    out = {}
    for verdict in ("rounding", "digits", "no-match", "invalid", "unanswered"):
        questions = {q.id: sum(s["answers"][q.id]["verdict"] == verdict for s in students) for q in mapping.values()}
        who = {i for i, s in enumerate(students) if any(a["verdict"] == verdict for a in s["answers"].values())}
        out[verdict] = {"students": len(who), "questions": {k: v for k, v in questions.items() if v}}
    return out
