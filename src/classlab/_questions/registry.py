"""The question registry: each question of the problem set declared once, in one place.

A ``Question`` holds everything about one question: its id, the problem set's words and points,
the digits its answer is rounded to, its unit, which data it needs, the units of work it reads
(``units(settings, seeds)``, any nesting of dicts and lists of units) and the function that answers
it from their results. The order of the sheet, the labels, the schema's ids and the report's
sections are all derived from here; adding a question is one ``@question`` in one file.
"""

from dataclasses import dataclass
from typing import Callable

PARTS = {1: "Part 1: Recognizing objects (CIFAR-10)", 2: "Part 2: Learning features"}
REGISTRY = {}  # id -> Question, in the problem set's order


@dataclass(frozen=True)
class Question:
    id: str
    text: str | Callable  # the problem set's words; a callable takes the settings (a variant's words)
    label: str | Callable  # short form for tables; a callable takes the settings
    points: float  # as the problem set gives them
    digits: int | None  # decimals the answer is rounded to (None: not a decimal)
    unit: str
    needs: tuple  # data: "cifar", "points"
    units: Callable  # (settings, seeds) -> nested dicts/lists of units
    answer: Callable  # (question, RunView) -> Answer
    kind: str = "numerical"  # numerical | classes | figure: how a quiz asks it
    corrected_means: str = ""  # what a corrected-protocol number tells about the student's code (quiz feedback)
    pitfall: str | None = None  # the id of the pitfall that a corrected-protocol number points to

    @property
    def part(self):
        return int(self.id.split(".")[0])

    def label_for(self, settings):
        return self.label(settings) if callable(self.label) else self.label

    def text_for(self, settings):
        return self.text(settings) if callable(self.text) else self.text


def question(id, *, text, label, points, digits, unit="", needs=(), units=lambda settings, seeds: {},
             kind="numerical", corrected_means="", pitfall=None):
    """Declare and register the question ``id``; decorates the function that answers it."""
    def register(answer):
        if id in REGISTRY:
            raise ValueError(f"question {id} declared twice")
        REGISTRY[id] = Question(id, text, label, points, digits, unit, tuple(needs), units, answer, kind,
                                corrected_means, pitfall)
        return REGISTRY[id]
    return register


@dataclass
class RunView:
    """What an answer function sees: the settings, the seeds and the results of its own units
    (the structure its ``units`` returned, each unit replaced by its result)."""

    settings: object
    seeds: list
    results: object


def each_unit(structure):
    """The units in a nested structure of dicts, lists and tuples, in order."""
    if isinstance(structure, dict):
        for value in structure.values():
            yield from each_unit(value)
    elif isinstance(structure, (list, tuple)):
        for value in structure:
            yield from each_unit(value)
    else:
        yield structure


def filled(structure, results):
    """``structure`` with every unit replaced by ``results[unit.key]``."""
    if isinstance(structure, dict):
        return {k: filled(v, results) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return [filled(v, results) for v in structure]
    return results[structure.key]


def thousands(n):
    """A count as the problem set writes it: 10000 as "10k"."""
    return f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else f"{n:,}"
