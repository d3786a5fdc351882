"""The clinic database read back as one journal: reports and exports across rooms.

``clinic_journal(pg)`` copies what the connected role may read (the report role: every
room; a station's role: its own rows) into a new in-memory SQLite journal with the
journal's own schema, so ``station report --clinic`` and ``station export --clinic`` run
the very same metric and report code as for one station (``station.report``). Sessions
are numbered anew in wall-clock order across rooms (each room's own ids collide); the
``station`` of a session is its room's ``station_id``. Clients stay pseudonyms: the
clinic database holds no names, and the journals' secrets never leave the stations.
"""

from __future__ import annotations

import json
import sqlite3

from station.journal.schema import migrate
from station.journal.store import COLUMNS as EVENT_COLUMNS
from station.journal.store import INSERT as INSERT_EVENT
from station.journal.store import RATING as INSERT_RATING

SESSIONS = ("SELECT station_id, journal, row_id, started_ns, ended_ns, started_at, ended_at, "
            "started_by, ended_by, latency_ms, utc_offset_min, tz, started_unix_ns, roles "
            "FROM clinic.sessions ORDER BY started_unix_ns, station_id, journal, row_id")
CHUNK = 10_000       # rows fetched and inserted at a time


def clinic_journal(pg) -> sqlite3.Connection:
    """A new in-memory journal holding what ``pg`` (a psycopg connection) may read."""
    conn = sqlite3.connect(":memory:")
    migrate(conn)
    # Filling tables is faster without their indexes: drop them, build them after.
    indexes = [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE type = "
                                              "'index' AND sql IS NOT NULL")]
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                "sql IS NOT NULL").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
    with conn, pg.transaction():           # one snapshot of the clinic database
        conn.execute("INSERT INTO meta(key, value) VALUES ('origin', 'clinic')")
        ids: dict[tuple, int] = {}
        for n, s in enumerate(pg.execute(SESSIONS).fetchall(), start=1):
            ids[s[:3]] = n
            conn.execute(
                "INSERT INTO sessions (id, station, started_ns, ended_ns, started_at, "
                "ended_at, started_by, ended_by, latency_ms, utc_offset_min, tz, "
                "started_unix_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (n, s[0], *s[3:13]))
            roles = s[13] if isinstance(s[13], dict) else json.loads(s[13] or "{}")
            conn.executemany("INSERT INTO players (session_id, player, role) VALUES (?, ?, ?)",
                             [(n, int(p), r) for p, r in roles.items()])
        cols = ", ".join(EVENT_COLUMNS[1:])
        with pg.cursor(name="clinic_events") as cur:        # server-side: bounded memory
            cur.execute(f"SELECT station_id, journal, session_id, {cols} FROM clinic.events "
                        f"ORDER BY station_id, journal, row_id")
            while rows := cur.fetchmany(CHUNK):
                conn.executemany(INSERT_EVENT, [(ids.get(r[:3]),) + tuple(r[3:])
                                                for r in rows])
        rows = pg.execute("SELECT station_id, journal, session_id, t_ns, player, client, goal, "
                          "level, rated_at FROM clinic.ratings ORDER BY station_id, journal, "
                          "row_id").fetchall()
        conn.executemany(INSERT_RATING, [(ids.get(r[:3]),) + tuple(r[3:]) for r in rows
                                         if r[:3] in ids])
    with conn:
        for sql in indexes:
            conn.execute(sql)
    return conn
