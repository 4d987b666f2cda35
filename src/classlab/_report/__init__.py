"""Rendering: figures, the terminal sheet, answers.md and report.html. It computes no answers."""

import json

from .._atomic import write_text


def write_reports(doc, out):
    """Write answers.json, answers.md and report.html into ``out`` (each atomically)."""
    from .html import render_html
    from .markdown import render_markdown

    write_text(out / "answers.json", json.dumps(doc, indent=2, default=str))
    write_text(out / "answers.md", render_markdown(doc))
    write_text(out / "report.html", render_html(doc, out))
