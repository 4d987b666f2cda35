"""How Moodle grades the question types classlab's quiz uses, and the grades its import accepts.

* numerical (``qtype_numerical_question::grade_response``): the first answer whose tolerance interval holds the
  number read (``numbers.read_number``) gives its fraction; a ``*`` answer holds everything. The interval is
  ``answer +- (tolerance + 10^-14 * max(1, |answer|))`` (``qtype_numerical_answer::get_tolerance_interval``,
  nominal, PHP's precision 14), inclusive, computed from the numbers as the quiz file writes them.
* shortanswer (``qtype_shortanswer_question::compare_string_with_wildcard``): ``*`` stands for any text, the
  rest is literal, the whole trimmed response must match; case ignored (``usecase`` 0); both NFC-normalized.
* an empty response is not graded at all ("gave up", no mark): classlab's verdict "unanswered", 0 points.
"""

import re
import unicodedata

from ..errors import ClasslabError
from .numbers import PHP_TRIM

# The grades Moodle's question import accepts, in percent (question_bank::fraction_options_full); it refuses any
# other (match_grade_options: within 0.00001 of a fraction of 1, else an error).
FRACTIONS = (100, 90, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571, 12.5, 11.11111,
             10, 5, 0)
PHP_PRECISION = 14


def fraction(percent, option="--corrected-credit"):
    """``percent`` as the Moodle grade fraction it stands for (33.33 is 33.33333); one clear line otherwise."""
    for f in FRACTIONS:
        if abs(percent - f) <= 0.01:
            return f
    raise ClasslabError(f"{option}: {percent:g} is not a grade Moodle imports; choose one of "
                        f"{', '.join(map(str, FRACTIONS))}")


def tolerance_interval(answer, tolerance):
    """The numbers a numerical answer ``answer`` with ``tolerance`` holds (floats as the quiz file gives them)."""
    slack = abs(tolerance) + 10.0 ** -PHP_PRECISION * max(1.0, abs(answer))
    return answer - slack, answer + slack


def within(value, answer, tolerance):
    low, high = tolerance_interval(answer, tolerance)
    return low <= value <= high


def shortanswer_matches(response, pattern):
    """Moodle's short-answer match with ``usecase`` 0."""
    pattern, response = (unicodedata.normalize("NFC", str(s)) for s in (pattern, response))
    bits = re.split(r"(?<!\\)\*+", pattern)
    regex = ".*".join(re.escape(bit.replace("\\*", "*")) for bit in bits)
    # PCRE's '.' stops at a line break (no /s modifier): no DOTALL here either
    return re.fullmatch(regex, response.strip(PHP_TRIM), flags=re.IGNORECASE) is not None
