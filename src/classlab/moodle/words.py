"""Moodle's own words, per language and version: the headings, states and grade words of a quiz's Responses and
Grades downloads, and the separators each language reads a typed number with.

``strings.json`` is a copy of the strings of Moodle's language packs for 4.5 and 4.1 (``component:id -> text``,
``{$a}`` for a number; ``../shared/moodle/strings.json``, read from the packs; a test keeps the two the same).
Which string is which heading follows Moodle's reports (mod/quiz/report/responses, .../overview), as the real
downloads in ``../shared/moodle/class-en`` show: the duration column is ``quiz:attemptduration`` in 4.5 and
``quiz:timetaken`` in 4.1; the grade is ``quiz:grade`` + ``/`` + the maximum; a question's mark in the Grades
download is ``quiz:qbrief`` + `` /`` + its maximum. A JSON download keys each record by its headings with every
character but ``a-zA-Z0-9_-`` dropped, lower-cased (dataformat_json: ``PARAM_ALPHANUMEXT``).
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from .numbers import Separators

VERSIONS = ("4.5", "4.1")  # newest first
STATES = {"quiz:statefinished": "finished", "quiz:stateinprogress": "inprogress", "quiz:stateoverdue": "overdue",
          "quiz:stateabandoned": "abandoned"}
# The columns of the Responses and Grades downloads, by the string that heads them.
FIXED = {"lastname": "moodle:lastname", "firstname": "moodle:firstname", "email": "moodle:email",
         "state": "quiz:attemptstate", "started": "quiz:startedon", "completed": "quiz:timecompleted"}
DURATION = {"4.5": "quiz:attemptduration", "4.1": "quiz:timetaken"}
NAMES = {"ar": "Arabic", "ca": "Catalan", "de": "German", "el": "Greek", "en": "English", "es": "Spanish",
         "eu": "Basque", "fr": "French", "gl": "Galician", "it": "Italian", "ja": "Japanese", "ko": "Korean",
         "lt": "Lithuanian", "nl": "Dutch", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish",
         "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "zh_cn": "Chinese (simplified)"}  # ISO 639-1, in English
TEMPLATES = {"question": "question:questionx", "response": "quiz_responses:responsex",
             "rightanswer": "quiz_responses:rightanswerx", "mark": "quiz:qbrief"}


@cache
def strings():
    """``{version: {lang: {string id: text}}}``, as the language packs define them."""
    return json.loads(files(__package__).joinpath("strings.json").read_text(encoding="utf-8"))["moodle"]


def json_key(heading):
    """The key Moodle's JSON download gives a column headed ``heading``."""
    return re.sub(r"[^a-zA-Z0-9_-]", "", heading).lower()


@dataclass(frozen=True)
class Pack:
    """One language of one Moodle version."""

    version: str
    lang: str

    def word(self, string_id):
        return strings()[self.version][self.lang][string_id]

    def __str__(self):
        return f"{self.lang} (Moodle {self.version})"

    @property
    def separators(self):
        return Separators(self.word("langconfig:decsep"), self.word("langconfig:thousandssep"))

    def fixed(self):
        """``{column: heading}`` of the columns every download has."""
        out = {kind: self.word(string_id) for kind, string_id in FIXED.items()}
        out["duration"] = self.word(DURATION[self.version])
        return out

    def template(self, kind):
        """``(before, after)`` the number in a numbered heading ("Response {$a}": ("Response ", ""))."""
        before, _, after = self.word(TEMPLATES[kind]).partition("{$a}")
        return before, after

    @property
    def grade(self):
        return self.word("quiz:grade") + "/"

    def states(self):
        """``{word: state}``: finished, inprogress, overdue, abandoned."""
        return {self.word(string_id): state for string_id, state in STATES.items()}

    @property
    def not_yet_graded(self):
        return self.word("quiz:notyetgraded")

    @property
    def requires_grading(self):
        return self.word("question:requiresgrading")

    @property
    def overall_average(self):
        return self.word("grades:overallaverage")

    def json_readable(self, numbered=("question", "response")):
        """Whether a JSON download keeps this language's columns apart: non-empty, distinct keys for the
        student's name and state, and for the ``numbered`` columns (most non-Latin scripts lose every letter)."""
        keys = [json_key(h) for h in self.fixed().values()] + [json_key(self.grade)]
        numbered = [json_key(before) + "#" + json_key(after) for before, after in map(self.template, numbered)]
        return all(k and k != "-" for k in keys[:4]) and len(set(keys)) == len(keys) and \
            all(n != "#" for n in numbered) and len(set(numbered)) == len(numbered)


PACKS = tuple(Pack(version, lang) for version in VERSIONS for lang in sorted(strings()[version]))
LANGUAGES = tuple(sorted({p.lang for p in PACKS}))


def pack(lang):
    """The newest pack of ``lang`` (its separators are the same in every version)."""
    return next(p for p in PACKS if p.lang == lang)


def separators(lang):
    return pack(lang).separators


def readings():
    """``{separators: [languages]}``: the distinct ways Moodle's languages read a typed number, English's first."""
    out = {}
    for lang in sorted(LANGUAGES, key=lambda code: (code != "en", code != "de", code)):
        out.setdefault(separators(lang), []).append(lang)
    return out
