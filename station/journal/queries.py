"""The journal's answers to the report and the panel: named questions, plain rows back.

Every SQL text that reads the journal's tables lives in this room (here, in ``reader``
and in ``consent``); the report and the panel ask through these functions and never
see a table. Times are station-clock nanoseconds (``t_ns``); ``client`` is a pseudonym.
Details come back as the journal's text; ``station.core.details.decode`` reads them.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from station.core.details import NO_CONSENT, decode, encode
from station.core.errors import JournalError
from station.journal.reader import EVENT_ROWS, typed

ReadError = sqlite3.Error      # what a read of a busy or damaged journal may raise


@dataclass(frozen=True)
class SessionHeader:
    """A session as the panel lists it (``started_at``: UTC wall clock, ISO 8601)."""

    id: int
    started_at: str
    started_ns: int
    ended_ns: int | None
    started_by: str
    ended_by: str | None


def open_read_only(path: Path, timeout_s: float = 2.0) -> sqlite3.Connection:
    """A read-only connection (no migration, no file created); JournalError if it fails."""
    try:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout_s)
    except sqlite3.Error as exc:
        raise JournalError(f"{path}: the journal cannot be read just now ({exc}).") \
            from None


def report_rows(conn: sqlite3.Connection, session_id: int) -> list[tuple]:
    """One session's events in time order as ``(t_ns, kind, player, pad, client, detail,
    board, electrode)``, -1 for no player, pad, board or electrode, '' for no client or
    detail (one query; fast enough for 10^6 rows). Each value is taken only with the type and range
    the station writes (``reader.typed``): a row no station wrote never reaches a report
    as something it cannot draw."""
    columns = ", ".join(typed(c, d) for c, d in (
        ("kind", "''"), ("player", "-1"), ("pad", "-1"), ("client", "''"), ("detail", "''"),
        ("board", "-1"), ("electrode", "-1")))
    return conn.execute(f"SELECT t_ns, {columns} FROM events WHERE session_id = ? AND "
                        f"{EVENT_ROWS} ORDER BY t_ns, id", (session_id,)).fetchall()


def latest_goals(conn: sqlite3.Connection, client: str) -> list[dict]:
    """The goals journaled at the client's latest seating ([] when none or unreadable)."""
    row = conn.execute("SELECT detail FROM events WHERE kind = 'goals' AND client = ? "
                       "ORDER BY id DESC LIMIT 1", (client,)).fetchone()
    goals = decode("goals", row[0]) if row else []
    return goals if isinstance(goals, list) else []


def client_session_ids(conn: sqlite3.Connection, client: str) -> list[int]:
    """The ids of every session with a row of ``client``, oldest first."""
    return [sid for (sid,) in conn.execute(
        "SELECT s.id FROM sessions s WHERE s.id IN (SELECT DISTINCT session_id FROM events "
        "WHERE client = ?) ORDER BY s.started_unix_ns, s.id", (client,))]


def sounded_notes(conn: sqlite3.Connection, session_id: int, player: int
                  ) -> list[tuple[int, int]]:
    """``(t_ns, note)`` of every note that sounded at ``player``, in time order."""
    return conn.execute("SELECT t_ns, note FROM events WHERE session_id = ? AND player = ? "
                        "AND kind = 'note_on' AND note IS NOT NULL ORDER BY t_ns, id",
                        (session_id, player)).fetchall()


def clients_who_played(conn: sqlite3.Connection, session_id: int, player: int) -> list[str]:
    """The clients whose notes are journaled at ``player`` in the session."""
    return [c for (c,) in conn.execute(
        "SELECT DISTINCT client FROM events WHERE session_id = ? AND player = ? AND kind = "
        "'note_on' AND client IS NOT NULL", (session_id, player))]


def seated_without_consent(conn: sqlite3.Connection, session_id: int, player: int) -> bool:
    """True when a client without journal consent was seated at ``player`` (counts only)."""
    return conn.execute(
        "SELECT 1 FROM events WHERE session_id = ? AND player = ? AND kind = 'profile' "
        "AND detail = ?", (session_id, player, encode("profile", NO_CONSENT))
    ).fetchone() is not None


def recent_sessions(conn: sqlite3.Connection, limit: int) -> list[SessionHeader]:
    """The newest ``limit`` sessions, newest first."""
    return [SessionHeader(*r) for r in conn.execute(
        "SELECT id, started_at, started_ns, ended_ns, started_by, ended_by FROM sessions "
        "ORDER BY started_unix_ns DESC, id DESC LIMIT ?", (limit,))]


def kind_counts(conn: sqlite3.Connection, session_ids: list[int], kinds: tuple[str, ...]
                ) -> dict[tuple[int, str], int]:
    """(session id, kind) -> how many rows of that kind the session has."""
    if not session_ids or not kinds:
        return {}
    ids, ks = ",".join("?" * len(session_ids)), ",".join("?" * len(kinds))
    return {(sid, kind): n for sid, kind, n in conn.execute(
        f"SELECT session_id, kind, COUNT(*) FROM events WHERE session_id IN ({ids}) "
        f"AND kind IN ({ks}) GROUP BY session_id, kind", [*session_ids, *kinds])}


def seated_clients(conn: sqlite3.Connection, session_ids: list[int]) -> dict[int, list[str]]:
    """session id -> the clients seated in it (not those whose file was refused)."""
    if not session_ids:
        return {}
    ids = ",".join("?" * len(session_ids))
    out: dict[int, list[str]] = {}
    for sid, client, text in conn.execute(
            f"SELECT DISTINCT session_id, client, detail FROM events WHERE session_id IN "
            f"({ids}) AND kind = 'profile' AND client IS NOT NULL", session_ids):
        if getattr(decode("profile", text), "seated", False) and client not in \
                out.get(sid, ()):
            out.setdefault(sid, []).append(client)
    return out


def session_ratings(conn: sqlite3.Connection, session_id: int) -> list[tuple[str, str, int]]:
    """``(client, goal, level)`` of each rating in the session, in the order given."""
    return conn.execute("SELECT client, goal, level FROM ratings WHERE session_id = ? "
                        "ORDER BY id", (session_id,)).fetchall()


def stored_secret(conn: sqlite3.Connection) -> str | None:
    """The journal's pseudonym secret, or None (read only: never creates one)."""
    row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class EndedSession:
    """A session a note can still join: its id, its end (station clock ns; its start if it
    never ended) and its end on the wall clock (UTC ISO 8601, '' if unknown)."""

    id: int
    ended_ns: int
    ended_at: str


def ended_session(conn: sqlite3.Connection, session_id: int | None = None
                  ) -> EndedSession | None:
    """Session ``session_id``, or the last session that ended; None if there is none."""
    where = "id = ?" if session_id is not None else "ended_ns IS NOT NULL"
    row = conn.execute(
        f"SELECT id, {typed('ended_ns', typed('started_ns', '0'))}, "
        "CASE WHEN typeof(ended_at) = 'text' THEN ended_at WHEN typeof(started_at) = "
        "'text' THEN started_at ELSE '' END "
        f"FROM sessions WHERE {where} ORDER BY id DESC LIMIT 1",
        () if session_id is None else (session_id,)).fetchone()
    return None if row is None else EndedSession(int(row[0]), int(row[1]), str(row[2]))
