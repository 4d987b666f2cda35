"""The answer sheet printed to the terminal at the end of a run."""

import textwrap

from .._folder import RunFolder
from .common import answer_rows, banners, range_note


def render_sheet(doc, out_dir):
    lines = []
    for banner in banners(doc):
        lines += ["!" * 78, *textwrap.wrap(banner, 76, initial_indent="! ", subsequent_indent="! ",
                                                   break_on_hyphens=False), "!" * 78]
    lines.append("Problem Set 10 - Deep Classification: answers (faithful protocol; corrected in brackets)")
    several = len(doc["config"]["seeds"]) > 1
    if several:
        lines += textwrap.wrap(range_note(doc), 78)
    for row in answer_rows(doc):
        extra = f"  [corrected: {row['corrected']}]" if row["corrected"] else ""
        lines.append(f"  {row['id']:>4}  {row['answer']}{extra}")
        lines.append(f"        {row['question']}")
        if row["spread"] and several:
            lines.append(f"        accepted: {row['spread']}")
    if doc["pitfalls"]:
        lines.append("Pitfalls of the problem set's code, measured:")
        for p in doc["pitfalls"]:
            lines.append(f"  - {p['id']}: {p['effect']}")
    lines.append(RunFolder(out_dir).written_line())
    return "\n".join(lines)
