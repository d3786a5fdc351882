"""The report's pictures, drawn with matplotlib (Agg, no display) and embedded as base64 PNG.

The pad layout is an HTML grid coloured with matplotlib's colour map (``pad_colour``):
twelve coloured cells are a table, and drawing them as a figure cost more than the
rest of a session's section.

Figures are built with ``matplotlib.figure.Figure`` directly, not pyplot, so no global
state or GUI backend is involved and nothing needs closing. Colours are the
colour-blind-safe Okabe–Ito palette; every plot has axis labels with units.
"""

from __future__ import annotations

import base64
import io

import numpy as np

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
PHASE_SHADES = ("#f2f2f2", "#e0e0e0")
DPI = 72


def _png(fig) -> str:
    buf = io.BytesIO()
    # Fixed margins, not bbox_inches="tight": "tight" draws every figure twice, and the
    # report draws one or more per session (the 10^6-event benchmark in docs/metrics.md).
    fig.savefig(buf, format="png", dpi=DPI)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(w: float, h: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(w, h))


def timeline(span_s: float, series: dict[str, np.ndarray],
             phases: list[tuple[float, str]]) -> str:
    """Touches per minute of each player over the session; phases shaded and named."""
    fig = _figure(7.5, 2.6)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.18, top=0.95)
    ax = fig.add_subplot()
    # Minute bins; short sessions (under 10 min) in 10 s bins scaled to a per-minute rate,
    # so a 3-minute session is a line, not three dots.
    width = 60.0 if span_s >= 600 else 10.0
    bins = max(1, int(np.ceil(span_s / width)))
    edges = np.arange(bins + 1) * width
    centres = (edges[:-1] + width / 2) / 60.0
    for i, (label, times) in enumerate(series.items()):
        counts, _ = np.histogram(times, bins=edges)
        ax.plot(centres, counts * (60.0 / width), marker="o", ms=3,
                color=COLOURS[i % len(COLOURS)], label=label)
    ax.set_ylim(0, ax.get_ylim()[1] * 1.3)     # headroom for the legend
    bounds = [t for t, _ in phases] + [span_s]
    for i, (t, name) in enumerate(phases):
        ax.axvspan(t / 60.0, bounds[i + 1] / 60.0, color=PHASE_SHADES[i % 2], zorder=0)
        ax.text(t / 60.0, 1.0, f" {name}", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8)
    ax.set_xlim(0, max(span_s / 60.0, 1.0))
    ax.set_xlabel("session time (min)")
    ax.set_ylabel("touches per minute")
    if series:
        ax.legend(fontsize=8, loc="upper right")
    return _png(fig)


def pad_colour(count: int, most: int) -> tuple[str, str]:
    """Background and text colour of a pad cell: matplotlib's "Blues" map by share of use."""
    from matplotlib import colormaps, colors
    share = count / most if most else 0.0
    background = colors.to_hex(colormaps["Blues"](0.08 + 0.85 * share))
    return background, "#ffffff" if share > 0.6 else "#000000"


def trends(series: dict[str, tuple[list[float | None], float | None, float | None]],
           labels: list[str]) -> str:
    """Small multiples: each metric per session, with the Theil–Sen line where known.

    ``series``: title -> (values per session, slope, intercept at session 0)."""
    n = max(1, len(series))
    cols = 3
    rows = int(np.ceil(n / cols))
    fig = _figure(3.0 * cols, 2.2 * rows)
    x_all = np.arange(len(labels))
    for k, (title, (values, slope, intercept)) in enumerate(series.items()):
        ax = fig.add_subplot(rows, cols, k + 1)
        x = [i for i, v in enumerate(values) if v is not None]
        y = [v for v in values if v is not None]
        ax.plot(x, y, marker="o", ms=3, color=COLOURS[0], lw=1)
        if slope is not None and intercept is not None:
            ax.plot(x_all, intercept + slope * x_all, color=COLOURS[5], lw=1, ls="--")
        ax.set_title(title, fontsize=8)
        ax.set_xlabel("session", fontsize=7)
        ax.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.12, top=0.93, hspace=0.7,
                        wspace=0.3)
    return _png(fig)
