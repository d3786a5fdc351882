"""Deleting journal data: a client's data on request (``forget``) and old sessions (retention).

Both work on an open ``sqlite3.Connection`` to a migrated journal, in one transaction,
with ``PRAGMA secure_delete`` so deleted rows are overwritten with zeros rather than left
readable in free pages; the WAL is then checkpointed and truncated so no copy of the
deleted rows stays in the ``-wal`` file. Each run is recorded in ``housekeeping`` as
counts only (never whose data it was).

A *client's data* is every event and goal rating carrying the client's pseudonym
(counted together as events). A session in which no
other client played is deleted whole (its phases, notes, beats and players too), because
those rows describe that client's session; in a group session only the client's own
events go, and the others' data stays.

Retention never trusts a wall clock that jumped. Session ids grow in the order sessions
really started, so a session's age is judged by the latest wall-clock start of it *and
every session before it* (a station that booted with its clock at 1970 cannot make its
sessions look 55 years old later), and nothing is deleted while the clock reads earlier
than the newest session's start (the clock went back). The running journal also pauses
retention when the wall clock steps against the monotonic clock (``housekeeping``).
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass

from station.journal.pseudonym import pseudonym

DAY_NS = 86_400 * 1_000_000_000
PSEUDONYM = re.compile(r"^c-[0-9a-f]{8}$")
CLOCK_SLACK_NS = 60 * 1_000_000_000   # NTP corrections smaller than this are not a jump


def _iso(unix_ns: int) -> str:
    from station.core.clock import utc_iso
    try:
        return utc_iso(unix_ns)[:19].replace("T", " ")
    except (OverflowError, OSError, ValueError):
        return f"{unix_ns / 1e9:.0f} s after 1970"


@dataclass(frozen=True)
class Deleted:
    sessions: int      # sessions deleted whole
    events: int        # events deleted (including those of whole sessions)
    skipped: str = ""  # why nothing was deleted (a clock behind the journal), or ""

    def words(self) -> str:
        return (f"{self.sessions} session{'s' * (self.sessions != 1)} and "
                f"{self.events} event{'s' * (self.events != 1)}")


def resolve_client(conn: sqlite3.Connection, client: str) -> str:
    """The journal's pseudonym for ``client``: an id like ``alex`` or a pseudonym ``c-…``."""
    if PSEUDONYM.match(client):
        return client
    row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
    if row is None:
        return pseudonym(client, "")   # an empty journal: matches nothing
    return pseudonym(client, row[0])


def _delete_sessions(conn: sqlite3.Connection, ids: list[int]) -> int:
    events = 0
    for sid in ids:
        events += conn.execute("DELETE FROM events WHERE session_id=?", (sid,)).rowcount
        events += conn.execute("DELETE FROM ratings WHERE session_id=?", (sid,)).rowcount
        conn.execute("DELETE FROM players WHERE session_id=?", (sid,))
        conn.execute("DELETE FROM sessions WHERE id=?", (sid,))
    return events


def _record(conn: sqlite3.Connection, action: str, deleted: Deleted) -> None:
    from station.core.clock import utc_iso
    conn.execute("INSERT INTO housekeeping(at, action, sessions, events) VALUES (?, ?, ?, ?)",
                 (utc_iso(), action, deleted.sessions, deleted.events))


def _scrub(conn: sqlite3.Connection) -> None:
    """Push the deletion through the WAL into the main file and empty the WAL."""
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # a reader holds the WAL; the next checkpoint completes it


def forget_client(conn: sqlite3.Connection, client: str) -> Deleted:
    """Delete every trace of ``client`` (id or pseudonym); return how much went."""
    who = resolve_client(conn, client)
    conn.execute("PRAGMA secure_delete=ON")
    with conn:
        sessions = [r[0] for r in conn.execute(
            "SELECT DISTINCT session_id FROM events WHERE client=? AND session_id IS NOT NULL",
            (who,))]
        alone = [sid for sid in sessions if conn.execute(
            "SELECT 1 FROM events WHERE session_id=? AND client IS NOT NULL AND client<>? "
            "LIMIT 1", (sid, who)).fetchone() is None]
        events = _delete_sessions(conn, alone)
        events += conn.execute("DELETE FROM events WHERE client=?", (who,)).rowcount
        events += conn.execute("DELETE FROM ratings WHERE client=?", (who,)).rowcount
        deleted = Deleted(len(alone), events)
        _record(conn, "forget", deleted)
    _scrub(conn)
    return deleted


def _started_unix_ns(row: tuple) -> int | None:
    unix_ns, started_at = row
    if unix_ns is not None:
        return unix_ns
    try:   # sessions written by schema version 1 have only the ISO wall clock
        import datetime as dt
        return int(dt.datetime.fromisoformat(started_at).timestamp() * 1e9)
    except (TypeError, ValueError):
        return None


def purge_older_than(conn: sqlite3.Connection, days: float, *, keep: int | None = None,
                     now_unix_ns: int | None = None) -> Deleted:
    """Delete sessions that started more than ``days`` days ago (never session ``keep``).

    Events logged outside any session (e.g. a fault while the station idled) are deleted
    when they are older than the oldest kept session's first event (ids grow with time).
    """
    now = time.time_ns() if now_unix_ns is None else now_unix_ns
    cutoff = now - int(days * DAY_NS)
    latest, ages = None, []
    for sid, *when in conn.execute("SELECT id, started_unix_ns, started_at FROM sessions "
                                   "ORDER BY id"):
        started = _started_unix_ns(tuple(when))
        if started is not None:
            latest = started if latest is None else max(latest, started)
        ages.append((sid, latest))        # the journal's own order bounds each start
    if latest is not None and now < latest - CLOCK_SLACK_NS:
        return Deleted(0, 0, skipped=f"the clock reads {_iso(now)}, earlier than the "
                       f"newest session's start ({_iso(latest)}): it is wrong or went back")
    conn.execute("PRAGMA secure_delete=ON")
    with conn:
        old = [sid for sid, started in ages
               if sid != keep and started is not None and started < cutoff]
        events = _delete_sessions(conn, old)
        if old:
            first_kept = conn.execute("SELECT min(id) FROM events WHERE session_id IS NOT "
                                      "NULL").fetchone()[0]
            if first_kept is None:
                first_kept = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events"
                                          ).fetchone()[0]
            events += conn.execute("DELETE FROM events WHERE session_id IS NULL AND id < ?",
                                   (first_kept,)).rowcount
        deleted = Deleted(len(old), events)
        if old:
            _record(conn, "retention", deleted)
    if old:
        _scrub(conn)
    return deleted
