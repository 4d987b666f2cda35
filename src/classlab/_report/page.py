"""What the run's page (report.html) and the class's page (class.html) share: the style and the table."""

from html import escape

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;
color:#1d1d1f;line-height:1.45}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0;font-size:.93em;max-width:100%}
th,td{border:1px solid #d0d0d5;padding:.35em .6em;text-align:left;vertical-align:top}
td{overflow-wrap:anywhere}th{background:#f3f3f6;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}
.quick{background:#b00020;color:#fff;padding:1em;font-weight:bold;font-size:1.15em;border-radius:6px}
figure{margin:1em 0}figure img,figure svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}.note{color:#555;font-size:.9em}
pre{background:#f6f6f8;padding:1em;overflow-x:auto;font-size:.8em}
.explorer-panels{display:flex;flex-wrap:wrap;gap:1em}.explorer-panels canvas{border:1px solid #ddd;max-width:100%}
input[type=range]{vertical-align:middle;width:12em}
"""


def table(head, rows, table_id=None):
    """A table of text: every cell escaped."""
    ident = f' id="{table_id}"' if table_id else ""
    out = [f"<table{ident}><thead><tr>" + "".join(f"<th>{escape(str(h))}</th>" for h in head) + "</tr></thead><tbody>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)
