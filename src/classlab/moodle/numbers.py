"""Numbers as Moodle reads and writes them.

``read_number`` is Moodle's numerical question reading a typed response (``qtype_numerical_answer_processor::
apply_units``, no units defined) with the decimal and thousands separators of the language the attempt started
in (``qtype_numerical_question::start_attempt`` stores them with the attempt): trimmed (``PARAM_RAW_TRIMMED``),
spaces removed, ``x10^3`` written as ``e3``; then, if a ``.`` or more than one ``,`` is present, every ``,``
is dropped, else the language's thousands separator is dropped and its decimal separator (and any ``,``)
becomes the point. The number is the longest prefix that reads as one; the rest is Moodle's "unit". On an
English-language attempt ``0,25`` is therefore 25, on a German-language one 0.25.
"""

import re
import unicodedata
from dataclasses import dataclass

# PHP's trim(): these six characters, nothing else (no Unicode spaces).
PHP_TRIM = " \t\n\r\0\x0b"
_EXPONENT = re.compile(r"(?:e|E|(?:x|\*|×)10(?:\^|\*\*))([+-]?[0-9]+)")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e[-+]?[0-9]+)?")  # PCRE's \d without /u: ASCII


@dataclass(frozen=True)
class Separators:
    """A language's separators as its pack's langconfig sets them (``&nbsp;`` is those six characters)."""

    decimal: str
    thousands: str

    def swapped(self):
        """The other common reading: decimal comma for a decimal-point language, decimal point otherwise."""
        return COMMA if self.decimal == "." else POINT

    def describe(self):
        shown = {" ": "space", "\xa0": "no-break space", "&nbsp;": "the text &nbsp;"}
        return (f"decimal separator {shown.get(self.decimal, repr(self.decimal))}, thousands separator "
                f"{shown.get(self.thousands, repr(self.thousands))}")


POINT = Separators(".", ",")  # English and every language that writes 0.5 and 1,000
COMMA = Separators(",", ".")  # German and every language that writes 0,5 and 1.000


@dataclass(frozen=True)
class Reading:
    """A typed response as Moodle reads it: the number's text (normalized: the point is ``.``), its value (None:
    not a number), and what followed it (Moodle's "unit")."""

    number: str
    value: float | None
    unit: str

    @property
    def decimals(self):
        """Digits after the decimal point as typed (None with an exponent, where they say nothing)."""
        if self.value is None or "e" in self.number:
            return None
        return len(self.number.split(".", 1)[1]) if "." in self.number else 0


def read_number(response, separators=POINT):
    """``response`` as Moodle's numerical question reads it on an attempt with these ``separators``."""
    text = str(response).strip(PHP_TRIM).replace(" ", "")
    text = _EXPONENT.sub(r"e\1", text)
    if "." in text or text.count(",") > 1:
        text = text.replace(",", "")
    else:  # PHP's str_replace with arrays: each search string in turn, over the whole text
        for old, new in ((separators.thousands, ""), (separators.decimal, "."), (",", ".")):
            if old:
                text = text.replace(old, new)
    match = _NUMBER.match(text)
    if match is None:
        return Reading(text, None, text)
    return Reading(match.group(), float(match.group()), text[match.end():])


def blank(response):
    """Whether Moodle takes ``response`` for no answer ("gave up", no mark): nothing left once PHP's trim() has run
    (``is_gradable_response``; "0" is an answer, and so is a lone no-break space, which trim() keeps)."""
    return response is None or str(response).strip(PHP_TRIM) == ""


def shown(text):
    """``text`` for a reader: each character that prints as nothing, or as a space other than the ordinary one,
    named ('\xa00,27' is '[no-break space]0,27'); the rest as typed."""
    out = []
    for c in str(text):
        if c == " " or not (c.isspace() or unicodedata.category(c)[0] in "CZ"):
            out.append(c)
        else:
            name = unicodedata.name(c, "").lower() or {"\t": "tab", "\n": "line break", "\r": "carriage return",
                                                       "\0": "NUL", "\x0b": "vertical tab"}.get(c, "")
            out.append(f"[{name or f'U+{ord(c):04X}'}]")
    return "".join(out)


def why_no_number(response):
    """Why Moodle reads no number in ``response``, where something a reader cannot see is the cause; else ""."""
    text = str(response).strip(PHP_TRIM).replace(" ", "")
    if text and shown(text[0]) != text[0]:
        return (f": it starts with a {shown(text[0])[1:-1]}, which Moodle neither trims (it trims only ordinary "
                "spaces, tabs and line breaks) nor reads as part of a number")
    return ""


def write_number(x):
    """A number as a quiz file writes it: plain decimal notation, no exponent, no float noise."""
    text = f"{x:.10f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"
