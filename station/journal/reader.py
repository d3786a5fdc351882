"""Reading a journal for export, reports and forgetting: which file, which sessions, which rows.

``station export``, ``report`` and ``forget`` read the station config's journal, or the
file given with ``--db``. Opening migrates an older journal to the current schema (the
migrations only add), and never creates a file that is not there.

Selecting by client (``--client alex`` or ``--client c-1a2b3c4d``) keeps only that
client's rows plus the rows that belong to nobody (phases, beats, turns, faults) and the
therapist players' rows, so a group session exported for one client does not carry the
other clients' data.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from collections.abc import Iterator
from pathlib import Path

from station.core.errors import JournalError

COLUMNS = ("t_ns", "kind", "player", "client", "board", "electrode", "button", "pad",
           "note", "velocity", "channel", "detail", "strength")
# SQLite keeps whatever a column is given (a text in an INTEGER column, a blob, a number far
# out of range): readers get each value only when it has the type and range the station
# writes, else NULL, so no report or export meets a value it cannot draw (``typed``).
RANGES = {"player": (0, 255), "board": (0, 255), "electrode": (0, 255), "pad": (0, 255),
          "note": (0, 127), "velocity": (0, 127), "channel": (0, 15)}
TEXT = {"kind", "client", "button", "detail"}
MAX_NS = 1 << 62                                 # 146 years of station clock


def typed(column: str, default: str = "NULL") -> str:
    """The SQL expression reading ``column`` as the station wrote it, else ``default``."""
    if column in TEXT:
        return f"CASE WHEN typeof({column}) = 'text' THEN {column} ELSE {default} END"
    if column == "strength":
        return (f"CASE WHEN typeof({column}) IN ('real', 'integer') AND abs({column}) < 1e9 "
                f"THEN {column} ELSE {default} END")
    low, high = RANGES.get(column, (0, MAX_NS))
    return (f"CASE WHEN typeof({column}) = 'integer' AND {column} BETWEEN {low} AND {high} "
            f"THEN {column} ELSE {default} END")


EVENT_ROWS = f"typeof(t_ns) = 'integer' AND t_ns BETWEEN 0 AND {MAX_NS}"
SESSION_HEADER = (
    "id, CASE WHEN typeof(station) = 'text' THEN station ELSE '' END, "
    f"{typed('started_ns', '0')}, "
    f"CASE WHEN typeof(ended_ns) = 'integer' AND ended_ns BETWEEN started_ns AND {MAX_NS} "
    "THEN ended_ns END, "
    "CASE WHEN typeof(started_at) = 'text' THEN started_at ELSE '' END, "
    "CASE WHEN typeof(latency_ms) IN ('real', 'integer') AND abs(latency_ms) < 1e6 "
    "THEN latency_ms END, "
    "CASE WHEN typeof(started_by) = 'text' THEN started_by ELSE 'run' END, "
    "CASE WHEN typeof(ended_by) = 'text' THEN ended_by END, "
    "CASE WHEN typeof(utc_offset_min) = 'integer' AND utc_offset_min BETWEEN -1439 AND 1439 "
    "THEN utc_offset_min END, "
    "CASE WHEN typeof(tz) = 'text' THEN tz END, "
    "CASE WHEN typeof(started_unix_ns) = 'integer' AND started_unix_ns BETWEEN 0 AND "
    "253402300799000000000 THEN started_unix_ns END")


@dataclass
class SessionInfo:
    """One session's header. Times: ``*_ns`` on the station clock, ``started_at`` UTC."""

    id: int
    station: str
    started_ns: int
    ended_ns: int | None
    started_at: str
    latency_ms: float | None
    started_by: str
    ended_by: str | None
    utc_offset_min: int | None = None     # the station's local time = UTC + this
    tz: str | None = None                 # its abbreviation (CET); None before schema 3
    started_unix_ns: int | None = None
    roles: dict[int, str] = field(default_factory=dict)   # player position -> role

    def role(self, player: int | None) -> str:
        return "" if player is None else self.roles.get(player, "client")

    def local(self, after_s: float = 0.0):
        """The station's local wall-clock time ``after_s`` seconds into the session, as an
        aware datetime (sessions from before schema 3: this computer's local zone)."""
        import datetime as dt
        try:
            start = (dt.datetime.fromtimestamp(self.started_unix_ns / 1e9, dt.UTC)
                     if self.started_unix_ns else dt.datetime.fromisoformat(self.started_at))
            if start.tzinfo is None:
                start = start.replace(tzinfo=dt.UTC)
            when = start + dt.timedelta(seconds=after_s)
        except (ValueError, OverflowError, OSError, TypeError):    # an odd stored header
            when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        try:
            if self.utc_offset_min is None:
                return when.astimezone()
            zone = dt.timezone(dt.timedelta(minutes=self.utc_offset_min),
                               str(self.tz) if self.tz else None)
            return when.astimezone(zone)
        except (ValueError, OverflowError, OSError, TypeError):    # beyond ±24 h: UTC
            return when.astimezone(dt.UTC)


def journal_path(db: str | None, config: str | None) -> Path:
    """``--db FILE`` if given, else the ``journal:`` of the station config."""
    if db:
        return Path(db)
    from station.config.station import load_config
    return load_config(config).journal


def open_journal(path: str | Path) -> sqlite3.Connection:
    """Open an existing journal (migrating it); JournalError in plain words if missing."""
    path = Path(path)
    if not path.is_file():
        raise JournalError(f"{path}: there is no journal here. Give the file with --db "
                           f"(the simulator writes OUT/station.db) or check 'journal:' in "
                           f"the station config.")
    from station.core.files import is_sqlite
    from station.journal.store import connect
    if not is_sqlite(path) and path.stat().st_size > 0:      # never touch someone's file
        raise JournalError(f"{path}: this is not a station journal (not a SQLite "
                           f"database). Give the journal file with --db.")
    try:
        return connect(path)
    except JournalError:
        raise
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{path}: this is not a station journal ({exc}).") from None


def client_pseudonym(conn: sqlite3.Connection, client: str | None) -> str | None:
    if client is None:
        return None
    from station.journal.retention import resolve_client
    return resolve_client(conn, client)


def select_sessions(conn: sqlite3.Connection, session: int | None = None,
                    client: str | None = None) -> list[SessionInfo]:
    """The sessions asked for, oldest first; JournalError if there are none."""
    where: list[str] = []
    args: list[int | str] = []
    if session is not None:
        where.append("id = ?")
        args.append(session)
    if client is not None:
        where.append("id IN (SELECT DISTINCT session_id FROM events WHERE client = ?)")
        args.append(client)
    sql = (f"SELECT {SESSION_HEADER} FROM sessions"
           + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY started_unix_ns, id")
    out = [SessionInfo(*row) for row in conn.execute(sql, args)]
    for s in out:
        s.roles = dict(conn.execute("SELECT player, role FROM players WHERE session_id=? "
                                    "AND typeof(player) = 'integer' AND typeof(role) = "
                                    "'text'", (s.id,)).fetchall())
    if not out:
        what = (f"session {session}" if session is not None else
                f"sessions of client {client}" if client is not None else "sessions")
        raise JournalError(f"the journal has no {what}. 'station export --format csv' with "
                           f"no filter lists everything it holds.")
    return out


def session_rows(conn: sqlite3.Connection, info: SessionInfo,
                 client: str | None = None) -> Iterator[tuple]:
    """The events of one session in time order, as tuples in ``COLUMNS`` order. A
    refused profile's row of an older journal held the profile's path and words from
    it: exports read it as the count of problems only (``consent_gate.refusal_words``)."""
    sql = (f"SELECT {', '.join(typed(c) for c in COLUMNS)} FROM events WHERE session_id = ? "
           f"AND {EVENT_ROWS}")
    args: list = [info.id]
    if client is not None:
        therapists = [p for p, r in info.roles.items() if r == "therapist"]
        sql += (" AND (client = ? OR client IS NULL"
                + (f" OR player IN ({', '.join('?' * len(therapists))})" if therapists else "")
                + ")")
        args += [client, *therapists]
    for row in conn.execute(sql + " ORDER BY t_ns, id", args):
        yield _scrubbed(row) if row[1] == "profile" and row[-2] else row


def _scrubbed(row: tuple) -> tuple:
    return (*row[:-2], public_profile_detail(row[-2]), row[-1])


def public_profile_detail(text: str) -> str:
    """A ``profile`` row's detail as it may leave the station: a refusal says only how
    many problems the file had (older journals kept its path and its first line)."""
    from station.config.consent_gate import refusal_words
    from station.core.details import SeatChange, decode, encode
    change = decode("profile", text)
    if getattr(change, "what", None) != "refused":
        return text
    return encode("profile", SeatChange("refused", refusal_words(change.text or "")))


def ratings(conn: sqlite3.Connection, client: str | None = None
            ) -> list[tuple[int, str, str, int]]:
    """Goal ratings as (session, client, goal, level), the latest per session, client and
    goal (a re-rating replaces the earlier one), oldest session first."""
    sql = ("SELECT session_id, client, goal, level FROM ratings WHERE id IN (SELECT max(id) "
           "FROM ratings GROUP BY session_id, client, goal)")
    args: list = []
    if client is not None:
        sql += " AND client = ?"
        args.append(client)
    return [tuple(r) for r in conn.execute(sql + " ORDER BY session_id, client, goal", args)]
