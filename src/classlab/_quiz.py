"""``classlab key``: the quiz of a finished run, as Moodle XML and as GIFT, ready for Moodle's question bank.

Numerical questions (1.1, 1.3-1.8, 2.1, 2.3, 2.4) carry the accepted range as answer and tolerance, the
corrected protocol's range as a further answer with its own credit and feedback, the separator slips (each
range as Moodle reads it when typed with the other language's separators; ``--separator-slips``), and a
catch-all answer saying that the number matches none of the measured runs. 1.2 is a short-answer question (the
five class names in order, any separators), 2.2 an essay whose general feedback shows the reference boundary
figure, embedded in the XML file. The run's banners (quick run, settings that differ from the problem set's,
stand-in data) go into the category's name and a comment at the top. The options are saved beside the quiz
(key.json), so that ``check`` and ``grade`` judge with the answers Moodle imports.
"""

from ._atomic import write_text
from .errors import ClasslabError
from ._folder import RunFolder
from ._key import NO_MATCH_FEEDBACK, KeyOptions, build_key, load_run
from .moodle import quiz as moodle
from .moodle.numbers import write_number
from ._report.common import banners, flagged

CATEGORY = "Problem Set 10 (classlab)"
QTYPES = {"numerical": "numerical", "classes": "shortanswer", "figure": "essay"}


def _category(doc):
    tags = [tag for tag, _ in flagged(doc)]
    return CATEGORY + (" - " + " - ".join(tags) if tags else "")


def questions(key):
    """The key's questions as Moodle's: the same answers, in the order Moodle tries them."""
    out = []
    for q in key:
        question = moodle.Question(QTYPES[q.kind], q.name, q.text, q.points, general_feedback=q.general_feedback,
                                   figure=q.figure)
        for entry in q.entries:
            if q.kind == "numerical":
                question.answers += [moodle.Answer(entry.fraction, write_number(value), entry.feedback, tolerance)
                                     for value, tolerance in entry.numbers(q.step)]
            else:
                question.answers.append(moodle.Answer(entry.fraction, entry.pattern, entry.feedback))
        if q.kind == "numerical":
            question.answers.append(moodle.Answer(0, "*", NO_MATCH_FEEDBACK))
        out.append(question)
    return out


def write_quiz(run_dir, corrected_credit=0.0, separator_slips="feedback", force=False):
    """Write quiz.xml, quiz.gift and key.json into ``run_dir``; return their paths and the options. A key written
    there with other options is replaced only with ``force``: a quiz imported in Moodle must keep its key."""
    doc = load_run(run_dir)
    options = KeyOptions(corrected_credit, separator_slips).checked()
    saved = KeyOptions.saved(run_dir)
    if saved is not None and saved != options and not force:
        raise ClasslabError(f"{run_dir}: holds a key written with other options; this one would change "
                            f"{', '.join(saved.differences(options))}. A quiz made from the old key may be in Moodle "
                            "already: add --force to replace it, or give the old options")
    quiz = questions(build_key(doc, run_dir, options.corrected_credit, options.separator_slips))
    comment = "classlab answer key of Problem Set 10. " + " ".join(banners(doc))
    folder = RunFolder(run_dir)
    write_text(folder.quiz_xml, moodle.moodle_xml(quiz, _category(doc), comment))
    write_text(folder.quiz_gift, moodle.gift(quiz, _category(doc), comment))
    options.save(run_dir)
    return (folder.quiz_xml, folder.quiz_gift, folder.key), options, doc
