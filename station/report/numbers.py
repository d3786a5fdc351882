"""Numbers rounded to their meaning, the same in the report and the metrics export, and
times as the station's local clock shows them.

A value is rounded to its metric's decimals (``station.report.vocabulary``) before it is
shown or compared, so arithmetic noise (1.1e-15 where the answer is 0) never reaches a
page or a cell: an exact zero prints ``0``, never ``-0`` or ``0.00``. Trailing zeros are
dropped (``0.4``, ``12``).
"""

from __future__ import annotations

import math

from station.journal.reader import SessionInfo
from station.report.vocabulary import TERMS


def rounded(value: float | None, decimals: int) -> float | None:
    """``value`` rounded half-even to ``decimals``; None for missing or not finite."""
    if value is None or not math.isfinite(value):
        return None
    r = round(float(value), decimals)
    return 0.0 if r == 0 else r


def plain(value: float | None, decimals: int) -> str:
    """``rounded`` as text without trailing zeros; "" when missing."""
    r = rounded(value, decimals)
    if r is None:
        return ""
    text = f"{r:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def metric_text(key: str, value: float | None) -> str:
    """A metric's value for the export: rounded to its meaning, "" when missing (a
    Rayleigh p of 0 means below 0.00005)."""
    return plain(value, TERMS[key].decimals if key in TERMS else 3)


def with_unit(key: str, value: float | None) -> str:
    """A metric's value for a page: rounded, with its unit (``0.4 s``, ``85 %``)."""
    if value is None:
        return ""
    term = TERMS[key]
    if key == "rayleigh_p" and value < 0.001:
        return "< 0.001"
    if key == "seated_s":
        return minutes(value)
    text = plain(value, term.decimals)
    return f"{text} {term.unit}".strip() if term.unit else text


def minutes(seconds: float) -> str:
    """``45 s``, ``1.5 min``, ``12 min``: durations as a therapist says them."""
    if seconds < 90:
        return f"{plain(seconds, 0)} s"
    return f"{plain(seconds / 60, 1 if seconds < 600 else 0)} min"


def signed(level: int) -> str:
    """A goal level: ``+1``, ``0``, ``-2``."""
    return f"{level:+d}" if level else "0"


def when(info: SessionInfo, after_s: float = 0.0, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return info.local(after_s).strftime(fmt)


def zone(info: SessionInfo) -> str:
    t = info.local()
    name = t.tzname() or ""
    if name and not name.startswith("UTC"):
        return name
    offset = t.utcoffset()
    return "UTC" if not offset else t.strftime("UTC%z")
