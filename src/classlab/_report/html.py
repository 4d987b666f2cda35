"""report.html: one self-contained page (figures embedded as data URIs; no server, no network)."""

import json
from html import escape
from pathlib import Path

from .._questions import PARTS, REGISTRY
from . import explorer
from .page import CSS, table
from .common import (ANSWER_TABLE, QUICK_WARNING, STAND_IN_WARNING, answer_rows, banners, corrected_if_different,
                     data_uri, range_note)

def render_html(doc, out_dir):
    out_dir = Path(out_dir)
    body = []
    for banner in banners(doc):
        ident = {QUICK_WARNING: "quick-warning", STAND_IN_WARNING: "stand-in-warning"}.get(banner, "settings-warning")
        body.append(f'<p class="quick" id="{ident}">{escape(banner)}</p>')
    cfg = doc["config"]
    body.append("<h1>Problem Set 10, Deep Classification: answers</h1>")
    body.append(f'<p class="note">classlab {escape(doc["classlab_version"])}, {escape(doc["created"])}, '
                f'seeds {escape(str(cfg["seeds"]))}, device {escape(cfg["device"])}. The answer is the problem '
                "set's code as written (faithful protocol, first seed); <em>corrected</em> is correct practice "
                f"where it differs.</p><p class=\"note\" id=\"range-note\">{escape(range_note(doc))}</p>")
    body.append(answer_table(doc))
    for part, title in PARTS.items():
        items = [(id, a) for id, a in doc["answers"].items() if REGISTRY[id].part == part]
        if not items:
            continue
        body.append(f"<h2>{escape(title)}</h2>")
        for id, a in items:
            body.append(_answer_section(id, a, out_dir))
    if doc["pitfalls"]:
        body.append("<h2>Pitfalls of the problem set's code, measured</h2>")
        body.append(table(["id", "what", "where", "effect"],
                           [[p["id"], p["what"], p["where"], p["effect"]] for p in doc["pitfalls"]]))
    body.append("<h2>Configuration</h2>")
    body.append(f"<pre>{escape(json.dumps(cfg, indent=2))}</pre>")
    body.append("<h2>Timings (seconds)</h2>")
    body.append(table(["step", "seconds"], [[k, f"{v:.2f}"] for k, v in doc["timings"].items()]))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>classlab: Problem Set 10 answers</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def _answer_section(id, a, out_dir):
    parts = [f'<h3 id="q{escape(id)}">{escape(id)} {escape(a["question"])}</h3>',
             f"<p><strong>{escape(a['display'])}</strong> {escape(a['unit'] or '')}"]
    corrected = corrected_if_different(a["display"], a.get("corrected"))
    if corrected:
        parts.append(f" &middot; corrected: <strong>{escape(corrected)}</strong>")
    parts.append("</p>")
    for note in a["notes"]:
        parts.append(f'<p class="note">{escape(note)}</p>')
    layers = a["details"].get("layers")
    if layers:
        parts.append(table(["layer", "output shape", "parameters"],
                            [[f"{r['name']} ({r['layer']})", "x".join(map(str, r["output_shape"])),
                              f"{r['parameters']:,}"] for r in layers["rows"]]
                            + [["total", "", f"{layers['total']:,}"]]))
    sweep = a["details"].get("table")
    if sweep:
        head = ["protocol"] + [f"width {w}" for w in sweep["widths"]]
        rows = [["faithful"] + [f"{v:.3f}" for v in sweep["faithful"]]]
        rows += [[f"corrected, seed {s}"] + [f"{v:.3f}" for v in accs] for s, accs in sweep["corrected"].items()]
        parts.append(table(head, rows))
    if a["details"].get("per_class"):
        parts.append(f'<p class="note">Support vectors per class: {escape(str(a["details"]["per_class"]))}</p>')
    if len(a.get("per_seed") or []) > 1:
        parts.append(table(["seed", "faithful", "corrected"],
                            [[p["seed"], p["value"], p.get("corrected", "")] for p in a["per_seed"]]))
    for fig in a["figures"]:
        parts.append(f'<figure><img alt="{escape(fig)}" src="{data_uri(out_dir / fig)}">'
                     f"<figcaption>{escape(fig)} (SVG beside it)</figcaption></figure>")
    if a["details"].get("explorer"):
        parts.append(explorer.render(a["details"]["explorer"]))
    return "\n".join(parts)


def answer_table(doc, table_id="answers"):
    """The answer table (ANSWER_TABLE's columns)."""
    return table(list(ANSWER_TABLE.values()), [[r[k] for k in ANSWER_TABLE] for r in answer_rows(doc)], table_id)
