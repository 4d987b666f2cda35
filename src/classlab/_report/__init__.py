"""Rendering: figures, the terminal sheet, answers.md and report.html. It computes no answers."""

import json

from .._atomic import write_text
from .._folder import RunFolder


def write_reports(doc, out):
    """Write answers.json, answers.md and report.html into the run folder ``out`` (each atomically)."""
    from .html import render_html
    from .markdown import render_markdown

    folder = RunFolder(out)
    write_text(folder.answers, json.dumps(doc, indent=2, default=str))
    write_text(folder.sheet, render_markdown(doc))
    write_text(folder.report, render_html(doc, folder.path))
