"""What a journal has not yet sent to the clinic database, and what consent lets leave.

The journal stays the source of truth; the clinic (``station.clinic``) only reads it
through these functions. Sessions, event rows (touches, phases, notes, consent, goals,
counts, ...) and goal ratings are read in their own id order, in batches, above a
**cursor**: per table the highest id already acknowledged by the clinic database. The
cursor and the replicator's last error live in the journal's ``meta`` table under
``clinic.<station_id>`` (JSON), so ``station clinic status`` reads them from any process
and a restart resumes where the last acknowledged batch ended. No schema change: a
station without a clinic keeps exactly the journal it had.

Consent: the journal already keeps nothing identifying of a client without journal
consent (only the anonymous ``counts`` rows, see ``station.journal.consent``). On top of
that a client whose *latest* recorded consent refuses the journal (a change of mind)
has none of their rows sent, earlier ones included (``latest_consents``). Pseudonyms only
ever leave; the journal's secret (which maps ids to pseudonyms) never does.

Each journal has a random ``uid`` (meta), sent with every row: a station that starts a
new journal file restarts its ids at 1, and the clinic must not take those for rows it
already holds.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from dataclasses import dataclass, field

from station.journal.consent import CONSENT, latest_consents
from station.journal.reader import public_profile_detail

TABLES = ("sessions", "events", "ratings")
SESSION_COLUMNS = ("id", "station", "started_ns", "ended_ns", "started_at", "ended_at",
                   "started_by", "ended_by", "latency_ms", "utc_offset_min", "tz",
                   "started_unix_ns")
EVENT_COLUMNS = ("id", "session_id", "t_ns", "kind", "player", "client", "board",
                 "electrode", "button", "pad", "note", "velocity", "channel", "detail",
                 "strength")
RATING_COLUMNS = ("id", "session_id", "t_ns", "player", "client", "goal", "level",
                  "rated_at")


@dataclass
class Batch:
    """Rows to send, each a dict of its table's columns (sessions also ``roles``: JSON
    of position -> role), and the cursor once they are acknowledged. ``skipped``: rows
    consent keeps on the station (the cursor still passes them)."""

    sessions: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    ratings: list[dict] = field(default_factory=list)
    cursor: dict[str, int] = field(default_factory=dict)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.sessions) + len(self.events) + len(self.ratings)

    def empty(self, before: dict[str, int]) -> bool:
        """True when the cursor did not move: nothing more to read."""
        return all(self.cursor[t] == before.get(t, 0) for t in TABLES)


def journal_uid(conn: sqlite3.Connection) -> str:
    """The journal's random id (16 hex digits), made once and kept in its meta."""
    row = conn.execute("SELECT value FROM meta WHERE key='uid'").fetchone()
    if row:
        return row[0]
    uid = secrets.token_hex(8)
    with conn:
        conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('uid', ?)", (uid,))
    return conn.execute("SELECT value FROM meta WHERE key='uid'").fetchone()[0]


def _key(station_id: str) -> str:
    return f"clinic.{station_id}"


def read_state(conn: sqlite3.Connection, station_id: str) -> dict:
    """The replication state kept for ``station_id``: ``cursor`` (table -> last id
    acknowledged), ``sent_unix_ns`` (last acknowledgement), ``error`` and
    ``error_unix_ns`` (the last failure, None once a batch went through)."""
    row = conn.execute("SELECT value FROM meta WHERE key=?", (_key(station_id),)).fetchone()
    try:
        state = json.loads(row[0]) if row else {}
    except ValueError:
        state = {}
    cursor = state.get("cursor") or {}
    state["cursor"] = {t: int(cursor.get(t, 0)) for t in TABLES}
    return state


def _write_state(conn: sqlite3.Connection, station_id: str, state: dict) -> None:
    with conn:
        conn.execute("INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO "
                     "UPDATE SET value = excluded.value", (_key(station_id),
                                                          json.dumps(state)))


def acknowledge(conn: sqlite3.Connection, station_id: str, cursor: dict[str, int]) -> None:
    """Record that the clinic database committed everything up to ``cursor`` (no write
    when nothing changed: an idle station does not wear its card every second)."""
    state = read_state(conn, station_id)
    if state["cursor"] == cursor and not state.get("error") and state.get("sent_unix_ns"):
        return
    state.update(cursor=dict(cursor), sent_unix_ns=time.time_ns(), error=None,
                 error_unix_ns=None)
    _write_state(conn, station_id, state)


def record_error(conn: sqlite3.Connection, station_id: str, message: str) -> None:
    """Keep the replicator's last failure (plain words) for ``station clinic status``."""
    state = read_state(conn, station_id)
    state.update(error=message[:500], error_unix_ns=time.time_ns())
    _write_state(conn, station_id, state)


def refused_clients(conn: sqlite3.Connection) -> set[str]:
    """Pseudonyms whose latest recorded consent refuses the journal: none of their rows
    leave the station."""
    return {c for c, consent in latest_consents(conn).items() if not consent.journal}


def read_batch(conn: sqlite3.Connection, cursor: dict[str, int], limit: int,
               refused: set[str]) -> Batch:
    """Up to ``limit`` rows of each table above ``cursor``, oldest first, without the
    rows of ``refused`` clients. A consent row in the batch that refuses the journal
    adds its client to ``refused`` for the rows after it."""
    from station.config.consent import from_detail
    out = Batch(cursor=dict(cursor))
    rows = conn.execute(f"SELECT {', '.join(SESSION_COLUMNS)} FROM sessions WHERE id > ? "
                        f"ORDER BY id LIMIT ?", (cursor["sessions"], limit)).fetchall()
    for row in rows:
        s = dict(zip(SESSION_COLUMNS, row))
        s["roles"] = json.dumps(dict(conn.execute(
            "SELECT player, role FROM players WHERE session_id=? ORDER BY player",
            (s["id"],)).fetchall()))
        out.sessions.append(s)
        out.cursor["sessions"] = s["id"]
    rows = conn.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events WHERE id > ? "
                        f"ORDER BY id LIMIT ?", (cursor["events"], limit)).fetchall()
    for row in rows:
        e = dict(zip(EVENT_COLUMNS, row))
        out.cursor["events"] = e["id"]
        if e["kind"] == CONSENT and e["client"] is not None \
                and not from_detail(e["detail"]).journal:
            refused.add(e["client"])
        if e["client"] in refused:
            out.skipped += 1
            continue
        if e["kind"] == "profile" and e["detail"]:      # no profile path leaves (privacy.md)
            e["detail"] = public_profile_detail(e["detail"])
        out.events.append(e)
    rows = conn.execute(f"SELECT {', '.join(RATING_COLUMNS)} FROM ratings WHERE id > ? "
                        f"ORDER BY id LIMIT ?", (cursor["ratings"], limit)).fetchall()
    for row in rows:
        r = dict(zip(RATING_COLUMNS, row))
        out.cursor["ratings"] = r["id"]
        if r["client"] in refused:
            out.skipped += 1
            continue
        out.ratings.append(r)
    return out


def ended_sessions(conn: sqlite3.Connection, ids: list[int]) -> list[dict]:
    """Of the sessions ``ids`` (open in the clinic database), those the journal has
    ended since: id, ended_ns, ended_at, ended_by."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT id, ended_ns, ended_at, ended_by FROM sessions WHERE id IN "
                        f"({marks}) AND ended_ns IS NOT NULL ORDER BY id", ids).fetchall()
    return [dict(zip(("id", "ended_ns", "ended_at", "ended_by"), r)) for r in rows]


def pending(conn: sqlite3.Connection, cursor: dict[str, int]) -> tuple[int, int | None]:
    """(rows not yet acknowledged, wall-clock ns of the oldest of them or None).

    Counts every row above the cursor (rows consent will keep back included: the
    cursor passes them only when a batch reads them)."""
    n = 0
    oldest: list[int] = []
    for table in TABLES:
        n += conn.execute(f"SELECT count(*) FROM {table} WHERE id > ?",
                          (cursor[table],)).fetchone()[0]
    row = conn.execute("SELECT started_unix_ns FROM sessions WHERE id > ? ORDER BY id "
                       "LIMIT 1", (cursor["sessions"],)).fetchone()
    if row and row[0]:
        oldest.append(row[0])
    row = conn.execute("SELECT s.started_unix_ns + (e.t_ns - s.started_ns) FROM events e "
                       "JOIN sessions s ON s.id = e.session_id WHERE e.id > ? ORDER BY e.id "
                       "LIMIT 1", (cursor["events"],)).fetchone()
    if row and row[0]:
        oldest.append(row[0])
    return n, (min(oldest) if oldest else None)
