"""answers.md: the filled-in quiz."""

from .common import ANSWER_TABLE, answer_rows, banners, range_note


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc):
    lines = []
    for banner in banners(doc):
        lines += [f"> **{banner}**", ""]
    cfg = doc["config"]
    lines += ["# Problem Set 10, Deep Classification: answers", "",
              f"classlab {doc['classlab_version']}, {doc['created']}, seeds {cfg['seeds']}, device {cfg['device']}.",
              "The answer is the problem set's code as written (faithful protocol, first seed); *corrected* is "
              "correct practice where it differs.", "", range_note(doc), "",
              "| " + " | ".join(ANSWER_TABLE.values()) + " |", "|---" * len(ANSWER_TABLE) + "|"]
    for row in answer_rows(doc):
        lines.append("| " + " | ".join(_cell(row[k]) for k in ANSWER_TABLE) + " |")
    if doc["pitfalls"]:
        lines += ["", "## Pitfalls of the problem set's code, measured", ""]
        for p in doc["pitfalls"]:
            lines.append(f"- **{p['id']}** ({p['where']}): {p['what']} *Effect:* {p['effect'].rstrip('.')}.")
    notes = [(id, n) for id, a in doc["answers"].items() for n in a["notes"]]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {id}: {n}" for id, n in notes]
    return "\n".join(lines) + "\n"
