"""Retention and forgetting as the running journal does them, in turn, in its writer thread.

``Journal.purge`` and ``Journal.forget`` only queue the request; the writer keeps it in
order with everything else (``store.Pending``) and, when its turn comes, hands it here,
in a transaction of its own (``retention`` does the deleting). A refusal of the disk
raises, so the request stays pending and is retried with the next batch.

Retention never deletes by a wall clock that stepped: while the wall clock has moved
against the monotonic one, since the journal opened, by more than NTP's slewing could
(at most 500 ppm, plus 5 s), retention pauses until the station restarts. Why it paused
is kept as ``note`` (``Journal.health()``'s ``retention``), logged once per change. A
forget hands its ``Deleted`` counts to the future the caller waits on.
"""

from __future__ import annotations

import logging
import sqlite3
import time

log = logging.getLogger("station.journal.writer")


class Housekeeping:
    """Called by ``store.Pending`` with a ``["purge", days, keep]`` or ``["forget",
    client, future, session]`` op; ``keep`` / ``session``: the open session (never
    deleted by retention)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        # Retention trusts the wall clock only while it keeps step with the monotonic one.
        self._wall_offset = time.time_ns() - time.monotonic_ns()
        self._opened_ns = time.monotonic_ns()
        self.note: str | None = None            # why retention is paused, if it is

    def __call__(self, op: list) -> None:
        if op[0] == "purge":
            self._purge(op[1], keep=op[2])
        elif op[0] == "forget":
            self._forget(op)

    def _purge(self, days: float, keep: int | None) -> None:
        from station.journal.retention import purge_older_than
        jumped = self._clock_jump_s()
        if jumped is not None:
            self._note(f"retention paused: the wall clock moved {jumped:+.0f} s "
                       f"against the station's own clock since it started; "
                       f"nothing is deleted until the station restarts")
            return
        gone = purge_older_than(self._conn, days, keep=keep)
        if gone.skipped:
            self._note(f"retention paused: {gone.skipped}")
        elif gone.sessions:
            self.note = None
            log.info("journal: retention deleted %s older than %g days", gone.words(), days)

    def _note(self, note: str) -> None:
        if note != self.note:
            log.warning("journal: %s", note)
        self.note = note

    def _clock_jump_s(self) -> float | None:
        """How far the wall clock stepped since the journal opened, if beyond what NTP's
        slewing (at most 500 ppm) could do; None if it kept step."""
        moved = (time.time_ns() - time.monotonic_ns()) - self._wall_offset
        elapsed = time.monotonic_ns() - self._opened_ns
        return moved / 1e9 if abs(moved) > 5e9 + elapsed * 5e-4 else None

    def _forget(self, item: list) -> None:
        from station.journal.retention import forget_client
        _, client, done, _sid = item
        if not done.done():
            done.set_result(forget_client(self._conn, client))   # a refusal: retried
