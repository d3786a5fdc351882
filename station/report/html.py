"""The report's HTML: one self-contained file (inline CSS, images as data: URLs).

Everything that comes from the journal (notes, phase names, pseudonyms) is escaped.
``LABELS`` names each metric as docs/metrics.md does; the report links nowhere, so it
opens from a USB stick on any computer.
"""

from __future__ import annotations

import html

from station.report.metrics import Metric

# metric -> (label, how to read it); the order is the report's row order
LABELS: dict[str, tuple[str, str]] = {
    "touches": ("Touches", "raw touches, before any filter"),
    "valid_touches": ("Valid touches", "touches that sounded"),
    "touches_per_active_minute": ("Valid touches per active minute",
                                  "over the minutes with any touch"),
    "time_on_task": ("Time-on-task", "share of 6 s windows with a touch"),
    "bouts": ("Bouts", "runs of touches with gaps of 6 s or less"),
    "longest_silence": ("Longest silence", "longest time without a touch"),
    "hold_median": ("Hold duration, median", "touch to release"),
    "hold_iqr": ("Hold duration, IQR", "spread of holds"),
    "ioi_median": ("Inter-onset interval, median", "time between notes within bouts"),
    "ioi_cv": ("Inter-onset interval, CV (IQR/median)", "0: even; higher: uneven"),
    "pads_used": ("Pads used", "distinct pads that sounded"),
    "pad_entropy": ("Pad entropy", "0: one pad; log2(pads): all pads equally"),
    "suppressed_ratio": ("Suppressed touches", "share of touches held back"),
    "turn_response_rate": ("Turn response rate", "turns in which the player touched"),
    "turn_latency_median": ("Response latency after turn start, median",
                            "turn start to first touch"),
    "out_of_turn_rate": ("Out-of-turn touches", "share of touches outside the turn"),
    "initiations": ("Initiations", "bouts begun with no cue in the 2 s before"),
    "responses": ("Responses", "bouts begun within 2 s of a partner's note or a cue"),
    "vector_strength": ("Vector strength R (indicator)", "0: no relation to the pulse; "
                        "1: locked to it"),
    "rayleigh_p": ("Rayleigh p", "small: touches cluster at one beat phase"),
    "mean_asynchrony": ("Mean asynchrony", "negative: ahead of the heard beat"),
}

CSS = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:72em;color:#222}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1.05em}table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right;font-size:.9em}
th:first-child,td:first-child{text-align:left}.na{color:#888;font-style:italic}
.small{font-size:.85em;color:#555}img{max-width:100%}
"""


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def fmt(m: Metric) -> str:
    """A metric's cell: the number with its unit, or why there is none."""
    if not m.ok:
        return f'<span class="na">{esc(m.why or "no value")}</span>'
    v = m.value
    if m.unit in ("", "pads", "bouts") and float(v).is_integer():
        text = f"{int(v)}"
    elif m.unit == "ms":
        text = f"{v:.0f}"
    elif abs(v) < 0.001 and v != 0:
        text = f"{v:.1e}"
    else:
        text = f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return esc(f"{text} {m.unit}".strip())


def number(v: float | None, digits: int = 3) -> str:
    return '<span class="na">—</span>' if v is None else esc(f"{v:.{digits}g}")


def metrics_table(columns: list[str], values: list[dict[str, Metric]]) -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    rows = []
    for key, (label, hint) in LABELS.items():
        cells = "".join(f"<td>{fmt(v[key])}</td>" for v in values)
        rows.append(f'<tr><td title="{esc(hint)}">{esc(label)}</td>{cells}</tr>')
    return f"<table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table>"


def simple_table(header: list[str], rows: list[list[str]]) -> str:
    """A table of already-escaped cells."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def pad_grid(players: dict[str, dict[int, int]], pads: int = 12) -> str:
    """Each player's pads as a 3 x 4 grid (pad 0 top left; a switch pad below), each
    cell coloured by how often it was touched and showing pad number and count."""
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
                           f'width:3em">pad {pad}<br>{counts.get(pad, 0)}</td>')
            cells.append("<tr>" + "".join(tds) + "</tr>")
        switch = sum(v for p, v in counts.items() if p >= pads)
        if switch:
            bg, fg = pad_colour(switch, most)
            cells.append(f'<tr><td style="background:{bg};color:{fg};text-align:center">'
                         f'switch<br>{switch}</td></tr>')
        grids.append(f'<div style="display:inline-block;margin-right:1.5em">'
                     f'<div class="small">{esc(label)}</div><table>{"".join(cells)}'
                     f'</table></div>')
    return "<div>" + "".join(grids) + "</div>"


def image(src: str, alt: str) -> str:
    return f'<p><img src="{src}" alt="{esc(alt)}"></p>'


def page(title: str, intro: str, sections: list[str]) -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<h1>{esc(title)}</h1>{intro}{''.join(sections)}"
            f"<p class=\"small\">Definitions, formulas and what each metric does not mean: "
            f"docs/metrics.md of the station. Numbers describe what the station logged; "
            f"they are indicators for the therapist's own judgement, not scores.</p>"
            f"</body></html>\n")
