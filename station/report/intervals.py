"""Time intervals (seconds from a session's start): seated, board online, phases.

An interval list is sorted, non-overlapping ``[(start, end), ...]`` with start < end.
Metrics count only the time a client could play (seated *and* board online, within the
phase asked for), so these few operations are the ground they stand on.
"""

from __future__ import annotations

import numpy as np

Interval = tuple[float, float]


def normal(xs) -> list[Interval]:
    """Sorted, merged, without empty intervals."""
    out: list[list[float]] = []
    for a, b in sorted((float(a), float(b)) for a, b in xs if b > a):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def intersect(xs: list[Interval], ys: list[Interval]) -> list[Interval]:
    out = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        a, b = max(xs[i][0], ys[j][0]), min(xs[i][1], ys[j][1])
        if b > a:
            out.append((a, b))
        if xs[i][1] < ys[j][1]:
            i += 1
        else:
            j += 1
    return out


def subtract(xs: list[Interval], ys: list[Interval]) -> list[Interval]:
    """``xs`` without the time in ``ys``."""
    out = []
    for a, b in xs:
        start = a
        for c, d in ys:
            if d <= start or c >= b:
                continue
            if c > start:
                out.append((start, c))
            start = max(start, d)
        if start < b:
            out.append((start, b))
    return out


def total(xs: list[Interval]) -> float:
    return float(sum(b - a for a, b in xs))


def which(times: np.ndarray, xs: list[Interval]) -> np.ndarray:
    """Index of the interval holding each time (start inclusive, end inclusive), -1 if none.

    The end is inclusive so that a touch at the very end of a session still counts."""
    if not len(xs):
        return np.full(len(times), -1, dtype=np.int64)
    starts = np.array([a for a, _ in xs])
    ends = np.array([b for _, b in xs])
    k = np.searchsorted(starts, times, side="right") - 1
    ok = (k >= 0) & (times <= ends[np.maximum(k, 0)])
    return np.where(ok, k, -1)


def inside(times: np.ndarray, xs: list[Interval]) -> np.ndarray:
    """Mask of the times that lie in ``xs``."""
    return which(np.asarray(times, dtype=float), xs) >= 0
