"""``classlab key``: the quiz of a finished run, as Moodle XML and as GIFT, ready for Moodle's question bank.

Numerical questions (1.1, 1.3-1.8, 2.1, 2.3, 2.4) carry the accepted range as answer and tolerance,
the corrected protocol's range as a further answer with its own credit and feedback, and (XML) a
catch-all answer saying that the number matches none of the measured runs. 1.2 is a short-answer
question (the five class names in order, any separators), 2.2 an essay whose general feedback shows
the reference boundary figure, embedded in the file. The run's banners (quick run, settings that
differ from the problem set's, stand-in data) go into the category's name and a comment at the top.
"""

import html
import xml.etree.ElementTree as ET

from ._atomic import write_text
from ._folder import RunFolder
from ._key import NO_MATCH_FEEDBACK, build_key, load_run
from ._report.common import banners, base64_of, data_uri, flagged

CATEGORY = "Problem Set 10 (classlab)"


def number(x):
    """A number as a quiz file writes it: plain decimal notation, no exponent, no float noise."""
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _category(doc):
    tags = [tag for tag, _ in flagged(doc)]
    return CATEGORY + (" - " + " - ".join(tags) if tags else "")


def _html_text(text):
    return f"<p>{html.escape(text, quote=False)}</p>"


# ----------------------------------------------------------------------------- Moodle XML


def moodle_xml(key, doc):
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(" classlab answer key of Problem Set 10. " + " ".join(banners(doc)).replace("--", "-")))
    category = ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category")
    ET.SubElement(category, "text").text = f"$course$/{_category(doc)}"
    for q in key:
        kind = {"numerical": "numerical", "classes": "shortanswer", "figure": "essay"}[q.kind]
        question = ET.SubElement(quiz, "question", type=kind)
        ET.SubElement(ET.SubElement(question, "name"), "text").text = q.name
        _text(question, "questiontext", _html_text(q.text))
        feedback = _text(question, "generalfeedback", _html_text(q.general_feedback))
        if q.figure is not None:
            feedback.find("text").text += f'<p><img src="@@PLUGINFILE@@/{q.figure.name}" alt="reference figure"></p>'
            ET.SubElement(feedback, "file", name=q.figure.name, path="/", encoding="base64").text = base64_of(q.figure)
        ET.SubElement(question, "defaultgrade").text = number(q.points)
        ET.SubElement(question, "penalty").text = "0"
        ET.SubElement(question, "hidden").text = "0"
        if q.kind == "numerical":
            for entry in q.entries:
                for value, tolerance in entry.numbers(q.step):
                    answer = ET.SubElement(question, "answer", fraction=number(entry.fraction),
                                           format="moodle_auto_format")
                    ET.SubElement(answer, "text").text = number(value)
                    ET.SubElement(answer, "tolerance").text = number(tolerance)
                    _text(answer, "feedback", _html_text(entry.feedback))
            answer = ET.SubElement(question, "answer", fraction="0", format="moodle_auto_format")
            ET.SubElement(answer, "text").text = "*"
            ET.SubElement(answer, "tolerance").text = "0"
            _text(answer, "feedback", _html_text(NO_MATCH_FEEDBACK))
            for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0"), ("showunits", "3"), ("unitsleft", "0")):
                ET.SubElement(question, tag).text = value
        elif q.kind == "classes":
            ET.SubElement(question, "usecase").text = "0"
            for entry in q.entries:
                answer = ET.SubElement(question, "answer", fraction=number(entry.fraction), format="moodle_auto_format")
                ET.SubElement(answer, "text").text = entry.pattern
                _text(answer, "feedback", _html_text(entry.feedback))
        else:
            for tag, value in (("responseformat", "editor"), ("responserequired", "0"), ("responsefieldlines", "10"),
                               ("attachments", "1"), ("attachmentsrequired", "0")):
                ET.SubElement(question, tag).text = value
            _text(question, "graderinfo", _html_text("Compare with the reference figure in the general feedback."))
            _text(question, "responsetemplate", "")
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _text(parent, tag, text):
    element = ET.SubElement(parent, tag, format="html")
    ET.SubElement(element, "text").text = text
    return element


# ----------------------------------------------------------------------------- GIFT


def gift_escape(text):
    """GIFT's special characters, escaped with a backslash (Moodle's importer takes them back)."""
    for char in "\\~=#{}:":
        text = text.replace(char, "\\" + char)
    return text


def gift(key, doc):
    lines = [f"// classlab answer key of Problem Set 10. {' '.join(banners(doc))}".rstrip(),
             f"$CATEGORY: $course$/{_category(doc)}", ""]
    for q in key:
        head = f"::{gift_escape(q.name)}::[html]{gift_escape(_html_text(q.text))}"
        general = _html_text(q.general_feedback)
        if q.figure is not None:
            general += f'<p><img src="{data_uri(q.figure)}" alt="reference figure"></p>'
        body = []
        if q.kind == "numerical":
            body.append("#")
            for entry in q.entries:
                for value, tolerance in entry.numbers(q.step):
                    body.append(f"=%{number(entry.fraction)}%{number(value)}:{number(tolerance)}"
                                f"#{gift_escape(entry.feedback)}")
        elif q.kind == "classes":
            for entry in q.entries:
                body.append(f"=%{number(entry.fraction)}%{gift_escape(entry.pattern)}#{gift_escape(entry.feedback)}")
        body.append(f"####{gift_escape(general)}")
        lines += [head + "{", *body, "}", ""]
    return "\n".join(lines)


def write_quiz(run_dir, corrected_credit=0.0):
    """Write quiz.xml and quiz.gift into ``run_dir``; return their paths."""
    doc = load_run(run_dir)
    key = build_key(doc, run_dir, corrected_credit)
    folder = RunFolder(run_dir)
    write_text(folder.quiz_xml, moodle_xml(key, doc))
    write_text(folder.quiz_gift, gift(key, doc))
    return folder.quiz_xml, folder.quiz_gift
