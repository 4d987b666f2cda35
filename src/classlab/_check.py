"""``classlab check``: a student's numbers against a run's key, with what each one points to.

Each answer is read and judged as Moodle would (``classlab._key``): accepted, or which measured variant it
matches (the corrected protocol, and so the pitfall behind it), or that it is just outside the accepted range
(rounding?), or that it matches nothing measured. Exit code 0 when all are accepted, 1 otherwise, 2 for bad
input.
"""

import json
import re
from pathlib import Path

from .errors import ClasslabError
from ._key import build_key, load_run
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


def check(run_dir, answers, corrected_credit=0.0):
    """``[(id, given, Verdict)]`` for the student's ``answers`` ({id: text})."""
    key = {q.id: q for q in build_key(load_run(run_dir), run_dir, corrected_credit)}
    missing = [id for id in answers if id not in key]
    if missing:
        raise ClasslabError(f"{run_dir}: the key has no answer for {', '.join(missing)} "
                            f"(it answers {', '.join(key)})")
    verdicts = []
    for id, given in answers.items():
        verdict = key[id].judge(given)
        if verdict.verdict == "invalid":
            raise ClasslabError(f"{id}={given}: not a number (as Moodle reads it)")
        verdicts.append((id, given, verdict))
    return verdicts
