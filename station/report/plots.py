"""The report's pictures, drawn with matplotlib (Agg, no display) and embedded as PNG.

Readable on a tablet and on paper: 150 dpi, axis labels with units, at least 9 pt text,
sessions numbered as the therapist knows them (the client's 1st, 2nd, ... session), and
a picture with nothing to show says "no data" in words instead of drawing empty axes.
Figures are ``matplotlib.figure.Figure`` objects (no pyplot state, nothing to close);
colours are the colour-blind-safe Okabe–Ito palette.

Each function returns ``(data URL, width in CSS px)``: the page shows the picture at
its size in inches × 96, so its text is as large as intended.
"""

from __future__ import annotations

import base64
import io
import logging

import numpy as np

# matplotlib says "generated new fontManager" at INFO the first time it runs on a machine
# (it builds its font cache): not news for a therapist reading the demo's output.
logging.getLogger("matplotlib").setLevel(logging.WARNING)

COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
PHASE_SHADES = ("#f0f0f0", "#e2e2e2")
OUTAGE = "#D55E00"
DPI = 150
FONT = 9


def _figure(w: float, h: float):
    from matplotlib.figure import Figure
    fig = Figure(figsize=(w, h))
    fig.set_dpi(DPI)
    return fig


def _png(fig) -> tuple[str, int]:
    buf = io.BytesIO()
    # Fixed margins, not bbox_inches="tight": "tight" draws every figure twice, and the
    # report draws one per session (the 10^6-event benchmark in docs/metrics.md).
    fig.savefig(buf, format="png", dpi=DPI)
    width = int(round(fig.get_figwidth() * 96))
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii"), width


def _no_data(ax, text: str = "no data") -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=FONT, color="#666666",
            transform=ax.transAxes)


def timeline(span_s: float, series: list[tuple[str, list, np.ndarray]],
             phases: list[tuple[float, str]], outages: list[tuple[str, list]],
             marks: list[float]) -> tuple[str, int]:
    """Touches per minute of each column over its seated time; phases shaded and named,
    board outages hatched, the numbered marks of the table below as dotted lines.

    ``series``: (label, seated intervals, touch times); ``outages``: (label, intervals).
    Sessions under 3 minutes are drawn in seconds, longer ones in minutes."""
    unit = 1.0 if span_s < 180 else 60.0
    fig = _figure(7.5, 3.1)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.34, top=0.9)
    ax = fig.add_subplot()
    # Minute bins; under 10 minutes 10 s bins scaled to a per-minute rate.
    width = 60.0 if span_s >= 600 else 10.0
    edges = np.arange(max(1, int(np.ceil(span_s / width))) + 1) * width
    centres = (edges[:-1] + width / 2) / unit
    top = 1.0
    for i, (label, seated, times) in enumerate(series):
        counts, _ = np.histogram(times, bins=edges)
        rate = counts * (60.0 / width)
        on = np.zeros(len(rate), dtype=bool)
        for a, b in seated:            # drawn only while seated: no line before a swap
            on |= (edges[1:] > a) & (edges[:-1] < b)
        ax.plot(centres, np.where(on, rate, np.nan), marker="o", ms=3, lw=1.5,
                color=COLOURS[i % len(COLOURS)], label=label)
        if np.any(on):
            top = max(top, float(np.max(rate[on])))
    ax.set_ylim(0, top * 1.25)      # headroom for the phase names
    bounds = [t for t, _ in phases] + [span_s]
    for i, (t, name) in enumerate(phases):
        ax.axvspan(t / unit, bounds[i + 1] / unit, color=PHASE_SHADES[i % 2], zorder=0)
        ax.text(t / unit, 0.98, f" {name}", transform=ax.get_xaxis_transform(),
                va="top", fontsize=FONT - 1, style="italic", color="#444444")
    for label, spans in outages:
        for a, b in spans:
            ax.axvspan(a / unit, b / unit, facecolor="none", edgecolor=OUTAGE, hatch="///",
                       lw=0, zorder=1, label=label)
            label = None
    for n, t in enumerate(marks, 1):
        ax.axvline(t / unit, color="#555555", lw=0.8, ls=":", zorder=2)
        ax.text(t / unit, 1.02, str(n), transform=ax.get_xaxis_transform(), ha="center",
                va="bottom", fontsize=FONT - 1, bbox=dict(boxstyle="circle,pad=0.15",
                                                          fc="white", ec="#555555", lw=0.6))
    ax.set_xlim(0, max(span_s / unit, 0.5))
    ax.set_xlabel(f"session time ({'s' if unit == 1.0 else 'min'})", fontsize=FONT)
    ax.set_ylabel("touches per minute", fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    if series or outages:
        ax.legend(fontsize=FONT - 1, loc="upper left", bbox_to_anchor=(0, -0.24), ncol=3,
                  frameon=False)
    return _png(fig)


def trends(series: list[tuple[str, str, list[int], list[float | None], float | None,
                              float | None]]) -> tuple[str, int]:
    """Small multiples: each metric per session, with its Theil–Sen line where known.

    ``series``: (title with unit, y label, session numbers, values, slope, intercept at
    the first session number)."""
    cols = 3
    rows = max(1, int(np.ceil(len(series) / cols)))
    fig = _figure(7.5, 2.1 * rows)
    for k, (title, ylabel, numbers, values, slope, intercept) in enumerate(series):
        ax = fig.add_subplot(rows, cols, k + 1)
        ax.set_title(title, fontsize=FONT)
        ax.set_ylabel(ylabel, fontsize=FONT - 1)
        pts = [(x, v) for x, v in zip(numbers, values) if v is not None]
        if not pts:
            _no_data(ax, "no data in these sessions")
            continue
        x, y = zip(*pts)
        ax.plot(x, y, marker="o", ms=4, color=COLOURS[0], lw=1.2)
        if slope is not None and intercept is not None:
            xs = np.array([numbers[0], numbers[-1]], dtype=float)
            ax.plot(xs, intercept + slope * (xs - numbers[0]), color=COLOURS[5], lw=1,
                    ls="--")
        ax.set_xticks(numbers if len(numbers) <= 10 else numbers[::2])
        ax.set_xlim(numbers[0] - 0.5, numbers[-1] + 0.5)
        ax.set_xlabel("session", fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
        low, high = min(y), max(y)
        if high == low:                 # a flat line: keep zero in view, no tiny range
            ax.set_ylim(min(0, low) - 0.5, max(high, 0) * 1.2 + 0.5)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.16 / rows + 0.06, top=0.9,
                        hspace=0.85, wspace=0.45)
    return _png(fig)


def goal(numbers: list[int], levels: list[int | None], level_words: dict[int, str],
         metric: tuple[str, str, list[float | None], str] | None) -> tuple[str, int]:
    """A goal across sessions: the ratings (−2..+2) and, beside them, the linked metric.

    ``metric``: (title, y label, values per session, direction higher|lower) or None."""
    fig = _figure(7.5 if metric else 4.2, 2.3)
    ax = fig.add_subplot(1, 2 if metric else 1, 1)
    pts = [(x, v) for x, v in zip(numbers, levels) if v is not None]
    ax.set_title("goal attainment rating", fontsize=FONT)
    if not pts:
        _no_data(ax, "not rated yet")
    else:
        x, y = zip(*pts)
        ax.plot(x, y, marker="o", ms=5, color=COLOURS[2], lw=1.2)
        ax.axhline(0, color="#999999", lw=0.8, ls="--")
        ax.set_ylim(-2.5, 2.5)
        ax.set_yticks([-2, -1, 0, 1, 2], ["−2", "−1", "0 expected", "+1", "+2"])
        ax.set_xticks(numbers if len(numbers) <= 10 else numbers[::2])
        ax.set_xlim(numbers[0] - 0.5, numbers[-1] + 0.5)
        ax.set_xlabel("session", fontsize=FONT)
        ax.set_ylabel("level", fontsize=FONT)
        ax.tick_params(labelsize=FONT - 1)
    if metric:
        title, ylabel, values, direction = metric
        ax2 = fig.add_subplot(1, 2, 2)
        arrow = "↑" if direction == "higher" else "↓"
        ax2.set_title(f"{title} ({arrow} is better)", fontsize=FONT)
        ax2.set_ylabel(ylabel, fontsize=FONT - 1)
        mpts = [(x, v) for x, v in zip(numbers, values) if v is not None]
        if not mpts:
            _no_data(ax2)
        else:
            x, y = zip(*mpts)
            ax2.plot(x, y, marker="o", ms=4, color=COLOURS[0], lw=1.2)
            ax2.set_xticks(numbers if len(numbers) <= 10 else numbers[::2])
            ax2.set_xlim(numbers[0] - 0.5, numbers[-1] + 0.5)
            ax2.set_xlabel("session", fontsize=FONT)
            ax2.tick_params(labelsize=FONT - 1)
            if max(y) == min(y):
                ax2.set_ylim(min(0, min(y)) - 0.5, max(y, default=0) * 1.2 + 0.5)
    fig.subplots_adjust(left=0.16 if not metric else 0.1, right=0.98, bottom=0.2, top=0.86,
                        wspace=0.3)
    return _png(fig)


def pad_colour(count: int, most: int) -> tuple[str, str]:
    """Background and text colour of a pad cell: matplotlib's "Blues" map by share of use;
    the text black or white, whichever contrasts more (WCAG: at least 4.5:1 either way)."""
    from matplotlib import colormaps, colors
    share = count / most if most else 0.0
    rgba = colormaps["Blues"](0.08 + 0.85 * share)
    lum = sum(w * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
              for w, c in zip((0.2126, 0.7152, 0.0722), rgba[:3], strict=True))
    white = 1.05 / (lum + 0.05)          # WCAG contrast ratios against white and black text
    black = (lum + 0.05) / 0.05
    return colors.to_hex(rgba), "#ffffff" if white > black else "#000000"
