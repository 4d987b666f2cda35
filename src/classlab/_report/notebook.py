"""How a run and its answers show in Jupyter (``_repr_html_``): the answer table, each answer with its figures."""

import base64
from html import escape
from pathlib import Path

from .common import answer_rows, banners
from .html import table


def run_html(run):
    parts = [f'<p style="color:#b00020;font-weight:bold">{escape(b)}</p>' for b in banners(run.doc)]
    parts.append(table(["#", "question", "answer", "corrected", "accepted range"],
                       [[r["id"], r["question"], r["answer"], r["corrected"], r["spread"]]
                        for r in answer_rows(run.doc)]))
    parts += [f"<p><b>{escape(p.id)}</b>: {escape(p.effect)}</p>" for p in run.pitfalls]
    parts.append(f"<p>Written to <code>{escape(str(run.out))}</code>: answers.json, answers.md, report.html, "
                 "figures/</p>")
    return "\n".join(parts)


def answer_html(answer, folder=None):
    """The value, the corrected one, the accepted ranges, the notes and (given the run's folder) the figures."""
    parts = [f"<p><b>{escape(answer.id)} {escape(answer.question)}</b>: <b>{escape(answer.display)}</b> "
             f"{escape(answer.unit)}"]
    if answer.corrected and answer.corrected["display"] != answer.display:
        parts.append(f" &middot; corrected: {escape(answer.corrected['display'])}")
    parts.append("</p>")
    for name, spread in (answer.spread or {}).items():
        parts.append(f"<p>accepted ({escape(name)}): {escape(str(spread['accepted']))}</p>")
    parts += [f'<p style="color:#555">{escape(n)}</p>' for n in answer.notes]
    if folder is not None:
        for fig in answer.figures:
            data = base64.b64encode((Path(folder) / fig).read_bytes()).decode()
            parts.append(f'<img style="max-width:100%" alt="{escape(fig)}" src="data:image/png;base64,{data}">')
    return "".join(parts)
