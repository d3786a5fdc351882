"""Summaries of timing samples: median, p99, max, jitter (all in milliseconds).

p99 uses numpy's linear interpolation; with fewer than 100 samples it is close to the
max, so the sample counts in ``bench.__main__`` are chosen to give p99 some meaning
(>= 1000 where the run time allows). Jitter is p99 - median: how far the slow touches
stray from the typical one, which is what a player feels as unsteadiness.
"""

from __future__ import annotations

import math

import numpy as np

NS_PER_MS = 1e6


def summary_ms(samples_ns) -> dict[str, float]:
    """``{"n", "min", "median", "mean", "p90", "p99", "max", "jitter"}`` of samples
    given in ns, as ms (n is a count). Empty input gives NaNs (reported as MISS)."""
    data = np.asarray(list(samples_ns), dtype=np.float64) / NS_PER_MS
    if data.size == 0:
        nan = math.nan
        return {"n": 0, "min": nan, "median": nan, "mean": nan, "p90": nan, "p99": nan,
                "max": nan, "jitter": nan}
    p50, p90, p99 = np.percentile(data, [50, 90, 99])
    return {"n": int(data.size), "min": float(data.min()), "median": float(p50),
            "mean": float(data.mean()), "p90": float(p90), "p99": float(p99),
            "max": float(data.max()), "jitter": float(p99 - p50)}


def flat(prefix: str, summary: dict[str, float]) -> dict[str, float]:
    """``summary`` as flat result keys: ``{prefix}_p50_ms``, ``_p99_ms``, ``_max_ms``,
    ``_min_ms``, ``_mean_ms``, ``_jitter_ms`` and ``_n``."""
    out = {f"{prefix}_n": summary["n"]}
    for key, name in (("median", "p50"), ("p99", "p99"), ("max", "max"), ("min", "min"),
                      ("mean", "mean"), ("jitter", "jitter")):
        out[f"{prefix}_{name}_ms"] = summary[key]
    return out


def fmt_ms(value: float) -> str:
    """A millisecond figure with sensible precision (µs resolution below 10 ms)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:.3f}" if value < 10 else f"{value:.2f}"
