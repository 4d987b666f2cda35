"""Moodle's question-bank import files: Moodle XML and GIFT, for the three question types classlab's quiz uses
(numerical, shortanswer, essay), from a small model of Moodle's questions.

Moodle XML carries everything: answers, tolerances, fractions, feedback, each question's mark, an essay's upload
field and a figure embedded as a file. Moodle's GIFT reader (question/format/gift/format.php) cannot: it gives
every question the default mark 1, makes an essay take text only (no attachment, a response required), and
Moodle's text cleaning drops an image embedded as a ``data:`` URI; ``GIFT_LOSES`` says so in words. What GIFT
can say, it says here: numerical answers with tolerance, fraction and feedback, the catch-all answer (``~#``
after the answers: a ``*`` answer with its feedback), the short-answer pattern and the general feedback.
"""

import html
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .numbers import write_number

GIFT_LOSES = ("every question's mark (GIFT has none: each imports as 1 point; the problem set's are 0.5, 1 and "
              "1.5)", "2.2's upload field (a GIFT essay takes text only, and requires it)",
              "2.2's reference figure (Moodle's import removes an image embedded in the text)")


@dataclass
class Answer:
    fraction: float  # percent, one of grading.FRACTIONS
    text: str  # a number as written, "*" (anything), or a short-answer pattern
    feedback: str
    tolerance: float | None = None  # numerical only


@dataclass
class Question:
    qtype: str  # numerical | shortanswer | essay
    name: str
    text: str  # plain text
    points: float
    answers: list = field(default_factory=list)
    general_feedback: str = ""
    figure: Path | None = None  # an image for the general feedback


def html_text(text):
    return f"<p>{html.escape(text, quote=False)}</p>"


# ----------------------------------------------------------------------------- Moodle XML


def moodle_xml(questions, category, comment):
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(" " + comment.replace("--", "-")))  # "--" may not stand in an XML comment
    ET.SubElement(ET.SubElement(ET.SubElement(quiz, "question", type="category"), "category"), "text").text = \
        f"$course$/{category}"
    for q in questions:
        question = ET.SubElement(quiz, "question", type=q.qtype)
        ET.SubElement(ET.SubElement(question, "name"), "text").text = q.name
        _text(question, "questiontext", html_text(q.text))
        feedback = _text(question, "generalfeedback", html_text(q.general_feedback))
        if q.figure is not None:
            import base64

            feedback.find("text").text += f'<p><img src="@@PLUGINFILE@@/{q.figure.name}" alt="reference figure"></p>'
            ET.SubElement(feedback, "file", name=q.figure.name, path="/", encoding="base64").text = \
                base64.b64encode(q.figure.read_bytes()).decode("ascii")
        ET.SubElement(question, "defaultgrade").text = write_number(q.points)
        ET.SubElement(question, "penalty").text = "0"
        ET.SubElement(question, "hidden").text = "0"
        if q.qtype == "shortanswer":
            ET.SubElement(question, "usecase").text = "0"
        for a in q.answers:
            answer = ET.SubElement(question, "answer", fraction=write_number(a.fraction), format="moodle_auto_format")
            ET.SubElement(answer, "text").text = a.text
            if q.qtype == "numerical":
                ET.SubElement(answer, "tolerance").text = write_number(a.tolerance or 0)
            _text(answer, "feedback", html_text(a.feedback))
        if q.qtype == "numerical":
            for tag, value in (("unitgradingtype", "0"), ("unitpenalty", "0"), ("showunits", "3"), ("unitsleft", "0")):
                ET.SubElement(question, tag).text = value
        elif q.qtype == "essay":
            for tag, value in (("responseformat", "editor"), ("responserequired", "0"), ("responsefieldlines", "10"),
                               ("attachments", "1"), ("attachmentsrequired", "0")):
                ET.SubElement(question, tag).text = value
            _text(question, "graderinfo", html_text("Compare with the reference figure in the general feedback."))
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


def gift(questions, category, comment):
    lines = [f"// {comment}".rstrip(), f"// Moodle's GIFT import loses {'; '.join(GIFT_LOSES)}: import the Moodle "
             "XML file to keep them.", f"$CATEGORY: $course$/{category}", ""]
    for q in questions:
        head = f"::{gift_escape(q.name)}::[html]{gift_escape(html_text(q.text))}"
        body = []
        if q.qtype == "numerical":
            body.append("#")
            for a in q.answers:
                if a.text == "*":  # GIFT's wrong-answer feedback: Moodle imports it as a '*' answer
                    body.append(f"~#{gift_escape(a.feedback)}")
                else:
                    body.append(f"=%{write_number(a.fraction)}%{a.text}:{write_number(a.tolerance or 0)}"
                                f"#{gift_escape(a.feedback)}")
        elif q.qtype == "shortanswer":
            body += [f"=%{write_number(a.fraction)}%{gift_escape(a.text)}#{gift_escape(a.feedback)}" for a in q.answers]
        general = html_text(q.general_feedback)
        if q.figure is not None:
            general += html_text("The reference figure is in the Moodle XML file (GIFT cannot carry it).")
        body.append(f"####{gift_escape(general)}")
        lines += [head + "{", *body, "}", ""]
    return "\n".join(lines)
