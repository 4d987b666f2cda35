"""How a run and its answers show in Jupyter (``_repr_html_``): the answer table, each answer with its figures."""

from html import escape
from pathlib import Path

from .._folder import RunFolder
from .common import banners, corrected_if_different, data_uri
from .html import answer_table


def run_html(run):
    parts = [f'<p style="color:#b00020;font-weight:bold">{escape(b)}</p>' for b in banners(run.doc)]
    parts.append(answer_table(run.doc, table_id=None))
    parts += [f"<p><b>{escape(p.id)}</b>: {escape(p.effect)}</p>" for p in run.pitfalls]
    folder = RunFolder(run.out)
    parts.append(f"<p>Written to <code>{escape(str(folder))}</code>: {escape(', '.join(folder.written()))}</p>")
    return "\n".join(parts)


def answer_html(answer, folder=None):
    """The value, the corrected one, the accepted ranges, the notes and (given the run's folder) the figures."""
    parts = [f"<p><b>{escape(answer.id)} {escape(answer.question)}</b>: <b>{escape(answer.display)}</b> "
             f"{escape(answer.unit)}"]
    corrected = corrected_if_different(answer.display, answer.corrected)
    if corrected:
        parts.append(f" &middot; corrected: {escape(corrected)}")
    parts.append("</p>")
    for name, spread in (answer.spread or {}).items():
        parts.append(f"<p>accepted ({escape(name)}): {escape(str(spread['accepted']))}</p>")
    parts += [f'<p style="color:#555">{escape(n)}</p>' for n in answer.notes]
    if folder is not None:
        for fig in answer.figures:
            parts.append(f'<img style="max-width:100%" alt="{escape(fig)}" src="{data_uri(Path(folder) / fig)}">')
    return "".join(parts)
