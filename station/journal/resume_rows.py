"""A session across a restart, in the journal: continued, or closed at its last event.

At start-up (``station.service.resume``), before anything new is recorded, the session
the live state names is either

* **continued** (``ResumableJournal.continue_session``): its row is opened again (``ended_ns`` and
  ``ended_by`` cleared: the station stopped, or a crash left it open and
  ``integrity.close_crashed`` closed it a moment ago), and the running ``Journal`` writes
  the following events into it, as if it had never stopped. The gap is marked by the
  caller with a ``resumed`` event (``RESUMED``; detail: the gap in seconds);
* or **closed at its last event** (``close_at_last_event``): after the resume window,
  or when the therapist chose a fresh start.

Both use a connection of their own (the writer thread is idle at start-up: nothing has
been queued yet), with the journal's busy timeout.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from station.core.clock import utc_iso
from station.core.errors import JournalError
from station.journal.writer import Journal

RESUMED = "resumed"     # event kind: the session goes on after a restart (detail: gap s)
# Ends after which a session may be continued: the station stopping (SIGTERM, systemd),
# a crash (kill -9, a power cut, the watchdog). A therapist's end (button, cli, idle,
# plan, forget) is final.
CONTINUABLE = (None, "stop", "crash")


def _open(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(Path(path), timeout=5.0)
        conn.execute("PRAGMA synchronous=FULL")
        return conn
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: the journal cannot be opened to resume the session "
                           f"({exc}).") from None


def session_end(path: Path, sid: int) -> dict | None:
    """``{"started_ns", "ended_ns", "ended_by", "last_ns"}`` of session ``sid`` (``last_ns``:
    its last event, else its start), or None when the journal has no such session."""
    conn = _open(path)
    try:
        row = conn.execute("SELECT started_ns, ended_ns, ended_by FROM sessions WHERE id=?",
                           (sid,)).fetchone()
        if row is None:
            return None
        last = conn.execute("SELECT max(t_ns) FROM events WHERE session_id=?",
                            (sid,)).fetchone()[0]
    finally:
        conn.close()
    return {"started_ns": row[0], "ended_ns": row[1], "ended_by": row[2],
            "last_ns": max(row[0], last if last is not None else row[0])}


def reopen(path: Path, sid: int) -> None:
    """Mark session ``sid`` open again in the file (durably, before it is continued)."""
    conn = _open(path)
    try:
        with conn:
            conn.execute("UPDATE sessions SET ended_ns=NULL, ended_at=NULL, ended_by=NULL "
                         "WHERE id=?", (sid,))
    finally:
        conn.close()


def close_at_last_event(path: Path, sid: int, by: str | None = None) -> int | None:
    """Close session ``sid`` at its last event (its start if it holds none); keep its
    ``ended_by`` unless ``by`` is given. Return the end (station ns), None if no such
    session."""
    end = session_end(path, sid)
    if end is None:
        return None
    conn = _open(path)
    try:
        unix = conn.execute("SELECT started_unix_ns FROM sessions WHERE id=?",
                            (sid,)).fetchone()[0]
        ended_at = None if unix is None else utc_iso(unix + end["last_ns"] - end["started_ns"])
        with conn:
            conn.execute("UPDATE sessions SET ended_ns=?, ended_at=?, "
                         "ended_by=coalesce(?, ended_by, 'crash') WHERE id=?",
                         (end["last_ns"], ended_at, by, sid))
    finally:
        conn.close()
    return end["last_ns"]


class ResumableJournal(Journal):
    """The station's ``Journal``, able to continue a session after a restart."""

    def continue_session(self, sid: int) -> None:
        """Write what follows into session ``sid`` (reopened in the file first). Called
        once at start-up, before anything is recorded: the writer thread then takes its
        session id from the queue's first item onwards."""
        reopen(self.path, sid)
        self.session = self._session_id = sid
        if sid in self.crashed:          # not left closed after all: status must not say so
            self.crashed.remove(sid)
