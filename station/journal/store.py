"""The journal file itself: opening it safely, and the operations waiting to be written.

``connect(path)`` opens (creating privately), checks and migrates a journal.
``Pending`` holds, in order, every operation the writer thread has taken off its queue
and SQLite has not accepted yet (event rows, session starts and ends, retention,
forgetting), and writes them: consecutive rows and session rows in one transaction,
retention and forgetting in their own. Nothing is dropped because the disk refused: a
full, read-only or locked disk leaves everything pending for the next try. Only what
SQLite can never take (a value a bug put into a row, a row whose session was deleted
behind the station's back) is salvaged row by row, and what still fails is counted.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeGuard

from station.core.clock import utc_iso
from station.core.details import Fault, encode
from station.core.errors import JournalError
from station.core.events import FAULT, Event
from station.core.files import open_private
from station.journal.integrity import check
from station.journal.pseudonym import new_secret
from station.journal.schema import migrate

COLUMNS = ("session_id", "t_ns", "kind", "player", "client", "board", "electrode", "button",
           "pad", "note", "velocity", "channel", "detail", "strength")
INSERT = f"INSERT INTO events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
RATING = ("INSERT INTO ratings (session_id, t_ns, player, client, goal, level, rated_at) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
MAX_PENDING = 500_000   # event rows held in memory while the disk refuses writes
TOGETHER = ("rows", "start", "end", "rating", "skip")     # written in one transaction
log = logging.getLogger("station.journal.writer")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating privately), check and migrate a journal; raise JournalError in plain
    words (a damaged one: with the command that recovers it)."""
    path = Path(path)
    conn = None
    try:
        open_private(path)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0 and \
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise JournalError(f"{path}: is a database, but not a station journal. Give "
                               f"the journal its own file.")
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at each commit, so a power cut loses at most the batch
        # being built (≤ 200 ms); NORMAL would survive kill -9 but not power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        check(conn, path)           # never write into a damaged journal
        migrate(conn)
        return conn
    except (OSError, sqlite3.Error, JournalError) as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, JournalError):
            raise
        raise JournalError(f"{path}: the journal cannot be opened ({exc}). Check that the "
                           f"folder exists, is writable by this user, and the disk has "
                           f"space.") from None


def event_row(session_id: int | None, e) -> tuple:
    """The ``events`` row (``COLUMNS``, in order) of the Event ``e`` in ``session_id``
    (the detail as its journal text: ``station.core.details``; a word is its own text, so
    the writer calls the codec only for typed values)."""
    d = e.detail
    return (session_id, e.t_ns, e.kind, e.player, e.client, e.board, e.electrode, e.button,
            e.pad, e.note, e.velocity, e.channel,
            d if d is None or type(d) is str else encode(e.kind, d), e.strength)


def lost_row(session_id: int | None, t_ns: int, n: int) -> tuple:
    """The ``fault`` row saying ``n`` events were lost (queue full or disk refusing)."""
    return event_row(session_id, Event(FAULT, t_ns, detail=Fault("journal_lost", str(n))))


def journal_secret(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
    if row:
        return row[0]
    secret = new_secret()
    with conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('secret', ?)", (secret,))
    return secret


def journal_origin(conn: sqlite3.Connection) -> str | None:
    """Who made this journal: 'simulator' for ``station simulate``'s, else None."""
    row = conn.execute("SELECT value FROM meta WHERE key='origin'").fetchone()
    return row[0] if row else None


def read_meta(path: Path, key: str) -> str | None:
    """A value of the journal's meta table, read-only (nothing is created or changed);
    None if there is no such journal, key or readable file."""
    if not Path(path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def disk_refused(exc: BaseException) -> TypeGuard[sqlite3.Error]:
    """True for SQLite refusing to write (full, read-only, locked, I/O): worth a retry;
    False for a value it cannot take or a bug (retrying would block every later row)."""
    return isinstance(exc, sqlite3.Error) and not isinstance(
        exc, (sqlite3.IntegrityError, sqlite3.InterfaceError, sqlite3.ProgrammingError))


class Pending:
    """Operations not yet in the file, oldest first; used by the writer thread only.

    Ops are lists: ``["rows", [row, ...]]``, ``["start", sid, t_ns, unix, players,
    latency_ms, by]``, ``["end", t_ns, unix, by, sid]``, ``["rating", row]`` (a goal
    rating), and ``["purge", ...]`` / ``["forget", ...]``, which ``special(op)`` carries
    out.
    """

    def __init__(self, conn: sqlite3.Connection, station: str,
                 special: Callable[[list], None]) -> None:
        self.conn = conn
        self.station = station
        self.special = special
        self.ops: list[list] = []
        self.rows = 0          # event rows pending
        self.written = 0       # event rows written so far
        self.lost = 0          # event rows given up: memory bound, or SQLite can never take

    def __bool__(self) -> bool:
        return bool(self.ops)

    def add_row(self, row: tuple) -> None:
        if not self.ops or self.ops[-1][0] != "rows":
            self.ops.append(["rows", []])
        self.ops[-1][1].append(row)
        self.rows += 1
        if self.rows > MAX_PENDING:
            self._drop_oldest(self.rows - MAX_PENDING)

    def add(self, op: list) -> None:
        self.ops.append(op)

    def _drop_oldest(self, n: int) -> None:
        for op in self.ops:
            if op[0] == "rows" and n > 0:
                k = min(n, len(op[1]))
                del op[1][:k]
                n -= k
                self.rows -= k
                self.lost += k
        self.ops = [op for op in self.ops if op[0] != "rows" or op[1]]

    def write(self) -> sqlite3.Error | None:
        """Apply the ops in order; return SQLite's refusal (everything from there stays
        pending for the next try), or None when all were written."""
        while self.ops:
            n = 1
            if self.ops[0][0] in TOGETHER:
                while n < len(self.ops) and self.ops[n][0] in TOGETHER:
                    n += 1
            group = self.ops[:n]
            try:
                self._apply(group)
            except sqlite3.IntegrityError as exc:
                self._repair(group, exc)
                continue
            except Exception as exc:
                if disk_refused(exc):
                    return exc
                try:
                    self._salvage(group, exc)  # a value SQLite cannot take, or a bug
                except sqlite3.Error as again:
                    return again               # the disk refused meanwhile: retry later
                continue
            del self.ops[:n]
        return None

    def _apply(self, group: list[list]) -> None:
        if group[0][0] not in TOGETHER:
            self.special(group[0])
            return
        written = 0
        with self.conn:
            for item in group:
                if item[0] == "rows":
                    self.conn.executemany(INSERT, item[1])
                    written += len(item[1])
                elif item[0] == "start":
                    _, sid, t_ns, unix, players, latency, by = item
                    local = time.localtime(unix // 1_000_000_000)   # the station's zone
                    self.conn.execute(
                        "INSERT INTO sessions(id, station, started_ns, started_at, latency_ms, "
                        "started_unix_ns, started_by, utc_offset_min, tz) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (sid, self.station, t_ns, utc_iso(unix), latency, unix, by,
                         local.tm_gmtoff // 60, local.tm_zone))
                    self.conn.executemany(
                        "INSERT INTO players(session_id, player, role) VALUES (?, ?, ?)",
                        [(sid, p, r) for p, r in players])
                elif item[0] == "rating":
                    self.conn.execute(RATING, item[1])
                elif item[0] == "end" and item[4] is not None:
                    _, t_ns, unix, by, sid = item
                    self.conn.execute(
                        "UPDATE sessions SET ended_ns=?, ended_at=?, ended_by=? WHERE id=?",
                        (t_ns, utc_iso(unix), by, sid))
        self.written += written
        self.rows -= written

    def _repair(self, group: list[list], exc: sqlite3.Error) -> None:
        """A row refers to a session that is gone (deleted behind the station's back):
        keep the rows, without the session, rather than lose them."""
        known = {r[0] for r in self.conn.execute("SELECT id FROM sessions")}
        fixed = skipped = 0
        for item in group:
            if item[0] == "rows":
                for i, row in enumerate(item[1]):
                    if row[0] is not None and row[0] not in known:
                        item[1][i] = (None,) + row[1:]
                        fixed += 1
            elif item[0] == "start" and item[1] in known:
                item[0] = "skip"        # that id exists already: keep the first
                skipped += 1
        if not fixed and not skipped:
            self._salvage(group, exc)
            return
        log.warning("journal: %d event(s) refer to a session deleted meanwhile (%s); they "
                    "are kept without it", fixed, exc)

    def _salvage(self, group: list[list], exc: Exception) -> None:
        """Write what can be written one by one, count and log the rest, go on."""
        log.error("journal: an operation could not be written (%r); keeping the rest", exc)
        for item in group:            # a disk refusal here propagates: the rest is retried
            if item[0] == "rows":
                while item[1]:
                    try:
                        self._apply([["rows", item[1][:1]]])
                    except Exception as one:
                        if disk_refused(one):
                            raise
                        self.lost += 1
                        self.rows -= 1
                    del item[1][0]
            elif item[0] != "skip":
                try:
                    self._apply([item])
                except Exception as one:
                    if disk_refused(one):
                        raise
                    done = item[2] if item[0] == "forget" else None
                    if done is not None and not done.done():
                        done.set_exception(one)
            item[0] = "skip"
