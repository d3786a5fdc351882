"""The session journal: every event into SQLite, off the touch-to-sound path.

``record(event)`` only puts the event on a bounded queue (never blocks, never raises);
a writer thread batches inserts and commits at least every ``batch_ms`` (≤ 200 ms), in
WAL mode. If the queue ever overflows, the number of lost events is itself journaled.
If the disk is full or read-only, events wait in memory (bounded) and writing is retried;
``health()`` says what is wrong so the daemon can tell the therapist.

Durability: WAL with ``synchronous=FULL``, so every commit is on disk before the writer
moves on; after ``kill -9`` or power loss the file opens clean and holds every event
older than one batch (≤ 200 ms). Sessions get their id from the producer (``start_session``
returns it at once), so nobody waits for the writer to learn it.

Privacy: the folder is created owner-only (0700) and the file owner-only (0600).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from pathlib import Path

from station.core.clock import utc_iso
from station.core.errors import JournalError
from station.core.events import FAULT, Event
from station.core.files import open_private
from station.journal.pseudonym import new_secret, pseudonym
from station.journal.schema import migrate

_COLUMNS = ("session_id", "t_ns", "kind", "player", "client", "board", "electrode", "button",
            "pad", "note", "velocity", "channel", "detail", "strength")
_INSERT = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
_RATING = ("INSERT INTO ratings (session_id, t_ns, player, client, goal, level, rated_at) "
           "VALUES (?, ?, ?, ?, ?, ?, ?)")
MAX_PENDING = 500_000   # events held in memory while the disk refuses writes
log = logging.getLogger("station.journal.writer")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating privately) and migrate a journal; raise JournalError in plain words."""
    path = Path(path)
    try:
        open_private(path)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: the WAL is synced at each commit, so a power cut loses at most the batch
        # being built (≤ 200 ms); NORMAL would survive kill -9 but not power loss.
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        migrate(conn)
        return conn
    except (OSError, sqlite3.Error) as exc:
        raise JournalError(f"{path}: the journal cannot be opened ({exc}). Check that the "
                           f"folder exists, is writable by this user, and the disk has "
                           f"space.") from None


def journal_secret(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
    if row:
        return row[0]
    secret = new_secret()
    with conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('secret', ?)", (secret,))
    return secret


class Journal:
    """The running journal. Use from any thread; one writer thread owns the database."""

    def __init__(self, path: str | Path, *, station: str = "station", batch_ms: float = 100.0,
                 queue_size: int = 65_536) -> None:
        self.path = Path(path)
        self.station = station
        self._batch_s = min(batch_ms, 200.0) / 1000.0
        conn = connect(self.path)
        self.secret = journal_secret(conn)
        self._q: queue.Queue = queue.Queue(maxsize=queue_size)
        self._lost = 0            # events dropped because the queue was full
        self._lost_logged = 0
        self._written = 0
        self._pending: list[tuple] = []
        self._ratings: list[tuple] = []          # goal ratings waiting to be written
        self._error: str | None = None
        self._closed = False
        self._session_id: int | None = None     # the writer's current session
        self._last_t = 0
        row = conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()
        self._next_session = row[0] + 1          # producer side: ids handed out at once
        self.session: int | None = None          # producer side: the open session, if any
        self._conn = conn
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)
        self._thread.start()

    # -- producers (any thread, never block) ------------------------------------------------
    def pseudonym(self, client_id: str) -> str:
        return pseudonym(client_id, self.secret)

    def record(self, event: Event) -> None:
        self._put(("event", event))

    def start_session(self, t_ns: int, players: list[tuple[int, str]],
                      latency_ms: float | None = None, by: str = "run") -> int:
        """Open a session at station time ``t_ns``; return its id (ends any open one).

        ``players`` are (position 1..6, role) pairs; ``latency_ms`` the configured output
        latency; ``by`` who started it (run, button, cli, touch, scenario).
        """
        if self.session is not None:
            self.end_session(t_ns, by)
        sid = self._next_session
        self._next_session += 1
        self.session = sid
        unix = time.time_ns()
        self._put(("start", sid, t_ns, unix, tuple(players), latency_ms, by))
        return sid

    @property
    def last_session(self) -> int | None:
        """The open session, else the last one started (None in a new journal)."""
        return self.session if self.session is not None else (self._next_session - 1 or None)

    def rate(self, session: int, t_ns: int, player: int | None, client: str, goal: str,
             level: int) -> None:
        """Journal a goal rating (level −2..+2) of ``client`` (a pseudonym) in ``session``."""
        if not -2 <= int(level) <= 2:
            raise ValueError(f"a goal level is -2..2, not {level}")
        self._put(("rating", (session, t_ns, player, client, goal, int(level),
                              utc_iso(time.time_ns()))))

    def end_session(self, t_ns: int, by: str = "stop") -> None:
        """Close the open session at station time ``t_ns`` (nothing if none is open)."""
        if self.session is None:
            return
        self.session = None
        self._put(("end", t_ns, time.time_ns(), by))

    def purge(self, days: float) -> None:
        """Ask the writer to delete sessions that started more than ``days`` ago."""
        self._put(("purge", days))

    def _put(self, item: tuple) -> None:
        if self._closed:
            return
        try:
            self._q.put_nowait(item)
        except queue.Full:
            self._lost += 1

    # -- control ----------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded so far is committed (or timeout)."""
        if self._closed or not self._thread.is_alive():
            return not self._q.qsize()
        done = threading.Event()
        try:
            self._q.put(("flush", done), timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def health(self) -> dict:
        """What the therapist's status shows: ok, the problem in words, and the counters."""
        return {"ok": self._error is None and self._lost == 0, "error": self._error,
                "lost": self._lost, "written": self._written, "queued": self._q.qsize(),
                "pending": len(self._pending), "path": str(self.path),
                "session": self.session}

    def close(self) -> None:
        """Flush and stop the writer. Idempotent."""
        if self._closed:
            return
        self.flush()
        self._closed = True
        self._q.put(("stop",))
        self._thread.join(timeout=10)
        try:
            self._conn.close()
        except sqlite3.Error:
            pass  # already closed or broken; nothing more can be saved

    # -- the writer thread ------------------------------------------------------------------
    def _run(self) -> None:
        stop = False
        while not stop:
            try:
                first = self._q.get(timeout=self._batch_s if self._pending else None)
            except queue.Empty:
                self._commit([])
                continue
            items = [first]
            deadline = time.monotonic() + self._batch_s
            while items[-1][0] == "event" and len(items) < 5000:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    items.append(self._q.get(timeout=left))
                except queue.Empty:
                    break
            rows, waiters = [], []
            for item in items:
                tag = item[0]
                if tag == "event":
                    rows.append(self._row(item[1]))
                elif tag == "rating":
                    self._ratings.append(item[1])
                elif tag in ("start", "end", "purge"):
                    self._commit(rows)
                    rows = []
                    self._session_op(item)
                elif tag == "flush":
                    waiters.append(item[1])
                elif tag == "stop":
                    stop = True
            if self._lost > self._lost_logged:
                # Never silent: the loss itself becomes an event, and a log line.
                n, self._lost_logged = self._lost - self._lost_logged, self._lost
                log.warning("journal: %d events were lost (queue full or disk refusing "
                            "writes for too long); %d lost in total", n, self._lost)
                rows.append((self._session_id, self._last_t, FAULT, None, None,
                             None, None, None, None, None, None, None,
                             f"journal_lost:{n}", None))
            self._commit(rows)
            for w in waiters:
                w.set()

    def _row(self, e: Event) -> tuple:
        self._last_t = e.t_ns
        return (self._session_id, e.t_ns, e.kind, e.player, e.client, e.board, e.electrode,
                e.button, e.pad, e.note, e.velocity, e.channel, e.detail, e.strength)

    def _commit(self, rows: list[tuple]) -> None:
        if rows:
            self._pending.extend(rows)
            if len(self._pending) > MAX_PENDING:
                drop = len(self._pending) - MAX_PENDING
                del self._pending[:drop]
                self._lost += drop
        if not self._pending and not self._ratings:
            return
        try:
            with self._conn:
                self._conn.executemany(_INSERT, self._pending)
                self._conn.executemany(_RATING, self._ratings)
        except sqlite3.Error as exc:
            self._fail(f"cannot write the journal {self.path} ({exc}); the station plays on "
                       f"and holds {len(self._pending)} events in memory until it can. "
                       f"Free disk space or make the folder writable.")
            return
        self._written += len(self._pending)
        self._pending = []
        self._ratings = []
        self._recovered()

    def _fail(self, message: str) -> None:
        if self._error is None:
            log.error("journal: %s", message)
        self._error = message

    def _recovered(self) -> None:
        if self._error is not None:
            log.warning("journal: writing again (%s)", self.path)
        self._error = None

    def _session_op(self, item: tuple) -> None:
        try:
            with self._conn:
                if item[0] == "start":
                    _, sid, t_ns, unix, players, latency, by = item
                    local = time.localtime(unix // 1_000_000_000)   # the station's zone
                    self._conn.execute(
                        "INSERT INTO sessions(id, station, started_ns, started_at, latency_ms, "
                        "started_unix_ns, started_by, utc_offset_min, tz) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (sid, self.station, t_ns, utc_iso(unix), latency, unix, by,
                         local.tm_gmtoff // 60, local.tm_zone))
                    self._session_id = sid
                    self._conn.executemany(
                        "INSERT INTO players(session_id, player, role) VALUES (?, ?, ?)",
                        [(sid, p, r) for p, r in players])
                elif item[0] == "end" and self._session_id is not None:
                    _, t_ns, unix, by = item
                    self._conn.execute(
                        "UPDATE sessions SET ended_ns=?, ended_at=?, ended_by=? WHERE id=?",
                        (t_ns, utc_iso(unix), by, self._session_id))
                    self._session_id = None
            if item[0] == "purge":
                from station.journal.retention import purge_older_than
                gone = purge_older_than(self._conn, item[1], keep=self._session_id)
                if gone.sessions:
                    log.info("journal: retention deleted %s older than %g days",
                             gone.words(), item[1])
        except sqlite3.Error as exc:
            if item[0] == "start":
                self._session_id = None     # its events wait with no session rather than fail
            self._fail(f"cannot write the journal {self.path} ({exc}); the station plays on. "
                       f"Free disk space or make the folder writable.")
