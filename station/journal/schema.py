"""The journal's SQLite schema and its migrations (``PRAGMA user_version``).

Times are integer nanoseconds on the station clock (``t_ns``), plus wall-clock ISO
strings for session starts. ``client`` columns hold pseudonyms, never names.
Add a migration by appending to ``MIGRATIONS``; never edit a released one.

Version 1: meta, sessions, players, events. Version 2: sessions gain ``started_unix_ns``,
``started_by`` (run | button | cli | touch | scenario), ``ended_by`` (button | cli | idle |
stop) and ``ended_at``; a ``housekeeping`` table records forget/retention counts.
Version 3: sessions gain the station's local time zone at their start (``utc_offset_min``,
``tz``: reports show local time); a ``ratings`` table holds the therapist's goal ratings
(goal attainment levels −2..+2 per session and client).
Phases (kind ``phase``) and therapist notes (kind ``note``) are events of their session;
so are the consent in force at each seating (``consent``), the client's goals (``goals``)
and the anonymous counts of a seat without journal consent (``counts``): see
``station.journal.consent``.
"""

from __future__ import annotations

import sqlite3

MIGRATIONS: list[str] = [
    # 1: sessions, players, events, meta
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        station TEXT NOT NULL,
        started_ns INTEGER NOT NULL,
        ended_ns INTEGER,
        started_at TEXT NOT NULL,          -- wall clock, ISO 8601 UTC
        latency_ms REAL,                   -- configured output latency of the station
        notes TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE players (
        session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        player INTEGER NOT NULL,
        role TEXT NOT NULL,                -- client | therapist
        PRIMARY KEY (session_id, player)
    );
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
        t_ns INTEGER NOT NULL,
        kind TEXT NOT NULL,
        player INTEGER,
        client TEXT,
        board INTEGER,
        electrode INTEGER,
        button TEXT,
        pad INTEGER,
        note INTEGER,
        velocity INTEGER,
        channel INTEGER,
        detail TEXT,
        strength REAL
    );
    CREATE INDEX events_session_t ON events(session_id, t_ns);
    CREATE INDEX events_client ON events(client);
    """,
    # 2: who/what started and ended a session, the wall clock in ns (retention, reports,
    #    durability checks), an index for per-kind queries, and a housekeeping log that
    #    says when data was forgotten or expired (counts only, never whose).
    """
    ALTER TABLE sessions ADD COLUMN started_unix_ns INTEGER;
    ALTER TABLE sessions ADD COLUMN started_by TEXT NOT NULL DEFAULT 'run';
    ALTER TABLE sessions ADD COLUMN ended_by TEXT;
    ALTER TABLE sessions ADD COLUMN ended_at TEXT;
    CREATE INDEX events_session_kind ON events(session_id, kind);
    CREATE TABLE housekeeping (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,                  -- wall clock, ISO 8601 UTC
        action TEXT NOT NULL,              -- forget | retention
        sessions INTEGER NOT NULL,
        events INTEGER NOT NULL
    );
    """,
    # 3: local time for reports, and goal ratings. A rating names its session explicitly
    #    (a therapist often rates after the session ended), so it is not an event row.
    #    No foreign key: a rating must never block the events committed with it; forget
    #    and retention delete ratings themselves.
    """
    ALTER TABLE sessions ADD COLUMN utc_offset_min INTEGER;   -- local = UTC + this
    ALTER TABLE sessions ADD COLUMN tz TEXT;                   -- zone abbreviation, e.g. CET
    CREATE TABLE ratings (
        id INTEGER PRIMARY KEY,
        session_id INTEGER NOT NULL,
        t_ns INTEGER NOT NULL,             -- station clock when rated
        player INTEGER,
        client TEXT NOT NULL,              -- pseudonym
        goal TEXT NOT NULL,                -- the goal's id in the client's profile
        level INTEGER NOT NULL CHECK (level BETWEEN -2 AND 2),
        rated_at TEXT NOT NULL             -- wall clock, ISO 8601 UTC
    );
    CREATE INDEX ratings_session ON ratings(session_id);
    CREATE INDEX ratings_client ON ratings(client);
    """,
]

VERSION = len(MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring ``conn`` to the newest schema; return the version it had before."""
    before = conn.execute("PRAGMA user_version").fetchone()[0]
    if before > VERSION:
        raise sqlite3.DatabaseError(
            f"journal schema version {before} is newer than this station ({VERSION}); "
            f"update the station software")
    for version in range(before, VERSION):
        # One transaction per migration (SQLite DDL is transactional): a crash or a full
        # disk mid-migration leaves the previous version intact, never half of the next.
        try:
            conn.executescript(f"BEGIN;\n{MIGRATIONS[version]}\n"
                               f"PRAGMA user_version = {version + 1};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.rollback()
            raise
    return before
