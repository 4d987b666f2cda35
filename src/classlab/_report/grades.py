"""The views of a graded class (``classlab grade``): class.html for the instructor, remarks.csv (what to re-mark in
Moodle), grades.csv and feedback.csv for a spreadsheet, and the notebook's summary.

Every string from the export (names, e-mails, responses) is data: HTML-escaped in the page, whose
Content-Security-Policy loads nothing and runs no script; and formula-safe in the CSV files (a cell a
spreadsheet would run as a formula gets a leading ``'``, the OWASP rule). The page fits a 1280-pixel screen: its
wide tables use one mark per verdict, with a legend, and long texts wrap. Its strip plots are SVG drawn here (a few
rectangles and dots, with plain numbers on the axis): matplotlib took most of grading's time for them.
"""

import csv
import io
from html import escape

from ..moodle.numbers import shown
from ..moodle.readings import way
from ..moodle.words import separators
from .page import CSS, table

VERDICT_WORDS = {"accepted": "accepted", "digits": "accepted, not rounded as asked",
                 "corrected": "the corrected protocol (a pitfall)", "separator": "a separator slip (0,27 read as 27)",
                 "percent": "a percentage (27% for 0.27)", "rounding": "just outside (rounding)",
                 "no-match": "matches no run", "unanswered": "unanswered", "invalid": "not a number",
                 "manual": "to grade by hand", "in-progress": "attempt in progress"}
MARKS = {"accepted": "✓", "digits": "✓d", "corrected": "C", "separator": "S", "percent": "%", "rounding": "R",
         "no-match": "✗", "unanswered": "–", "invalid": "?", "manual": "✎", "in-progress": "…"}
COLORS = {"accepted": "#2e7d32", "digits": "#66bb6a", "corrected": "#ef6c00", "separator": "#0277bd",
          "percent": "#00838f", "rounding": "#8e24aa", "no-match": "#c62828", "invalid": "#757575"}
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"  # nothing loaded, no script run
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
PAGE_CSS = CSS + """
#verdicts td:first-child{overflow-wrap:normal;white-space:nowrap}
.mark{display:inline-block;min-width:1.6em;text-align:center;border-radius:3px;font-weight:600}
td.v,th.q{text-align:center;padding:.35em .15em;overflow-wrap:normal}
.chips span{display:inline-block;margin:0 .5em .2em 0;white-space:nowrap}
.legend span{display:inline-block;margin:0 1em .2em 0;white-space:nowrap}
small{color:#555}
"""
MISTAKES = {"separator": "a decimal comma read as a thousands separator, or a thousands separator read as the decimal "
                        "one, by the separators of the attempt's language",
             "rounding": "a number just outside the range: rounded otherwise than the question asks",
             "digits": "accepted, but with more or fewer digits after the point than the question asks",
             "no-match": "a number that matches none of the runs behind the key",
             "invalid": "text in which Moodle reads no number", "unanswered": "no answer"}
SOURCE_WORDS = {"moodle-marks": "as their marks show", "class": "the class's way, as their marks do not tell",
                "headings": "the headings' language, as their marks do not tell", "flag": "as --lang says"}
# Moodle 4.5's own words for its screens (quiz_grading, question and quiz strings, English pack)
MANUAL_GRADING = "Results > Manual grading"
ALSO_AUTO = "Also show questions that have been graded automatically"
OVERRIDE = "Make comment or override mark"


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


def _number(x, digits=None):
    """A number as the question asks for it: its digits after the point, else plainly (no exponent)."""
    if x is None:
        return ""
    if digits is not None:
        return f"{x:.{digits}f}"
    return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"


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


REMARK_WHY = {"waiting": "grade by hand", "separator": "a separator slip", "difference": "differs from this key"}


def remarks_csv(doc):
    """The re-marking worklist: one row per answer to grade or re-mark in Moodle, per question, then by last
    name, with the mark to set and the comment to paste."""
    rows = [["Question", "Question name", "Last name", "First name", "Email address", "Attempt", "Typed",
             "Moodle's mark", "Mark to set", "Out of", "Why", "What happened", "Comment to paste"]]
    for r in doc["remarks"]:
        rows.append([r["question"], r["name"], r["surname"], r["first_name"], r["email"], r["attempt"], r["typed"],
                     _mark_text(r["moodle_mark"]) if r["mark_known"] else "", "" if r["set"] is None else f"{r['set']:g}",
                     f"{r['out_of']:g}",
                     REMARK_WHY[r["why"]], r["note"], r["comment"]])
    return _csv(rows)


def _mark_text(mark):
    return "-" if mark is None else f"{mark:g}"


# ----------------------------------------------------------------------------- what the terminal and the page say


def reading_line(doc, names=True):
    """How the class's numbers were read, per attempt: with ``names``, a line per reading and source with the
    students (the terminal); else one line of counts (the page's top)."""
    r = doc["reading"]
    if r["from"] == "flag":
        head = f"Numbers read with the separators of --lang {r['lang']}, {way(separators(r['lang']))}, in every attempt"
    else:
        head = "Numbers read as Moodle read each attempt"
    groups = [(way(separators(g["lang"])), SOURCE_WORDS[g["from"]], g["students"]) for g in r["attempts"]]
    if not names:
        return f"{head}: " + "; ".join(f"{len(who)} {how}, {why}" for how, why, who in groups) + "."
    lines = [f"{head}:"] + [f"  {how}, {why}: {'; '.join(who)}" for how, why, who in groups]
    if r["from"] != "flag" and any(g["from"] != "moodle-marks" for g in r["attempts"]):
        lines.append(f"  The class's way: {way(separators(r['lang']))}, {r['why']}.")
    return "\n".join(lines)


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


def waiting(doc):
    """The attempts whose grade waits for a teacher in Moodle: (student, attempt, questions, the attempt that
    counts now)."""
    return [(s, w["attempt"], w["questions"], s["attempt"]) for s in doc["students"] for w in s.get("waiting", [])]


def todo_line(doc):
    """What the instructor has to do in Moodle, in one line ("" when nothing)."""
    counts = {why: sum(r["why"] == why for r in doc["remarks"]) for why in REMARK_WHY}
    if not any(counts.values()):
        return ""
    said = [f"{n} to grade by hand" if why == "waiting" else f"{n} separator slip{'s' if n != 1 else ''} to review"
            if why == "separator" else f"{n} difference{'s' if n != 1 else ''} from this key to check"
            for why, n in counts.items() if n]
    return f"To do in Moodle: {', '.join(said)} (class.html and remarks.csv list them, per question)."


# ----------------------------------------------------------------------------- class.html


def _share(x):
    return "" if x is None else f"{100 * x:.0f}%"


def _range(r, q):
    if "values" in r:
        return ", ".join(str(v) for v in r["values"])
    low, high = _number(r["low"], q["digits"]), _number(r["high"], q["digits"])
    return low if low == high else f"{low}-{high}"


def accepted_text(q):
    """What the question accepts, with the digits it asks for."""
    if q["kind"] == "figure":
        return "a figure, graded by hand"
    if q["kind"] == "classes":
        return f"the five class names in order, any separators, any case: {q['accepted']}"
    return "; ".join(f"{variant}: {_range(r, q)}" for variant, r in q["ranges"].items()) or q["accepted"]


def _facility(q):
    """Moodle's facility index where its marks are in the download, classlab's beside it only where they differ."""
    if q["kind"] == "figure":
        return "graded by hand"
    ours, theirs = _share(q["facility"]), _share(q.get("moodle_facility"))
    if theirs:
        return theirs if theirs == ours else f"{theirs} (classlab: {ours})"
    return f"{ours} (classlab's)" if ours else ""


def _chips(q):
    return "".join(f'<span><span class="mark" style="{_style(v)}">{escape(MARKS[v])}</span> {n}</span>'
                   for v, n in q["counts"].items() if n)


def _style(verdict):
    color = COLORS.get(verdict)
    return f"background:{color};color:#fff" if color else "background:#eee"


def _legend():
    return ('<p class="legend">' + "".join(f'<span><span class="mark" style="{_style(v)}">{escape(m)}</span> '
                                           f"{escape(VERDICT_WORDS[v])}</span>" for v, m in MARKS.items()) + "</p>")


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
    if doc.get("remarks"):
        parts.append(f'<p id="todo-line"><a href="#todo">{escape(todo_line(doc))}</a></p>')
    parts.append("<h2>What the class got wrong</h2>")
    rows = [[pid, p["what"], p["students"], ", ".join(f"{q} ({k})" for q, k in p["questions"].items() if k) or "-"]
            for pid, p in doc["pitfalls"].items()]
    rows += [[VERDICT_WORDS[v], MISTAKES[v], m["students"], ", ".join(f"{q} ({k})" for q, k in m["questions"].items())
              or "-"] for v, m in doc["mistakes"].items() if m["students"]]
    parts.append(table(["pitfall or mistake", "what it is", "students", "questions (how many)"], rows, "mistakes"))
    rows = "".join(f'<tr><td><a href="#q{escape(id)}">{escape(id)}</a></td><td class="num">{q["points"]:g}</td>'
                   f"<td>{escape(accepted_text(q))}</td><td>{escape(_facility(q))}</td>"
                   f'<td class="chips">{_chips(q)}</td></tr>' for id, q in doc["questions"].items())
    parts.append('<table id="verdicts"><thead><tr><th>#</th><th>points</th><th>accepted</th><th>facility (Moodle\'s '
                 f"marks)</th><th>verdicts (how many)</th></tr></thead><tbody>{rows}</tbody></table>")
    parts.append(_legend())
    return "\n".join(parts)


def _todo_html(doc):
    """The re-marking worklist, per question as Moodle's Manual grading report lists them."""
    if not doc["remarks"]:
        return ""
    parts = [f'<h2 id="todo">To do in Moodle</h2><p>{escape(todo_line(doc))}</p>'
             f"<p>Grade and re-mark in the quiz itself: {escape(MANUAL_GRADING)}, tick “{escape(ALSO_AUTO)}”, then for "
             "each question below “grade” (to grade) or “update grades” (graded automatically), with <em>Order "
             "attempts by: Last name</em> to see them in this order; or, on one attempt's review page, "
             f"“{escape(OVERRIDE)}”. A mark set there changes the question's mark, the attempt's total, the quiz "
             "grade and the gradebook, and survives a later “Regrade attempts”. Do not import marks or comments "
             "through the gradebook's import: that overrides the quiz grade in the gradebook (even a comment alone, "
             "and an empty or '-' grade clears it), and from then on no re-mark or regrade reaches it. Then "
             "download the Responses (and Grades) again and grade them here.</p>"]
    groups = {}
    for r in doc["remarks"]:
        groups.setdefault((r["slot"], r["question"], r["name"]), []).append(r)
    for (slot, id, name), rows in groups.items():
        parts.append(f"<h3>Question {escape(str(slot))}: {escape(name)}</h3>")
        cells = [[_name(r), r["attempt"], shown(r["typed"]),
                  _mark_text(r["moodle_mark"]) if r["mark_known"] else "not in the download",
                  "by hand" if r["set"] is None else f"{r['set']:g}",
                  f"{r['out_of']:g}", f"{REMARK_WHY[r['why']]}: {r['note']}", r["comment"]] for r in rows]
        parts.append(table(["student", "attempt", "typed", "Moodle's mark", "mark to set", "out of", "why",
                            "comment to paste"], cells, f"todo-{id}"))
    return "\n".join(parts)


def _review_html(doc):
    parts = []
    found = slips(doc)
    if found:
        parts.append('<h2 id="separators-to-review">Separators to review</h2><p>Moodle read these numbers with the '
                     "separators of the attempt's language; read the other way they would earn something else. Those "
                     "that lost marks are in the worklist above.</p>")
        rows = [[_name(s), id, shown(a["response"]), _number(a["separator"]["read_as"]), f"{a['separator']['points']:g}",
                 _mark_text(a.get("moodle_mark")) if "moodle_mark" in a else "",
                 _number(a["separator"]["other"]["value"]), a["separator"]["other"]["verdict"],
                 f"{a['separator']['other']['points']:g}", "lost marks" if a["separator"]["kind"] == "cost" else
                 "marks by this reading only"] for s, id, a in found]
        parts.append(table(["student", "#", "typed", "read as", "points", "Moodle's mark", "read the other way",
                            "verdict", "would earn", "effect"], rows, "separators"))
    differences = doc["moodle"]["differences"]
    if differences:
        parts.append('<h2 id="moodle-differences">Where classlab and Moodle differ</h2>')
        rows = [[d.get("student", "-"), d["attempt"], d["question"] or "all", "" if d["response"] is None else
                 shown(d["response"]), f"{d['classlab']:g}", f"{d['moodle']:g}", d["reason"], d["why"]]
                for d in differences]
        parts.append(table(["student", "attempt", "#", "typed", "classlab", "Moodle", "reason", "why"], rows,
                           "differences"))
    return "\n".join(parts)


def _readings_html(doc):
    """Which separators read whose attempts, and why."""
    r = doc["reading"]
    items = [f"<li>{len(g['students'])} read {escape(way(separators(g['lang'])))}, {escape(SOURCE_WORDS[g['from']])}: "
             f"{escape('; '.join(g['students']))}</li>" for g in r["attempts"]]
    return (f'<h2 id="readings">How each attempt\'s numbers were read</h2><p>Moodle reads an attempt\'s numbers with '
            f"the separators of the language the attempt started in. The class's way, for attempts whose marks do "
            f"not tell: {escape(way(separators(r['lang'])))}, {escape(r['why'])}.</p><ul>{''.join(items)}</ul>")


def _ticks(low, high, q):
    """Round, distinct tick values between ``low`` and ``high``, on the question's grid (1, 2 or 5 times a power of
    ten), with the digits to print them plainly."""
    import math

    raw = (high - low) / 5
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, q["step"])
    digits = max(0, -math.floor(math.log10(step) + 1e-9))  # 0.02: 2 digits; 5: none
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step) + 1)], digits


def strip_svg(q):
    """The class's numbers for one question against the faithful and the corrected ranges: an SVG strip plot with
    plain numbers on its axis (None where there is nothing to draw)."""
    values = [(v, verdict) for v, verdict in q["values"]]
    bands = []
    for variant, color in (("faithful", "#2e7d32"), ("corrected", "#ef6c00")):
        r = q["ranges"].get(variant)
        if not r:
            continue
        points = [float(v) for v in r["values"] if _is_number(v)] if "values" in r else [r["low"], r["high"]]
        half = q["step"] / 2
        bands += [(variant, color, p - half, p + half) for p in points] if "values" in r else \
            [(variant, color, min(points) - half, max(points) + half)] if points else []
    if not bands and not values:
        return None
    low = min([b[2] for b in bands] or [v for v, _ in values])
    high = max([b[3] for b in bands] or [v for v, _ in values])
    pad = max(10 * q["step"], (high - low) * 0.6, 1e-9)
    near = [v for v, _ in values if low - 5 * pad <= v <= high + 5 * pad]  # far-off numbers: counted at the edge
    low, high = min([low - pad, *near]), max([high + pad, *near])
    low, high = low - 0.05 * (high - low), high + 0.05 * (high - low)
    if all(b[2] >= 0 for b in bands) and all(v >= 0 for v, _ in values):
        low = max(low, 0.0)  # counts and accuracies: no negative axis
    width, height, left, right, top, axis = 720, 110, 10, 10, 22, 78

    def x(v):
        return left + (v - low) / (high - low) * (width - left - right)

    out = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" aria-labelledby="plot-{escape(q["slot_id"])}"><title id="plot-{escape(q["slot_id"])}">'
           f"{escape(q['name'])}: the class's numbers ({len(values)}) against the accepted ranges</title>"]
    for variant, color, lo, hi in bands:
        out.append(f'<rect x="{x(lo):.1f}" y="{top}" width="{max(x(hi) - x(lo), 1.5):.1f}" height="{axis - top}" '
                   f'fill="{color}" fill-opacity="0.2"><title>{variant}: {escape(_number(lo + q["step"] / 2, q["digits"]))}'
                   f"-{escape(_number(hi - q['step'] / 2, q['digits']))}</title></rect>")
    ticks, digits = _ticks(low, high, q)
    out.append(f'<line x1="{left}" y1="{axis}" x2="{width - right}" y2="{axis}" stroke="#555"/>')
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{axis}" x2="{x(t):.1f}" y2="{axis + 4}" stroke="#555"/>'
                   f'<text class="tick" x="{x(t):.1f}" y="{axis + 17}" font-size="12" text-anchor="middle">'
                   f"{t:.{digits}f}</text>")
    for i, (v, verdict) in enumerate(values):
        if low <= v <= high:
            jitter = ((i * 0.618034) % 1 - 0.5) * (axis - top - 16)  # the same page for the same class
            out.append(f'<circle cx="{x(v):.1f}" cy="{(top + axis) / 2 + jitter:.1f}" r="4.5" '
                       f'fill="{COLORS.get(verdict, "#999")}" fill-opacity="0.85"><title>{escape(_number(v))}: '
                       f"{escape(VERDICT_WORDS.get(verdict, verdict))}</title></circle>")
    below, above = sum(v < low for v, _ in values), sum(v > high for v, _ in values)
    if below:
        out.append(f'<text x="{left}" y="14" font-size="12">{below} further below</text>')
    if above:
        out.append(f'<text x="{width - right}" y="14" font-size="12" text-anchor="end">{above} further above</text>')
    out.append(f'<text x="{width / 2}" y="14" font-size="12" text-anchor="middle">shaded: faithful (green), '
               "corrected (orange) ranges</text></svg>")
    return "".join(out)


def _is_number(v):
    try:
        float(v)
        return True
    except (TypeError, ValueError):
        return False


def _students_html(doc):
    ids = list(doc["questions"])
    head = "".join(f'<th class="q">{escape(id)}</th>' for id in ids)
    rows = []
    for s in doc["students"]:
        marks = "".join(f'<td class="v"><span class="mark" style="{_style(a["verdict"])}" title="'
                        f'{escape(id)}: {escape(VERDICT_WORDS[a["verdict"]])}, {escape(shown(a["response"]))}">'
                        f'{escape(MARKS[a["verdict"]])}</span></td>' for id, a in s["answers"].items())
        email = f"<br><small>{escape(s['email'])}</small>" if s["email"] else ""
        rows.append(f"<tr><td>{escape(_name(s))}{email}</td><td>{escape(s['state'])}</td>"
                    f'<td class="num">{s["attempt"]} of {s["attempts"]}</td>'
                    f'<td class="num">{s["points"]:g} / {s["max_points"]:g}</td>{marks}</tr>')
    return (f'<table id="students"><thead><tr><th>student</th><th>state</th><th>attempt</th><th>points</th>{head}'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table>" + _legend())


def class_page(doc):
    """class.html: one self-contained page (figures inline, nothing loaded, no script)."""
    body = ["<h1>Problem Set 10: the class's answers</h1>", summary_html(doc), _todo_html(doc), _review_html(doc),
            _readings_html(doc), "<h2>Per question</h2>"]
    for id, q in doc["questions"].items():
        body.append(f'<h3 id="q{escape(id)}">{escape(q["name"])}</h3><p class="note">{escape(q["text"])}</p>')
        body.append(f'<p class="accepted">Accepted: {escape(accepted_text(q))}. Facility: {escape(_facility(q))}.</p>')
        figure = strip_svg(q | {"slot_id": id}) if q["kind"] == "numerical" else None
        if figure:
            body.append(f"<figure>{figure}</figure>")
    body.append("<h2>Students</h2>")
    body.append(_students_html(doc))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>classlab: the class's answers</title>"
            f"<style>{PAGE_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
