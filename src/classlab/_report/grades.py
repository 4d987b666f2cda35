"""The views of a graded class (``classlab grade``): class.html for the instructor, grades.csv and
feedback.csv for a spreadsheet, and the notebook's summary.

Every string from the export (names, e-mails, responses) is data: HTML-escaped in the page, whose
Content-Security-Policy loads nothing and runs no script; and formula-safe in the CSV files (a cell a
spreadsheet would run as a formula gets a leading ``'``, the OWASP rule).
"""

import csv
import io
from html import escape

from ..moodle.numbers import shown
from ..moodle.readings import way
from ..moodle.words import separators
from .common import data_uri
from .html import CSS, table

VERDICT_WORDS = {"accepted": "accepted", "digits": "accepted, not rounded as asked",
                 "corrected": "the corrected protocol (a pitfall)", "separator": "a separator slip (0,27 read as 27)",
                 "percent": "a percentage (27% for 0.27)",
                 "rounding": "just outside (rounding)", "no-match": "matches no run", "unanswered": "unanswered",
                 "invalid": "not a number", "manual": "to grade by hand", "in-progress": "attempt in progress"}
COLORS = {"accepted": "#2e7d32", "digits": "#66bb6a", "corrected": "#ef6c00", "separator": "#0277bd", "percent": "#00838f",
          "rounding": "#8e24aa", "no-match": "#c62828", "invalid": "#757575"}
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"  # nothing loaded, no script run
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value):
    """A cell as a spreadsheet can open it safely: text that would start a formula gets a leading ' (a lone '-',
    Moodle's mark for no answer, starts none)."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and value != "-":
        return "'" + value
    return value


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return "\ufeff" + out.getvalue()  # the BOM: spreadsheets read the file as UTF-8


def _name(s):
    return ", ".join(p for p in (s["surname"], s["first_name"]) if p)


def grades_csv(doc):
    """One row per student: identity, points, and per question the response, its verdict and points."""
    ids = list(doc["questions"])
    head = ["Surname", "First name", "Email address", "State", "Attempts", "Attempt graded", "Points", "Max points",
            "Points to grade by hand"]
    head += [f"{id} {part}" for id in ids for part in ("response", "verdict", "points")]
    rows = [head]
    for s in doc["students"]:
        row = [s["surname"], s["first_name"], s["email"], s["state"], s["attempts"], s["attempt"], s["points"],
               s["max_points"], s["points_to_grade_by_hand"]]
        for id in ids:
            a = s["answers"][id]
            row += [a["response"], a["verdict"], "" if a["points"] is None else a["points"]]
        rows.append(row)
    return _csv(rows)


def counted(student):
    """Which attempt counts, and why, and which wait for a teacher; "" for a single attempt Moodle has graded."""
    waiting = student.get("waiting", [])
    if student["attempts"] < 2:
        return "" if not waiting else (f"Moodle's grade for your attempt waits for a teacher to grade "
                                       f"{_and(waiting[0]['questions'])}.")
    line = f"Attempt {student['attempt']} of {student['attempts']} counts: {student['why']}."
    for w in waiting:
        line += f" Attempt {w['attempt']} waits for a teacher to grade {_and(w['questions'])}."
    return line


def _and(items):
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def feedback_text(student):
    """The text to send a student: which attempt counts, then every answer with what it means in the key's words
    and, where Moodle gave a mark, that mark."""
    lines = [line for line in [counted(student)] if line]
    for id, a in student["answers"].items():
        extra = [f"Note: {a['lost']}."] if a.get("lost") else []
        lines.append(" ".join([f"{id} ({shown(a['response'])}): {a['feedback']}", *extra]))
    return "\n".join(lines)


def feedback_csv(doc):
    """Per student the text to send back: each answer with what it means, in the key's words."""
    rows = [["Surname", "First name", "Email address", "Points", "Max points", "Feedback"]]
    for s in doc["students"]:
        rows.append([s["surname"], s["first_name"], s["email"], s["points"], s["max_points"],
                     feedback_text(s)])
    return _csv(rows)


# ----------------------------------------------------------------------------- class.html


def _figure(q):
    """The class's numbers for one question against the faithful and the corrected ranges (a strip plot)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    values = np.asarray([v for v, _ in q["values"]], dtype=float)
    verdicts = np.asarray([verdict for _, verdict in q["values"]])
    bands = []
    for variant, color in (("faithful", "#2e7d32"), ("corrected", "#ef6c00")):
        r = q["ranges"].get(variant)
        if not r:
            continue
        points = [float(v) for v in r["values"] if _is_number(v)] if "values" in r else [r["low"], r["high"]]
        if points:
            bands.append((variant, color, min(points) - q["step"] / 2, max(points) + q["step"] / 2, "values" in r,
                          points))
    if not bands and not len(values):
        return None
    low = min([b[2] for b in bands] + ([] if bands else list(values)))
    high = max([b[3] for b in bands] + ([] if bands else list(values)))
    pad = max(10 * q["step"], (high - low) * 0.6, 1e-9)
    near = values[(values >= low - 5 * pad) & (values <= high + 5 * pad)]  # far-off numbers: counted at the edge
    low, high = min([low - pad, *near]), max([high + pad, *near])
    margin = 0.05 * (high - low)
    low, high = low - margin, high + margin
    fig, ax = plt.subplots(figsize=(7.5, 1.9))
    for variant, color, lo, hi, discrete, points in bands:
        for lo_, hi_ in ([(v - q["step"] / 2, v + q["step"] / 2) for v in points] if discrete else [(lo, hi)]):
            ax.axvspan(lo_, hi_, color=color, alpha=0.18)
        ax.plot([], [], color=color, alpha=0.4, lw=8, label=f"{variant} range")
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, len(values))  # the same page for the same class
    shown = (values >= low) & (values <= high)
    for verdict, color in COLORS.items():
        mask = shown & (verdicts == verdict)
        if mask.any():
            ax.scatter(values[mask], jitter[mask], s=16, color=color, alpha=0.8, zorder=3, label=verdict)
    below, above = int((values < low).sum()), int((values > high).sum())
    for count, x, ha in ((below, low, "left"), (above, high, "right")):
        if count:
            ax.annotate(f"{count} outside {'<' if ha == 'left' else '>'}", (x, 0.38), ha=ha, fontsize=7)
    ax.set_xlim(low, high)
    ax.set_ylim(-0.5, 0.5)
    ax.set_yticks([])
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(f"{q['name']}: the class's numbers ({len(values)})", fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return data_uri(buffer.getvalue())


def _is_number(v):
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _share(x):
    return "" if x is None else f"{100 * x:.0f}%"


def _ranges_text(q):
    if q["kind"] == "figure":
        return "a figure, graded by hand"
    parts = []
    for variant, r in q["ranges"].items():
        shown = ", ".join(map(str, r["values"])) if "values" in r else (
            f"{r['low']:g}" if r["low"] == r["high"] else f"{r['low']:g}-{r['high']:g}")
        parts.append(f"{variant}: {shown}")
    return "; ".join(parts)


def summary_html(doc):
    """What the class got wrong, and the verdicts per question (the page's top, and the notebook's display)."""
    n = len(doc["students"])
    parts = [f'<p class="quick">{escape(b)}</p>' for b in doc["key"]["banners"]]
    parts.append(f'<p id="class-size">{n} student{"s" if n != 1 else ""}, {doc["source"]["attempts"]} attempt(s) in '
                 f'{escape(doc["source"]["file"])}; graded by the {escape(doc["attempt"])} attempt.</p>')
    parts.append(f'<p id="reading">{escape(reading_line(doc, names=False))}</p>')
    parts += [f'<p class="note">{escape(note)}</p>' for note in doc["key"]["notes"] + doc["source"]["notes"]]
    warn = ' class="quick"' if doc["moodle"]["differences"] else ""
    parts.append(f'<p id="moodle-marks"{warn}>{escape(moodle_line(doc))}</p>')
    parts.append("<h2>What the class got wrong</h2>")
    rows = [[pid, p["what"], p["students"], ", ".join(f"{q} ({k})" for q, k in p["questions"].items() if k) or "-"]
            for pid, p in doc["pitfalls"].items()]
    rows += [[VERDICT_WORDS[v], "", m["students"], ", ".join(f"{q} ({k})" for q, k in m["questions"].items()) or "-"]
             for v, m in doc["mistakes"].items() if m["students"]]
    parts.append(table(["pitfall or mistake", "what it is", "students", "questions (how many)"], rows, "mistakes"))
    head = ["#", "points", "accepted range", "accepted (facility)"] + [VERDICT_WORDS[v] for v in VERDICT_WORDS]
    rows = [[id, f"{q['points']:g}", _ranges_text(q) or q["accepted"], f"{_share(q['accepted_share'])} "
             f"({_share(q['facility'])})"] + [q["counts"][v] for v in VERDICT_WORDS] for id, q in doc["questions"].items()]
    parts.append(table(head, rows, "verdicts"))
    return "\n".join(parts)


SOURCE_WORDS = {"moodle-marks": "as their own marks show", "class": "the class's way (their marks do not tell)",
                "headings": "the headings' way (their marks do not tell)", "flag": "as --lang says"}


def reading_line(doc, names=True):
    """How the class's numbers were read: per attempt (and whose, with ``names``), and why."""
    r = doc["reading"]
    parts = []
    for group in r["attempts"]:
        n = len(group["students"])
        parts.append(f"{n} attempt{'s' if n != 1 else ''} read {way(separators(group['lang']))}, "
                     f"{SOURCE_WORDS[group['from']]}" + (f": {'; '.join(group['students'])}" if names else ""))
    head = "Numbers read per attempt, as Moodle read them" if r["from"] != "flag" else \
        f"Numbers read with the separators of --lang {r['lang']}, for every attempt"
    return (f"{head}. " + ". ".join(parts) + f". The class's way: {way(separators(r['lang']))}, {r['why']}.")


def moodle_line(doc):
    """How classlab's points compare with Moodle's marks."""
    m = doc["moodle"]
    if not m["source"]:
        return "Moodle's marks: none in this download to compare with (give the Grades download beside it)."
    per = "answers" if m["per"] == "answer" else "graded attempts"
    line = f"Moodle's marks ({m['source']}): {m['agree']} of {m['compared']} {per} agree"
    if m["differences"]:
        line += f"; {len(m['differences'])} differ (listed below)"
    if m.get("advice"):
        line += f". Every difference disappears {'with' if m['advice'].startswith('--') else 'when you'} {m['advice']}"
    return line + "."


def slips(doc):
    """The answers whose worth Moodle's reading of a separator changed: (student, question, answer)."""
    return [(s, id, a) for s in doc["students"] for id, a in s["answers"].items() if a.get("separator")]


def _review_html(doc):
    parts = []
    found = slips(doc)
    if found:
        parts.append("<h2>Separators to review</h2><p>Moodle read these numbers with the separators of the students' "
                     "language; read the other way they would earn something else. Review them (Moodle's mark stands "
                     "until a teacher overrides it).</p>")
        rows = [[_name(s), id, a["response"], f"{a['separator']['read_as']:g}", f"{a['points']:g}",
                 "" if a.get("moodle_mark") is None else f"{a['moodle_mark']:g}",
                 f"{a['separator']['other']['value']:g}", a["separator"]["other"]["verdict"],
                 f"{a['separator']['other']['points']:g}", "lost marks" if a["separator"]["kind"] == "cost" else
                 "marks by this reading only"] for s, id, a in found]
        parts.append(table(["student", "#", "typed", "read as", "points", "Moodle's mark", "read the other way",
                            "verdict", "would earn", ""], rows, "separators"))
    differences = doc["moodle"]["differences"]
    if differences:
        parts.append("<h2>Where classlab and Moodle differ</h2>")
        rows = [[d.get("student", "-"), d["attempt"], d["question"] or "all", "" if d["response"] is None else
                 d["response"], f"{d['classlab']:g}", f"{d['moodle']:g}", d["reason"], d["why"]] for d in differences]
        parts.append(table(["student", "attempt", "#", "typed", "classlab", "Moodle", "reason", "why"], rows,
                           "differences"))
    return "\n".join(parts)


def waiting(doc):
    """The attempts whose grade waits for a teacher in Moodle: (student, attempt, questions, counts now)."""
    return [(s, w["attempt"], w["questions"], s["attempt"]) for s in doc["students"] for w in s.get("waiting", [])]


def _todo_html(doc):
    found = waiting(doc)
    if not found:
        return ""
    items = [f"<li>{escape(_name(s))}, attempt {n}: grade {escape(', '.join(qs))} in Moodle (Results &gt; Manual "
             f"grading), then download the Responses again. "
             + (f"Until then Moodle counts attempt {counts} ({escape(s['why'])}).</li>" if counts != n else
                "Until then the attempt has no grade in Moodle.</li>")
             for s, n, qs, counts in found]
    return (f'<h2 id="todo">Waiting for you in Moodle</h2><p>{len(found)} attempt{"s" if len(found) != 1 else ""} '
            "wait for a teacher's grade; Moodle's grades and this page change once they have one.</p>"
            f"<ul>{''.join(items)}</ul>")


def _readings_html(doc):
    """Which separators read whose attempts, and why."""
    r = doc["reading"]
    items = [f"<li>{len(g['students'])} read {escape(way(separators(g['lang'])))}, {escape(SOURCE_WORDS[g['from']])}: "
             f"{escape('; '.join(g['students']))}</li>" for g in r["attempts"]]
    return (f'<h2 id="readings">How each attempt\'s numbers were read</h2><p>Moodle reads an attempt\'s numbers with '
            f"the separators of the language the attempt started in. The class's way, for attempts whose marks do "
            f"not tell: {escape(way(separators(r['lang'])))}, {escape(r['why'])}.</p><ul>{''.join(items)}</ul>")


def class_page(doc):
    """class.html: one self-contained page (figures embedded, nothing loaded, no script)."""
    body = ["<h1>Problem Set 10: the class's answers</h1>", summary_html(doc), _todo_html(doc), _review_html(doc),
            _readings_html(doc), "<h2>Per question</h2>"]
    for id, q in doc["questions"].items():
        body.append(f'<h3 id="q{escape(id)}">{escape(q["name"])}</h3><p class="note">{escape(q["text"])}</p>')
        body.append(f"<p>Accepted: {escape(_ranges_text(q))}</p>")
        figure = _figure(q) if q["kind"] == "numerical" else None
        if figure:
            body.append(f'<figure><img alt="the class\'s numbers for {escape(id)}" src="{figure}"></figure>')
    body.append("<h2>Students</h2>")
    ids = list(doc["questions"])
    rows = [[_name(s), s["email"], s["state"], s["attempts"], f"{s['points']:g} / {s['max_points']:g}"]
            + [s["answers"][id]["verdict"] for id in ids] for s in doc["students"]]
    body.append(table(["student", "e-mail", "state", "attempts", "points"] + ids, rows, "students"))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>classlab: the class's answers</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
