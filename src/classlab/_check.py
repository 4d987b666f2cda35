"""``classlab check``: a student's numbers against a run's key, with what each one points to.

Each answer is read and judged as Moodle would (``classlab._key``): accepted, or which measured variant it
matches (the corrected protocol, and so the pitfall behind it), or that it is just outside the accepted range
(rounding?), or that it matches nothing measured, or that it is not a number at all. Moodle reads a number with
the separators of the language the attempt started in: with ``lang`` the answer is read that way; without, it
is read the way of every language, and where the readings differ both are said (on an English-language Moodle
0,27 is 27), with the form every language reads alike. Exit code 0 when all are accepted, 1 otherwise, 2 for
bad input.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import ClasslabError
from ._key import KeyOptions, build_key, load_run
from .moodle.numbers import read_number, shown
from .moodle.readings import language
from .moodle.words import NAMES, readings, separators
from ._questions import ALL


_PAIR = re.compile(r"\s*(\d\.\d)\s*[=:]")


def parse_answers(pairs, source="the command line", given=None):
    """``["1.4=0.43", ...]`` (or ``1.4: 0.43``) into ``{id: text}``, each text exactly as typed after the ``=`` (an
    empty one: unanswered); ``given``: answers read before, whose ids may not come again. One clear line for
    anything else."""
    answers = dict(given or {})
    for pair in pairs:
        match = _PAIR.match(pair)
        if not match:
            raise ClasslabError(f"{source}: {pair!r} is not ID=VALUE (e.g. 1.4=0.47)")
        _add(answers, match.group(1), pair[match.end():], source)
    return answers


def _add(answers, id, value, source):
    if id not in ALL:
        raise ClasslabError(f"{source}: unknown question id {id}; choose from {', '.join(ALL)}")
    if id in answers:
        raise ClasslabError(f"{source}: {id} is given twice ({answers[id]!r} and {value!r}); give each answer once")
    answers[id] = value


def read_answers_file(path, given=None):
    """A JSON object ``{"1.4": 0.47, ...}`` (``null``: unanswered), or lines ``1.4=0.47`` (a line starting with ``#``
    is a comment); UTF-8, with or without a byte-order mark. Every answer's text exactly as written."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise ClasslabError(f"{path}: cannot read it ({getattr(err, 'strerror', None) or err})") from None
    if text.lstrip()[:1] not in ("{", "["):
        lines = [line.removesuffix("\r") for line in text.split("\n")]
        return parse_answers([line for line in lines if line.strip() and not line.lstrip().startswith("#")],
                             str(path), given)
    try:
        data = json.loads(text, parse_float=str, parse_int=str, object_pairs_hook=list)
    except ValueError as err:
        raise ClasslabError(f"{path}: not valid JSON (line {getattr(err, 'lineno', '?')}: "
                            f"{getattr(err, 'msg', err)})") from None
    if not isinstance(data, list) or not all(isinstance(pair, tuple) for pair in data):
        raise ClasslabError(f"{path}: expected a JSON object of question ids and answers")
    answers = dict(given or {})
    for id, value in data:
        if isinstance(value, list) and any(isinstance(v, (tuple, list)) for v in value):  # an object, or lists
            raise ClasslabError(f"{path}: the answer to {id} is not a number, a text or a list of texts")
        _add(answers, id.strip(), _json_text(value), str(path))
    return answers


def _json_text(value):
    """A JSON answer as the text a student would have typed: numbers as written, null as no answer."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, list):
        return ", ".join(_json_text(v) for v in value)
    return value


@dataclass
class Checked:
    """One answer checked: per way of reading it (``{languages: Verdict}``, one entry where all agree)."""

    id: str
    typed: str
    readings: dict  # tuple of languages -> Verdict
    plain: str | None = None  # the answer as every language reads it alike, where the readings differ

    @property
    def verdict(self):
        """The one verdict, where every reading agrees; None where they differ (``readings`` says each)."""
        return next(iter(self.readings.values())) if len(self.readings) == 1 else None

    @property
    def ok(self):
        return all(v.ok for v in self.readings.values())

    def line(self):
        typed = shown(self.typed) if self.typed else "(blank)"
        return f"{self.id:>4}  {typed:<12} {'yes' if self.ok else 'no '}  {self.feedback}"

    @property
    def feedback(self):
        if self.verdict is not None:
            return self.verdict.feedback
        said = " ".join(f"On a Moodle in {_names(langs)} it is {_shown(v.value)}: {v.feedback}"
                        for langs, v in self.readings.items())
        return f"Depends on the language of your Moodle attempt. {said} Type {self.plain}, which every language " \
               "reads alike."

    def to_dict(self):
        """The JSON of one answer: where the readings differ, no verdict of its own: each reading's, and what to
        type instead."""
        v = self.verdict
        out = {"id": self.id, "typed": self.typed}
        if v is not None:
            return out | {"value": v.value, "credit": v.credit, "verdict": v.verdict, "feedback": v.feedback}
        return out | {"value": None, "credit": None, "verdict": "depends-on-language",
                      "feedback": self.feedback,
                      "readings": [{"languages": list(langs), "value": r.value, "credit": r.credit,
                                    "verdict": r.verdict, "feedback": r.feedback} for langs, r in self.readings.items()],
                      "type_instead": self.plain}


def _names(langs):
    names = [NAMES[code] for code in langs]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _shown(value):
    return "not a number" if value is None else f"{value:g}"


def check(run_dir, answers, lang=None, corrected_credit=None, separator_slips=None):
    """``([Checked], notes)`` for the student's ``answers`` ({id: text}, each exactly as typed); the notes say where
    an option given here differs from the one the key was written with, and how a child language pack reads."""
    lang, lang_note = language(lang)
    options, notes = KeyOptions.of(run_dir, corrected_credit, separator_slips)
    notes += [lang_note] if lang_note else []
    key = {q.id: q for q in build_key(load_run(run_dir), run_dir, options.corrected_credit, options.separator_slips)}
    missing = [id for id in answers if id not in key]
    if missing:
        raise ClasslabError(f"{run_dir}: the key has no answer for {', '.join(missing)} "
                            f"(it answers {', '.join(key)})")
    ways = {(lang,): separators(lang)} if lang else {tuple(langs): sep for sep, langs in readings().items()}
    out = []
    for id, typed in answers.items():
        grouped = {}
        for langs, sep in ways.items():
            v = key[id].judge(typed, sep)
            same = next((k for k, w in grouped.items() if (w.verdict, w.credit, w.value) == (v.verdict, v.credit,
                                                                                              v.value)), None)
            if same is None:
                grouped[langs] = v
            else:
                grouped[same + langs] = grouped.pop(same)
        order = [langs[0] for langs in ways]  # English's reading first, as words.readings() lists them
        checked = Checked(id, typed, dict(sorted(grouped.items(), key=lambda kv: order.index(kv[0][0]))))
        if len(grouped) > 1:
            best = max(grouped, key=lambda langs: grouped[langs].credit)
            checked.plain = read_number(typed, separators(best[0])).number
        out.append(checked)
    return out, notes
