"""The station's restarts inside a session: time nobody could play.

A session resumed after a restart (station.service.resume) holds a ``resumed`` event at
the moment the station was back; its detail is the gap in seconds, from the last sign of
life before the restart (the service stopping, a crash, a power cut). Like a board
outage, a gap is time no client could play: it is subtracted from every column's
available time (``columns``), hatched on the timeline and listed with the marks.
"""

from __future__ import annotations

from station.journal.resume_rows import RESUMED
from station.report.data import SessionData
from station.report.intervals import Interval, normal




def gaps(d: SessionData) -> list[Interval]:
    """(start, end) in seconds from the session's start of every restart gap."""
    r = d.rows.of(RESUMED)
    out = []
    for t, detail in zip(r.t, r.detail):
        try:
            gap = float(detail)
        except (TypeError, ValueError):
            continue                 # a row no station wrote: not drawn
        if 0 < gap < 1e7:
            out.append((max(0.0, float(t) - gap), float(t)))
    return normal(out)
