"""Watching the journal's writer from the engine thread: nobody is left unaware.

The writer is a thread of its own (``station.journal.writer``); if it dies, hangs on a
disk or SQLite refuses its writes, the station plays on and keeps the rows in memory,
but a therapist must learn of it. ``JournalWatch`` is a station timer: once a second it
reads ``journal.health()`` and turns every change into a fault event,
``journal_not_writing:<why>`` or ``journal_writing``. The event goes where every fault
goes: the log, the journal itself (it is written once writing works again), the lights
(``station.turns.lights`` shows the ``journal`` pattern on every light), ``station
status`` (the journal line) and ``station doctor`` (which asks a running station).
"""

from __future__ import annotations

import logging

from station.core.details import Fault
from station.core.events import FAULT, Event

log = logging.getLogger("station")
PERIOD_NS = 1_000_000_000
NOT_WRITING = "journal_not_writing"
WRITING = "journal_writing"


def reason(health: dict) -> str:
    """A one-word reason for a journal that is not writing (for the fault's detail)."""
    error = (health.get("error") or "").lower()
    if "stopped" in error:
        return "writer_stopped"
    if "has not written" in error:
        return "stalled"
    if "full" in error:
        return "disk_full"
    if "i/o" in error:
        return "disk_error"
    if "readonly" in error or "read-only" in error or "permission" in error:
        return "read_only"
    return "refused" if error else "lost_events"


class JournalWatch:
    """A station timer: ``tick(now)`` once a second; ``report(event)`` gets the changes."""

    def __init__(self, journal, report) -> None:
        self.journal = journal
        self.report = report
        self.writing = True
        self._next = 0

    def next_deadline(self) -> int | None:
        return self._next

    def tick(self, now: int) -> None:
        self._next = now + PERIOD_NS
        health = self.journal.health()
        writing = bool(health.get("writing", health.get("ok")))
        if writing == self.writing:
            return
        self.writing = writing
        if writing:
            log.warning("journal: writing again")
            self.report(Event(FAULT, now, detail=Fault(WRITING)))
        else:
            log.error("journal: NOT WRITING: %s", health.get("error"))
            self.report(Event(FAULT, now, detail=Fault(NOT_WRITING, reason(health))))
