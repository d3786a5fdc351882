"""The session journal: every event into SQLite, off the touch-to-sound path.

``record(event)`` only puts the event on a bounded queue (never blocks, never raises);
a writer thread batches inserts and commits at least every ``batch_ms`` (≤ 200 ms), in
WAL mode. If the queue ever overflows, the number of lost events is itself journaled.
If the disk is full or read-only, events wait in memory (bounded) and writing is retried;
``health()`` says what is wrong so the daemon can tell the therapist.

Privacy: the folder is created owner-only (0700) and the file owner-only (0600).
"""

from __future__ import annotations

import datetime as _dt
import os
import queue
import sqlite3
import threading
from pathlib import Path

from station.errors import JournalError
from station.events import FAULT, Event
from station.journal_schema import migrate
from station.pseudonym import new_secret, pseudonym

_COLUMNS = ("session_id", "t_ns", "kind", "player", "client", "board", "electrode", "button",
            "pad", "note", "velocity", "channel", "detail", "strength")
_INSERT = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
MAX_PENDING = 500_000   # events held in memory while the disk refuses writes


def open_private(path: Path) -> None:
    """Create ``path``'s folder (0700) and the file itself (0600) if missing."""
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating privately) and migrate a journal; raise JournalError in plain words."""
    path = Path(path)
    try:
        open_private(path)
        conn = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: durable to the last commit
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
        self._error: str | None = None
        self._closed = False
        self._session_id: int | None = None
        self._conn = conn
        self._thread = threading.Thread(target=self._run, name="journal", daemon=True)
        self._thread.start()

    # -- producers (any thread, never block) ------------------------------------------------
    def pseudonym(self, client_id: str) -> str:
        return pseudonym(client_id, self.secret)

    def record(self, event: Event) -> None:
        self._put(("event", event))

    def start_session(self, t_ns: int, players: list[tuple[int, str]],
                      latency_ms: float | None = None) -> None:
        wall = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        self._put(("start", t_ns, wall, tuple(players), latency_ms))

    def end_session(self, t_ns: int) -> None:
        self._put(("end", t_ns))

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
        return {"ok": self._error is None and self._lost == 0, "error": self._error,
                "lost": self._lost, "written": self._written, "queued": self._q.qsize(),
                "pending": len(self._pending), "path": str(self.path)}

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
        import time
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
                elif tag in ("start", "end"):
                    self._commit(rows)
                    rows = []
                    self._session_op(item)
                elif tag == "flush":
                    waiters.append(item[1])
                elif tag == "stop":
                    stop = True
            if self._lost > self._lost_logged:
                n, self._lost_logged = self._lost - self._lost_logged, self._lost
                rows.append((self._session_id, rows[-1][1] if rows else 0, FAULT, None, None,
                             None, None, None, None, None, None, None,
                             f"journal_lost:{n}", None))
            self._commit(rows)
            for w in waiters:
                w.set()

    def _row(self, e: Event) -> tuple:
        return (self._session_id, e.t_ns, e.kind, e.player, e.client, e.board, e.electrode,
                e.button, e.pad, e.note, e.velocity, e.channel, e.detail, e.strength)

    def _commit(self, rows: list[tuple]) -> None:
        if rows:
            self._pending.extend(rows)
            if len(self._pending) > MAX_PENDING:
                drop = len(self._pending) - MAX_PENDING
                del self._pending[:drop]
                self._lost += drop
        if not self._pending:
            return
        try:
            with self._conn:
                self._conn.executemany(_INSERT, self._pending)
        except sqlite3.Error as exc:
            self._error = (f"cannot write the journal {self.path} ({exc}); "
                           f"{len(self._pending)} events are held in memory until it can.")
            return
        self._written += len(self._pending)
        self._pending = []
        self._error = None

    def _session_op(self, item: tuple) -> None:
        try:
            with self._conn:
                if item[0] == "start":
                    _, t_ns, wall, players, latency = item
                    cur = self._conn.execute(
                        "INSERT INTO sessions(station, started_ns, started_at, latency_ms) "
                        "VALUES (?, ?, ?, ?)", (self.station, t_ns, wall, latency))
                    self._session_id = cur.lastrowid
                    self._conn.executemany(
                        "INSERT INTO players(session_id, player, role) VALUES (?, ?, ?)",
                        [(self._session_id, p, r) for p, r in players])
                elif self._session_id is not None:
                    self._conn.execute("UPDATE sessions SET ended_ns=? WHERE id=?",
                                       (item[1], self._session_id))
                    self._session_id = None
        except sqlite3.Error as exc:
            self._error = f"cannot write the journal {self.path} ({exc})."
