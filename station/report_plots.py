"""The report's pictures, drawn with matplotlib (Agg, no display) and embedded as base64 PNG.

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
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _figure(w: float, h: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(w, h))


def timeline(span_s: float, series: dict[str, np.ndarray],
             phases: list[tuple[float, str]]) -> str:
    """Touches per minute of each player over the session; phases shaded and named."""
    fig = _figure(7.5, 2.6)
    ax = fig.add_subplot()
    minutes = max(1, int(np.ceil(span_s / 60.0)))
    edges = np.arange(minutes + 1) * 60.0
    centres = (edges[:-1] + 30.0) / 60.0
    for i, (label, times) in enumerate(series.items()):
        counts, _ = np.histogram(times, bins=edges)
        ax.plot(centres, counts, marker="o", ms=3, color=COLOURS[i % len(COLOURS)],
                label=label)
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


def pad_layout(players: dict[str, dict[int, int]], pads: int = 12) -> str:
    """Each player's pads as a 3 x 4 grid (pad 0 top left) coloured by touches;
    a switch pad (pad 12) is drawn as a fifth-row cell."""
    n = max(1, len(players))
    fig = _figure(2.2 * n, 2.6)
    for k, (label, counts) in enumerate(players.items()):
        ax = fig.add_subplot(1, n, k + 1)
        rows = 4 if any(p >= pads for p in counts) else 3
        grid = np.full((rows, 4), np.nan)
        for pad in range(pads):
            grid[pad // 4, pad % 4] = counts.get(pad, 0)
        if rows == 4:
            grid[3, 0] = sum(v for p, v in counts.items() if p >= pads)
        img = ax.imshow(grid, cmap="Blues", vmin=0, vmax=max(1, max(counts.values(),
                                                                     default=1)))
        for (r, c), v in np.ndenumerate(grid):
            if not np.isnan(v):
                pad = r * 4 + c if r < 3 else pads
                ax.text(c, r, f"{pad}\n{int(v)}", ha="center", va="center", fontsize=7,
                        color="white" if v > 0.6 * img.norm.vmax else "black")
        ax.set_title(label, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return _png(fig)


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
    fig.tight_layout()
    return _png(fig)
