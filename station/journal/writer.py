"""The session journal: every event into SQLite, off the touch-to-sound path.

``record(event)`` only puts the event, stamped with the monotonic time it was queued, on
a bounded queue (never blocks, never raises). A writer thread commits whatever has been
queued once the *oldest* uncommitted item is ``batch_ms`` old (50 ms by default), in WAL
mode. If the queue ever overflows, the number of lost events is itself journaled.

Nothing is dropped on a write error. Every operation (event rows, session starts and
ends, retention, forgetting) waits, in order, in a pending list until SQLite accepts it;
a full or read-only disk is retried every batch while the station plays on, and the
session rows are retried with the events (so no event is left without its session).
Memory is bounded: past ``MAX_PENDING`` rows the oldest events go, and are counted.

Durability: WAL with ``synchronous=FULL``, so every commit is on disk before the writer
moves on; after ``kill -9`` or power loss the file opens clean and holds every event
older than 200 ms. The deadline runs from when an event was *queued*, not from when the
writer woke, so a writer that was kept waiting for the CPU catches up at once instead of
starting a fresh batch. Sessions get their id from the producer (``start_session``
returns it at once), so nobody waits for the writer to learn it.

Watched: ``health()`` says when the writer thread has died, has not written for
``STALL_S`` while work waits, or SQLite refuses writes; the daemon shows it in
``station status``, ``station doctor`` and on the lights (``station.journal.watch``).

Privacy: the folder is created owner-only (0700) and the file owner-only (0600).
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from station.core.clock import utc_iso
from station.core.errors import JournalError
from station.core.events import FAULT, Event
from station.core.files import open_private
from station.journal.integrity import check, close_crashed
from station.journal.pseudonym import new_secret, pseudonym
from station.journal.schema import migrate

_COLUMNS = ("session_id", "t_ns", "kind", "player", "client", "board", "electrode", "button",
            "pad", "note", "velocity", "channel", "detail", "strength")
_INSERT = f"INSERT INTO events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
MAX_PENDING = 500_000   # events held in memory while the disk refuses writes
MAX_BATCH = 5000        # items taken off the queue per commit
STALL_S = 5.0           # work waiting this long with no write: the writer is stuck
SESSION_OPS = ("start", "end")
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
    except JournalError:
        raise
    except (OSError, sqlite3.Error) as exc:
        if conn is not None:
            conn.close()
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


def journal_origin(conn: sqlite3.Connection) -> str | None:
    """Who made this journal: 'simulator' for ``station simulate``'s, else None."""
    row = conn.execute("SELECT value FROM meta WHERE key='origin'").fetchone()
    return row[0] if row else None


class Journal:
    """The running journal. Use from any thread; one writer thread owns the database.

    ``origin``: recorded once in the journal's meta (``simulator`` for ``station
    simulate``'s journals, which a later run may replace; a station's never)."""

    def __init__(self, path: str | Path, *, station: str = "station", batch_ms: float = 50.0,
                 queue_size: int = 65_536, origin: str | None = None) -> None:
        self.path = Path(path)
        self.station = station
        self._batch_ns = int(min(batch_ms, 150.0) * 1e6)
        conn = connect(self.path)
        try:
            self.secret = journal_secret(conn)
            if origin is not None and journal_origin(conn) is None:
                with conn:
                    conn.execute("INSERT INTO meta(key, value) VALUES ('origin', ?)", (origin,))
            self.crashed = close_crashed(conn)   # sessions a crash left open: ended now
            row = conn.execute("SELECT coalesce(max(id), 0) FROM sessions").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            raise JournalError(f"{self.path}: the journal cannot be written ({exc}). Check "
                               f"the folder's permissions and the disk's space.") from None
        self._q: queue.Queue = queue.Queue(maxsize=queue_size)
        self._lost = 0            # events dropped because the queue or memory was full
        self._lost_logged = 0
        self._written = 0
        self._pending: list[list] = []    # ops waiting for SQLite, in order (see _apply)
        self._pending_rows = 0
        self._waiters: list[threading.Event] = []
        self._error: str | None = None
        self._closed = False
        self._session_id: int | None = None     # the writer's current session
        self._last_t = 0
        self._beat = time.monotonic()            # the writer's last sign of life
        # Retention trusts the wall clock only while it keeps step with the monotonic one.
        self._wall_offset = time.time_ns() - time.monotonic_ns()
        self._opened_ns = time.monotonic_ns()
        self.retention_note: str | None = None
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

    def end_session(self, t_ns: int, by: str = "stop") -> None:
        """Close the open session at station time ``t_ns`` (nothing if none is open)."""
        if self.session is None:
            return
        self.session = None
        self._put(("end", t_ns, time.time_ns(), by))

    def purge(self, days: float) -> None:
        """Ask the writer to delete sessions that started more than ``days`` ago."""
        self._put(("purge", days))

    def forget(self, client: str) -> Future:
        """Ask the writer to delete every trace of ``client`` (id or pseudonym), after
        everything queued before; the future gets the ``Deleted`` counts."""
        done: Future = Future()
        self._put(("forget", client, done))
        return done

    def _put(self, item: tuple) -> None:
        if self._closed:
            return
        try:
            self._q.put_nowait(item + (time.monotonic_ns(),))
        except queue.Full:
            self._lost += 1

    # -- control ----------------------------------------------------------------------------
    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything recorded so far is written (False on timeout)."""
        if self._closed or not self._thread.is_alive():
            return not self._q.qsize() and not self._pending
        done = threading.Event()
        try:
            self._q.put(("flush", done, time.monotonic_ns()), timeout=timeout)
        except queue.Full:
            return False
        return done.wait(timeout)

    def health(self) -> dict:
        """What the therapist's status shows: ok, the problem in words, and the counters.

        ``writing`` is False when the writer thread has died or has not written for
        ``STALL_S`` s while work waits (a hung disk)."""
        error = self._error
        queued = self._q.qsize()
        alive = self._thread.is_alive() or self._closed
        idle_s = time.monotonic() - self._beat
        if not alive:
            error = (f"the journal writer has stopped ({error or 'unknown reason'}); events "
                     f"are not being written. Restart the station (sudo systemctl restart "
                     f"station).")
        elif (queued or self._pending) and idle_s > STALL_S and error is None:
            error = (f"the journal has not written anything for {idle_s:.0f} s although "
                     f"{queued + self._pending_rows} events wait (a hung disk?). The station "
                     f"plays on; check the disk, then restart the station.")
        return {"ok": error is None and self._lost == 0, "error": error,
                "writing": alive and error is None,
                "lost": self._lost, "written": self._written, "queued": queued,
                "pending": self._pending_rows, "path": str(self.path),
                "session": self.session, "crashed_sessions_closed": self.crashed,
                "retention": self.retention_note}

    def close(self) -> None:
        """Flush and stop the writer. Idempotent."""
        if self._closed:
            return
        self.flush()
        self._closed = True
        self._q.put(("stop", time.monotonic_ns()))
        self._thread.join(timeout=10)
        if self._pending_rows:
            log.error("journal: %d events could not be written before the station stopped "
                      "(%s)", self._pending_rows, self._error or "writer busy")
        try:
            self._conn.close()
        except sqlite3.Error:
            pass  # already closed or broken; nothing more can be saved

    # -- the writer thread ------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            try:
                if self._cycle():
                    return
            except Exception as exc:   # a bug must not silently end the journal
                log.exception("journal: internal error in the writer")
                self._fail(f"internal error in the journal writer ({exc!r}); it keeps "
                           f"trying. Please report it.")
                time.sleep(self._batch_ns / 1e9)

    def _cycle(self) -> bool:
        """Take a batch off the queue, write everything pending; True when told to stop."""
        self._beat = time.monotonic()
        try:
            first = self._q.get(timeout=self._batch_ns / 1e9 if self._pending else None)
        except queue.Empty:
            self._write()
            return False
        items = [first]
        deadline = first[-1] + self._batch_ns       # from when the oldest was queued
        while items[-1][0] == "event" and len(items) < MAX_BATCH:
            left = deadline - time.monotonic_ns()
            try:
                items.append(self._q.get_nowait() if left <= 0 else
                             self._q.get(timeout=left / 1e9))
            except queue.Empty:
                break
        stop = False
        for item in items:
            tag = item[0]
            if tag == "event":
                self._add_row(self._row(item[1]))
            elif tag == "start":
                self._session_id = item[1]
                self._pending.append(list(item[:-1]))
            elif tag == "end":
                self._pending.append(list(item[:-1]) + [self._session_id])
                self._session_id = None
            elif tag in ("purge", "forget"):
                self._pending.append(list(item[:-1]) + [self._session_id])
            elif tag == "flush":
                self._waiters.append(item[1])
            elif tag == "stop":
                stop = True
        if self._lost > self._lost_logged:
            # Never silent: the loss itself becomes an event, and a log line.
            n, self._lost_logged = self._lost - self._lost_logged, self._lost
            log.warning("journal: %d events were lost (queue full or disk refusing "
                        "writes for too long); %d lost in total", n, self._lost)
            self._add_row((self._session_id, self._last_t, FAULT, None, None, None, None,
                           None, None, None, None, None, f"journal_lost:{n}", None))
        self._write()
        return stop

    def _row(self, e: Event) -> tuple:
        self._last_t = e.t_ns
        return (self._session_id, e.t_ns, e.kind, e.player, e.client, e.board, e.electrode,
                e.button, e.pad, e.note, e.velocity, e.channel, e.detail, e.strength)

    def _add_row(self, row: tuple) -> None:
        if not self._pending or self._pending[-1][0] != "rows":
            self._pending.append(["rows", []])
        self._pending[-1][1].append(row)
        self._pending_rows += 1
        if self._pending_rows > MAX_PENDING:
            self._drop_oldest(self._pending_rows - MAX_PENDING)

    def _drop_oldest(self, n: int) -> None:
        for op in self._pending:
            if op[0] == "rows" and n > 0:
                k = min(n, len(op[1]))
                del op[1][:k]
                n -= k
                self._pending_rows -= k
                self._lost += k
        self._pending = [op for op in self._pending if op[0] != "rows" or op[1]]

    def _write(self) -> None:
        """Apply the pending operations in order; stop at the first SQLite refusal (they
        stay pending and are retried at the next batch)."""
        while self._pending:
            n = 1
            if self._pending[0][0] in ("rows",) + SESSION_OPS:
                while n < len(self._pending) and self._pending[n][0] in ("rows",) + SESSION_OPS:
                    n += 1
            group = self._pending[:n]
            try:
                self._apply(group)
            except sqlite3.IntegrityError as exc:
                self._repair(group, exc)
                continue
            except sqlite3.Error as exc:
                self._fail(f"cannot write the journal {self.path} ({exc}); the station "
                           f"plays on and holds {self._pending_rows} events in memory until "
                           f"it can. Free disk space or make the folder writable.")
                return
            del self._pending[:n]
            self._beat = time.monotonic()
        self._recovered()
        for w in self._waiters:
            w.set()
        self._waiters = []

    def _apply(self, group: list[list]) -> None:
        op = group[0][0]
        if op == "purge":
            self._purge(group[0][1], keep=group[0][2])
            return
        if op == "forget":
            self._forget(group[0])
            return
        written = 0
        with self._conn:
            for item in group:
                if item[0] == "rows":
                    self._conn.executemany(_INSERT, item[1])
                    written += len(item[1])
                elif item[0] == "start":
                    _, sid, t_ns, unix, players, latency, by = item
                    self._conn.execute(
                        "INSERT INTO sessions(id, station, started_ns, started_at, latency_ms, "
                        "started_unix_ns, started_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (sid, self.station, t_ns, utc_iso(unix), latency, unix, by))
                    self._conn.executemany(
                        "INSERT INTO players(session_id, player, role) VALUES (?, ?, ?)",
                        [(sid, p, r) for p, r in players])
                elif item[0] == "end" and item[4] is not None:
                    _, t_ns, unix, by, sid = item
                    self._conn.execute(
                        "UPDATE sessions SET ended_ns=?, ended_at=?, ended_by=? WHERE id=?",
                        (t_ns, utc_iso(unix), by, sid))
        self._written += written
        self._pending_rows -= written

    def _repair(self, group: list[list], exc: sqlite3.Error) -> None:
        """A row refers to a session that is gone (deleted behind the station's back):
        keep the rows, without the session, rather than lose them."""
        known = {r[0] for r in self._conn.execute("SELECT id FROM sessions")}
        fixed = 0
        for item in group:
            if item[0] == "rows":
                rows = item[1]
                for i, row in enumerate(rows):
                    if row[0] is not None and row[0] not in known:
                        rows[i] = (None,) + row[1:]
                        fixed += 1
            elif item[0] == "start" and item[1] in known:
                item[0] = "skip"        # written already (an earlier attempt got through)
        if not fixed and not any(item[0] == "skip" for item in group):
            raise exc
        log.warning("journal: %d event(s) refer to a session deleted meanwhile (%s); they "
                    "are kept without it", fixed, exc)

    def _purge(self, days: float, keep: int | None) -> None:
        from station.journal.retention import purge_older_than
        jumped = self._clock_jump_s()
        if jumped is not None:
            self._note_retention(f"retention paused: the wall clock moved {jumped:+.0f} s "
                                 f"against the station's own clock since it started; "
                                 f"nothing is deleted until the station restarts")
            return
        gone = purge_older_than(self._conn, days, keep=keep)
        if gone.skipped:
            self._note_retention(f"retention paused: {gone.skipped}")
        elif gone.sessions:
            self.retention_note = None
            log.info("journal: retention deleted %s older than %g days", gone.words(), days)

    def _note_retention(self, note: str) -> None:
        if note != self.retention_note:
            log.warning("journal: %s", note)
        self.retention_note = note

    def _clock_jump_s(self) -> float | None:
        """How far the wall clock stepped since the journal opened, if beyond what NTP's
        slewing (at most 500 ppm) could do; None if it kept step."""
        moved = (time.time_ns() - time.monotonic_ns()) - self._wall_offset
        elapsed = time.monotonic_ns() - self._opened_ns
        return moved / 1e9 if abs(moved) > 5e9 + elapsed * 5e-4 else None

    def _forget(self, item: list) -> None:
        from station.journal.retention import forget_client
        _, client, done, _sid = item
        if done.done():
            return
        try:
            done.set_result(forget_client(self._conn, client))
        except sqlite3.Error:
            raise
        except Exception as exc:      # a bad id: the caller gets the error, the writer goes on
            done.set_exception(exc)

    def _fail(self, message: str) -> None:
        if self._error is None:
            log.error("journal: %s", message)
        self._error = message

    def _recovered(self) -> None:
        if self._error is not None:
            log.warning("journal: writing again (%s)", self.path)
        self._error = None
