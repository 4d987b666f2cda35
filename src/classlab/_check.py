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
from .moodle.numbers import read_number
from .moodle.words import LANGUAGES, described, readings, separators
from ._questions import ALL


def parse_answers(pairs, source="the command line"):
    """``["1.4=0.43", ...]`` (or ``1.4: 0.43``) into ``{id: text}``; one clear line for anything else."""
    answers = {}
    for pair in pairs:
        match = re.fullmatch(r"\s*(\d\.\d)\s*[=:]\s*(.+?)\s*", pair)
        if not match:
            raise ClasslabError(f"{source}: {pair!r} is not ID=VALUE (e.g. 1.4=0.47)")
        id, value = match.groups()
        if id not in ALL:
            raise ClasslabError(f"{source}: unknown question id {id}; choose from {', '.join(ALL)}")
        answers[id] = value
    return answers


def read_answers_file(path):
    """A JSON object ``{"1.4": 0.47, ...}``, or lines ``1.4=0.47`` (``#`` starts a comment)."""
    path = Path(path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise ClasslabError(f"{path}: cannot read it ({getattr(err, 'strerror', None) or err})") from None
    try:
        data = json.loads(text)
    except ValueError:
        lines = [line.split("#", 1)[0] for line in text.splitlines()]
        return parse_answers([line for line in lines if line.strip()], str(path))
    if not isinstance(data, dict):
        raise ClasslabError(f"{path}: expected a JSON object of question ids and answers")
    return parse_answers([f"{k}={', '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in data.items()],
                         str(path))


def check_lang(lang, option="--lang"):
    if lang is not None and lang not in LANGUAGES:
        raise ClasslabError(f"{option}: {lang!r} is none of Moodle's languages classlab knows; choose one of "
                            f"{', '.join(LANGUAGES)}")
    return lang


@dataclass
class Checked:
    """One answer checked: per way of reading it (``{languages: Verdict}``, one entry where all agree)."""

    id: str
    typed: str
    readings: dict  # tuple of languages -> Verdict
    plain: str | None = None  # the answer as every language reads it alike, where the readings differ

    @property
    def verdict(self):
        """The verdict a student can count on: the least credit of any reading."""
        return min(self.readings.values(), key=lambda v: v.credit)

    @property
    def ok(self):
        return all(v.ok for v in self.readings.values())

    def line(self):
        if len(self.readings) == 1:
            return f"{self.id:>4}  {self.typed:<12} {'yes' if self.ok else 'no '}  {self.verdict.feedback}"
        said = " ".join(f"On {described(list(langs))} Moodle it is {_shown(v.value)}: {v.feedback}"
                        for langs, v in self.readings.items())
        return (f"{self.id:>4}  {self.typed:<12} no   Depends on the students' Moodle language. {said} Type "
                f"{self.plain}, which every language reads alike.")

    def to_dict(self):
        v = self.verdict
        out = {"id": self.id, "typed": self.typed, "value": v.value, "credit": v.credit, "verdict": v.verdict,
               "feedback": v.feedback}
        if len(self.readings) > 1:
            out["readings"] = [{"languages": list(langs), "value": r.value, "credit": r.credit, "verdict": r.verdict,
                                "feedback": r.feedback} for langs, r in self.readings.items()]
            out["type_instead"] = self.plain
        return out


def _shown(value):
    return "not a number" if value is None else f"{value:g}"


def check(run_dir, answers, lang=None, corrected_credit=None, separator_slips=None):
    """``([Checked], notes)`` for the student's ``answers`` ({id: text}); the notes say where an option given here
    differs from the one the key was written with."""
    check_lang(lang)
    options, notes = KeyOptions.of(run_dir, corrected_credit, separator_slips)
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
