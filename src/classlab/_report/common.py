"""What the sheet, answers.md, report.html, the notebook and the quiz share: the banners, the answer table,
the embedded figures."""

import base64

from .._answers import FEW_SEEDS
from ..settings import SETTINGS, differences

QUICK_WARNING = ("QUICK RUN - THESE ARE NOT THE ANSWERS. This run used a small subset and 1 epoch "
                 "only to check the installation; run without --quick for the problem set's answers.")
STAND_IN_WARNING = ("Part 2 was computed on classlab's stand-in data, not the course's: pass the course's "
                    "X_classification.npy and y_classification.npy with --points-x and --points-y for its answers.")


def flagged(doc):
    """``(tag, text)`` of every warning that must stand above the answers, wherever they are shown."""
    out = [("QUICK RUN: NOT THE ANSWERS", QUICK_WARNING)] if doc.get("quick") else []
    changed = differences(doc["config"]["settings"])
    if changed and not doc.get("quick"):
        listed = ", ".join(f"{SETTINGS[k].flag} {SETTINGS[k].show(v)} (problem set: {SETTINGS[k].show(d)})"
                           for k, (v, d) in changed.items())
        out.append(("SETTINGS DIFFER FROM THE PROBLEM SET",
                    f"SETTINGS DIFFER FROM THE PROBLEM SET'S - NOT THE QUIZ ANSWERS: {listed}."))
    if doc["config"].get("points", {}).get("source") == "embedded":
        out.append(("PART 2 ON STAND-IN DATA", STAND_IN_WARNING))
    return out


def banners(doc):
    return [text for _, text in flagged(doc)]


def range_note(doc):
    """How the accepted ranges were computed, and a warning when they rest on few seeds."""
    n = len(doc["config"]["seeds"])
    note = ("Accepted range: a 95% prediction interval for a new correct run, mean +- t(n-1) * sd * sqrt(1 + 1/n) "
            f"over the per-seed values, rounded as the question asks (n = {n} seed{'s' if n != 1 else ''}); for "
            "a width, the values seen; exact where the listing seeds itself.")
    if n < FEW_SEEDS:
        note += (f" WARNING: it rests on {n} seed{'s' if n != 1 else ''} only; run --seeds {FEW_SEEDS} or more "
                 "before putting it into a quiz.")
    return note


ANSWER_TABLE = {"id": "#", "question": "question", "answer": "answer", "corrected": "corrected",
                "spread": "accepted range"}  # column key -> heading, in the order every view shows them


def corrected_if_different(display, corrected):
    """The corrected protocol's display where it differs from the faithful one, else ""."""
    return corrected["display"] if corrected and corrected["display"] != display else ""


def answer_rows(doc):
    """One row per answer (the keys of ANSWER_TABLE): id, question, answer (faithful, rounded as asked),
    corrected where it differs, accepted range."""
    rows = []
    for id, a in doc["answers"].items():
        answer = a["display"] + (f" {a['unit']}" if a["unit"] and a["unit"] not in ("accuracy",) else "")
        rows.append({"id": id, "question": a["question"], "answer": answer,
                     "corrected": corrected_if_different(a["display"], a.get("corrected")), "spread": spread_text(a)})
    return rows


def base64_of(source):
    """A file's bytes (or ``bytes``) as base64 text: figures embedded in pages, the notebook and the quiz files."""
    if not isinstance(source, bytes):
        with open(source, "rb") as f:
            source = f.read()
    return base64.b64encode(source).decode()


def data_uri(source, mime="image/png"):
    return f"data:{mime};base64,{base64_of(source)}"


def spread_text(a):
    sp = a.get("spread") or {}
    parts = []
    for name in ("faithful", "corrected"):
        r = sp.get(name)
        if not r:
            continue
        prefix = "" if name == "faithful" else "corrected "
        if r.get("pinned"):
            text = f"{r['accepted']} (exact: the listing seeds itself)"
        elif "counts" in r:
            text = ", ".join(f"{v}: {k}x" for v, k in r["counts"].items())
        elif r["n"] == 1:
            text = f"{r['accepted']} (1 seed: no spread)"
        elif name == "faithful":
            text = f"{r['accepted']} (mean {r['mean']:.4g}, sd {r['std']:.2g}, n={r['n']})"
        elif r["std"] == 0:
            text = f"{r['accepted']} (no randomness left)"
        else:
            text = r["accepted"]
        parts.append(prefix + text)
    if sp.get("faithful", {}).get("overlaps_corrected"):
        parts.append("faithful and corrected overlap: the key cannot tell them apart")
    return "; ".join(parts)
