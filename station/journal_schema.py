"""The journal's SQLite schema and its migrations (``PRAGMA user_version``).

Times are integer nanoseconds on the station clock (``t_ns``), plus wall-clock ISO
strings for session starts. ``client`` columns hold pseudonyms, never names.
Add a migration by appending to ``MIGRATIONS``; never edit a released one.
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
        with conn:
            conn.executescript(MIGRATIONS[version])
            conn.execute(f"PRAGMA user_version = {version + 1}")
    return before
