"""The report's HTML: one self-contained file (inline CSS, pictures as data: URLs).

Everything that comes from the journal (notes, phase names, goals, pseudonyms) is
escaped. Explanations are on the page, not in tooltips (a tablet has no hover, paper
neither). The print style fits A4 and keeps each table, picture and summary on one
page; a heading is never left alone at the foot of a printed page (break-after: avoid,
and room for a few lines reserved under it). Checked by axe-core: text contrast of at
least 4.5:1, everything inside the ``main`` landmark. The report links nowhere, so it opens
from a USB stick on any computer.
"""

from __future__ import annotations

import html

from station.report.metrics import Metric
from station.report.numbers import with_unit
from station.report.vocabulary import TERMS

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5em auto;
 max-width:60em;padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.5em;margin-bottom:.2em}
h2{font-size:1.3em;border-bottom:2px solid #0072B2;margin-top:1.8em;padding-bottom:.1em}
h3{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.4em 0 .8em}
td,th{border:1px solid #ccc;padding:.25em .5em;text-align:left;font-size:.9em;
 vertical-align:top}
th{background:#f3f6f9}
table.measures td,table.measures th{text-align:right}
table.measures td:first-child,table.measures th:first-child{text-align:left;min-width:11em}
.what{display:block;color:#555;font-size:.8em;font-weight:normal;max-width:22em}
.na{color:#666;font-style:italic;font-size:.85em}
.small{font-size:.85em;color:#555}
.summary{background:#f3f8fc;border-left:4px solid #0072B2;padding:.5em 1em;margin:.6em 0}
.summary ul{margin:.3em 0;padding-left:1.2em}.summary li{margin:.25em 0}
.consent{font-size:.9em;margin:.3em 0}.consent.no{color:#a33}.consent.unknown{color:#8a5a00}
.howto{font-size:.9em;color:#333;background:#fafafa;border:1px solid #ddd;padding:.4em 1em}
figure{margin:.5em 0}figure img{max-width:100%;height:auto;display:block}
figcaption{font-size:.85em;color:#555}
nav{font-size:.9em;margin:.6em 0}
.levels td{font-size:.82em}
.scroll{overflow-x:auto}
@page{size:A4;margin:14mm}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10pt}
 nav{display:none}.scroll{overflow:visible}
 table,figure,.summary,.howto,.keep{break-inside:avoid;page-break-inside:avoid}
 tr{break-inside:avoid}thead{display:table-header-group}
 h1,h2,h3{break-after:avoid;page-break-after:avoid;break-inside:avoid}
 h2::after,h3::after{content:"";display:block;height:7em;margin-bottom:-7em}
 section.session{break-before:page;page-break-before:always}
 #sessions{break-before:page;page-break-before:always}
 #sessions+section.session{break-before:auto;page-break-before:auto}
 a{color:inherit;text-decoration:none}
}
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def cell(key: str, m: Metric | None) -> str:
    """A metric's cell: the rounded number with its unit, or why there is none."""
    if m is None:
        return '<span class="na">—</span>'
    if not m.ok:
        return f'<span class="na">{esc(m.why or "no value")}</span>'
    return esc(with_unit(key, m.value))


def metrics_table(labels: list[str], values: list[dict[str, Metric]],
                  keys: list[str]) -> str:
    """Rows of metrics, one column per client; each measure's meaning is printed under its
    name. Rows with no value in any column are left out and named below the table."""
    head = "".join(f"<th>{label}</th>" for label in labels)
    rows, left_out = [], []
    for key in keys:
        term = TERMS[key]
        if not any(v.get(key) is not None and v[key].ok for v in values):
            left_out.append(term.label.lower())
            continue
        cells = "".join(f"<td>{cell(key, v.get(key))}</td>" for v in values)
        rows.append(f"<tr><td>{esc(term.label)}<span class=\"what\">{esc(term.meaning)}"
                    f"</span></td>{cells}</tr>")
    note = (f'<p class="na">No value in this session: {esc(", ".join(left_out))}.</p>'
            if left_out else "")
    return (f'<div class="scroll"><table class="measures"><thead><tr><th>measure</th>{head}'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>{note}')


def simple_table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    """A table of already-escaped cells."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<div class="scroll"><table{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


def pad_grid(players: dict[str, dict[int, int]], pads: int = 12) -> str:
    """Each column's pads as a 3 x 4 grid (pad 1 top left; a switch pad below), each
    cell coloured by how often it was touched and showing pad number and count. Pads are
    numbered 1-12 for people, as on the panel (the journal's ``pad`` is 0-11)."""
    from station.report.plots import pad_colour
    grids = []
    for label, counts in players.items():
        most = max(counts.values(), default=0)
        cells = []
        for row in range(3):
            tds = []
            for col in range(4):
                pad = row * 4 + col
                bg, fg = pad_colour(counts.get(pad, 0), most)
                tds.append(f'<td style="background:{bg};color:{fg};text-align:center;'
                           f'width:3.2em">pad {pad + 1}<br>{counts.get(pad, 0)}</td>')
            cells.append("<tr>" + "".join(tds) + "</tr>")
        switch = sum(v for p, v in counts.items() if p >= pads)
        if switch:
            bg, fg = pad_colour(switch, most)
            cells.append(f'<tr><td style="background:{bg};color:{fg};text-align:center">'
                         f'switch<br>{switch}</td></tr>')
        grids.append(f'<div class="keep" style="display:inline-block;margin-right:1.5em">'
                     f'<div class="small">{esc(label)}</div><table>{"".join(cells)}'
                     f'</table></div>')
    return "<div>" + "".join(grids) + "</div>"


def figure(src: str, width: int, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f'<figure><img src="{src}" width="{width}" alt="{esc(alt)}" '
            f'style="width:{width}px">{cap}</figure>')


HOWTO = (
    "<div class=\"howto\"><b>How to read this report.</b> Each client comes first: a "
    "summary in words, their goals with your ratings beside the measure linked to each, "
    "then their measures across sessions. The sessions follow, each with a timeline and "
    "the measures of every client seated in it (a client swapped in mid-session has their "
    "own column). Every measure counts only the time the client was seated with their "
    "board working. Numbers are rounded to what they can mean. They describe what the "
    "station logged; they are indicators for your judgement, not scores. Sessions are "
    "numbered per client: 1 is the client's first session at this station. Definitions: "
    "docs/metrics.md of the station.</div>")


def page(title: str, intro: str, sections: list[str]) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body><main>"
            f"<h1>{esc(title)}</h1>{intro}{''.join(sections)}"
            f"<p class=\"small\">Definitions, formulas and what each measure does not mean: "
            f"docs/metrics.md of the station. What consent allows: docs/privacy.md.</p>"
            f"</main></body></html>\n")
