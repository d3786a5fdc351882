"""What each metric is called, how it is rounded, and how its changes are put in words.

All of it derives from the one declaration of the metrics,
``station.config.metric_registry.METRICS`` (see there for ``decimals``, ``more``/``less``
and ``min_change``); the keys are the metrics export's column names (docs/metrics.md), so
the CSV, the report and a profile's ``goals.metric`` use one vocabulary. The words say
which way a number moved, never that it is better: a goal's ``direction`` says that.
"""

from __future__ import annotations

from station.config.metric_registry import ID_COLUMNS, METRICS
from station.config.metric_registry import MetricSpec as Term

TERMS: dict[str, Term] = {m.name: m for m in METRICS}

SYNC = tuple(m.name for m in METRICS if m.pulse)

# What the summary and the across-sessions pictures look at, in this order.
KEY_METRICS = tuple(m.name for m in sorted((m for m in METRICS if m.summary),
                                           key=lambda m: m.summary))

# The metrics export's columns (docs/metrics.md), exactly in this order.
EXPORT_COLUMNS = ID_COLUMNS + tuple(m.name for m in METRICS if m.export)


def plural(n: int, word: str) -> str:
    """``1 phrase``, ``2 phrases`` (never "1 bouts")."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
