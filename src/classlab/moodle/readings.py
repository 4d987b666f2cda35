"""Which separators read an attempt's numbers.

When an attempt starts, Moodle stores with it the decimal and thousands separators of the student's language at
that moment (``qtype_numerical_question::start_attempt``, the ``_separators`` variable) and reads every number of
that attempt with them, whatever the teacher's language, and however the student's language changes later. A
class mixes languages; the download says only the downloading teacher's. Moodle's marks say the rest: for an
attempt whose answers contain a separator, only the separators that attempt had reproduce its marks.

* ``language``: a language code as a user types it (``EN``, Moodle's child packs ``en_us``, ``pt_br``, ``de_du``)
  as the pack whose separators read it.
* ``WAYS``: the distinct separators of the languages classlab knows, English's first.
* ``Choice``, ``class_reading``, ``choose``: the reading of each attempt, from its fit to Moodle's marks, else the
  class's (``--lang``, else the reading the attempts decided by their marks share, else the headings' language).
"""

from dataclasses import dataclass

from ..errors import ClasslabError
from .numbers import COMMA, POINT
from .words import LANGUAGES, NAMES, readings, separators

WAYS = tuple(readings())  # Separators, English's first
SOURCES = ("moodle-marks", "class", "headings", "flag")


def language(code, option="--lang"):
    """``(lang, note)``: the language whose separators read ``code`` (``(None, None)`` where none is given); the note
    says where a child pack was read as its parent (Moodle's ``en_us``, ``pt_br``, ``de_du``, ...), None otherwise.
    One clear line for anything else."""
    if code is None:
        return None, None
    wanted = str(code).strip().lower().replace("-", "_")
    if wanted in LANGUAGES:
        return wanted, None
    parent = wanted.split("_", 1)[0]
    if "_" in wanted and parent in LANGUAGES:
        return parent, (f"{option} {code}: read with the separators of {NAMES[parent]} ({parent}), the parent of "
                        f"Moodle's {wanted} pack")
    raise ClasslabError(f"{option}: {code!r} is none of Moodle's languages classlab knows; choose one of "
                        f"{', '.join(LANGUAGES)} (a child pack such as en_us or pt_br reads as its parent)")


def langs(sep):
    """The languages that read numbers with ``sep``, the first named."""
    return readings()[sep]


def way(sep):
    """The separators in words, for a student (no lists of language codes): "the English way (decimal point)"."""
    first = NAMES[langs(sep)[0]]
    kind = {POINT: "decimal point, comma for thousands", COMMA: "decimal comma, point for thousands"}.get(
        sep, sep.describe())
    return f"the {first} way ({kind})"


@dataclass(frozen=True)
class Choice:
    """The separators an attempt's numbers are read with, and where they come from (one of SOURCES); ``fits``: the
    separators under which classlab's points reproduce the attempt's marks (empty: none does; None: no marks)."""

    separators: object
    source: str
    fits: tuple | None = None

    @property
    def lang(self):
        return langs(self.separators)[0]


def decided(fits, ways=len(WAYS)):
    """Whether Moodle's marks tell an attempt's reading: some separators reproduce them, and not all do."""
    return fits is not None and 0 < len(fits) < ways


def class_reading(fits_of_attempts, flag=None, headings="en"):
    """``(separators, source)`` for the attempts whose marks say nothing: ``flag`` (a --lang) if given; else the
    separators that every attempt decided by its marks allows (English's first, where several); else those of the
    headings' language."""
    if flag is not None:
        return separators(flag), "flag"
    shared = None
    for fits in fits_of_attempts:
        if decided(fits):
            shared = set(fits) if shared is None else shared & set(fits)
    if shared:
        return next(s for s in WAYS if s in shared), "moodle-marks"
    return separators(headings), "headings"


def choose(fits, alike, reading, flag=False):
    """The Choice for one attempt. ``fits``: the separators that reproduce its marks (None: no marks); ``alike``:
    whether every separators read its answers alike; ``reading``: the class's ``(separators, source)``."""
    sep, source = reading
    if flag:
        return Choice(sep, "flag", fits)
    if alike or not decided(fits):
        return Choice(sep, "class" if source == "moodle-marks" else source, fits)
    return Choice(sep if sep in fits else next(s for s in WAYS if s in fits), "moodle-marks", fits)
