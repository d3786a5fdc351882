"""A client's metrics across sessions: the trend, and the last 4 sessions against the first.

Therapists review goals about every 4 sessions, so the comparison is the last 4 sessions
(*recent*) against the sessions before them, at most the first 4 (*baseline*). The trend
is the Theil–Sen slope (``scipy.stats.theilslopes``: the median of pairwise slopes,
robust to one odd session) per session. The overlap is NAP, non-overlap of all pairs
(Parker & Vannest 2009): the share of (recent, baseline) pairs where the recent value is
higher, ties counting half, i.e. the Mann–Whitney U of recent over n1·n2
(``scipy.stats.mannwhitneyu``). 50 % means no difference; it is an *indicator*, and it
says "higher", not "better": for latency or silence lower may be the goal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

RECENT = 4
MIN_TREND = 4        # sessions with a value before a slope is shown


@dataclass(frozen=True)
class Trend:
    n: int                         # sessions with a value
    slope: float | None            # change per session (Theil–Sen)
    intercept: float | None        # the Theil–Sen line's value at the first session
    low: float | None              # 95 % confidence interval of the slope
    high: float | None
    baseline: float | None         # median of the baseline sessions
    recent: float | None           # median of the last 4 sessions
    nap: float | None              # 0..100 %: recent higher than baseline
    why: str = ""                  # why some of these are missing


def trend(values: list[float | None]) -> Trend:
    """Trend of one metric over sessions in time order (None: no value that session)."""
    idx = np.array([i for i, v in enumerate(values) if v is not None], dtype=float)
    y = np.array([v for v in values if v is not None], dtype=float)
    n = len(y)
    why = []
    slope = intercept = low = high = None
    if n >= MIN_TREND and np.ptp(idx) > 0:
        res = stats.theilslopes(y, idx, alpha=0.95)
        slope, intercept = float(res.slope), float(res.intercept)
        low, high = float(res.low_slope), float(res.high_slope)
    else:
        why.append(f"trend needs {MIN_TREND} sessions with a value (has {n})")
    baseline = recent = nap = None
    if n >= RECENT + 1:
        last = y[-RECENT:]
        first = y[:min(RECENT, n - RECENT)]
        baseline, recent = float(np.median(first)), float(np.median(last))
        nap = nap_percent(last, first)
    else:
        why.append(f"last {RECENT} vs first needs {RECENT + 1} sessions (has {n})")
    return Trend(n, slope, intercept, low, high, baseline, recent, nap, "; ".join(why))


def nap_percent(recent: np.ndarray, baseline: np.ndarray) -> float:
    """NAP in %: P(recent > baseline) + P(tie)/2 over all pairs."""
    u = stats.mannwhitneyu(recent, baseline, alternative="two-sided").statistic
    return 100.0 * float(u) / (len(recent) * len(baseline))
