"""The session journal: every event into SQLite, off the touch-to-sound path.

``record(event)`` only puts the event, stamped with the monotonic time it was queued, on
a bounded queue (never blocks, never raises). A writer thread commits whatever has been
queued once the *oldest* uncommitted item is ``batch_ms`` old (50 ms by default), in WAL
mode. If the queue ever overflows, the number of lost events is itself journaled.

Nothing is dropped on a write error. Every operation (event rows, session starts and
ends, retention, forgetting) waits, in order, in a pending list until SQLite accepts it;
a full or read-only disk is retried every batch while the station plays on, and the
session rows are retried with the events (so no event is left without its session).
Memory is bounded: past ``store.MAX_PENDING`` rows the oldest events go, and are counted.

Durability: WAL with ``synchronous=FULL``: after ``kill -9`` or power loss the file opens
clean and holds every event older than 200 ms. The deadline runs from when an event was
*queued*, so a writer kept waiting for the CPU catches up at once. Sessions get their id
from the producer (``start_session`` returns it at once); ``record_in`` journals into an
earlier session (a note written after it).

Watched: ``health()`` says when the writer thread has died, a write has not returned for
``STALL_S``, or SQLite refuses writes (``station.journal.watch``). Privacy: the folder is
created owner-only (0700) and the file owner-only (0600).
"""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from station.core.clock import utc_iso
from station.core.errors import JournalError
from station.core.events import Event
from station.journal.housekeeping import Housekeeping
from station.journal.inbox import Inbox, yielding
from station.journal.integrity import close_crashed
from station.journal.pseudonym import pseudonym
from station.journal.store import (  # connect: the journal's one way in, re-exported
    Pending,
    connect,
    event_row,
    journal_origin,
    journal_secret,
    lost_row,
)

MAX_BATCH = 5000        # items taken off the queue per commit
STALL_S = 5.0           # work waiting this long with no write: the writer is stuck
log = logging.getLogger("station.journal.writer")


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
        self._q = Inbox(queue_size)     # events never wake the writer mid-batch
        self._dropped = 0         # events dropped because the queue was full
        self._lost_logged = 0
        self._housekeeping = Housekeeping(conn)     # retention and forgetting, in turn
        self._pending = Pending(conn, station, self._housekeeping)   # in order, until written
        self._waiters: list[threading.Event] = []
        self._error: str | None = None
        self._closed = False
        self._session_id: int | None = None     # the writer's current session
        self._last_t = 0
        self._writing_since: float | None = None  # a write under way since (monotonic s)
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

    def record_in(self, session: int, event: Event) -> None:
        """``record`` into an earlier ``session`` (a note written after it ended)."""
        self._put(("late", event, session))

    def start_session(self, t_ns: int, players: list[tuple[int, str]],
                      latency_ms: float | None = None, by: str = "run") -> int:
        """Open a session at station time ``t_ns``; return its id (ends any open one).
        ``players``: (position 1..6, role) pairs; ``latency_ms``: the configured output
        latency; ``by``: who started it (run, button, cli, panel, touch, scenario)."""
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

    def forget(self, client: str) -> Future:
        """Delete every trace of ``client`` (id or pseudonym) after all queued before."""
        done: Future = Future()
        self._put(("forget", client, done))
        return done

    def _put(self, item: tuple) -> None:
        if self._closed:
            return
        try:
            self._q.put_nowait(item + (time.monotonic_ns(),), urgent=item[0] != "event")
        except queue.Full:
            self._dropped += 1

    @property
    def _lost(self) -> int:
        """Events that will never be written: queue overflow, memory bound, unwritable."""
        return self._dropped + self._pending.lost

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

        ``writing`` is False when the writer thread has died or one write has not returned
        for ``STALL_S`` s (a hung disk; time spent waiting for work is not counted)."""
        error = self._error
        queued = self._q.qsize()
        alive = self._thread.is_alive() or self._closed
        idle_s = time.monotonic() - (self._writing_since or time.monotonic())  # read once
        if not alive:
            error = (f"the journal writer has stopped ({error or 'unknown reason'}); events "
                     f"are not being written. Restart the station (sudo systemctl restart "
                     f"station).")
        elif idle_s > STALL_S and error is None:
            error = (f"the journal has not written anything for {idle_s:.0f} s although "
                     f"{queued + self._pending.rows} events wait (a hung disk?). The station "
                     f"plays on; check the disk, then restart the station.")
        return {"ok": error is None and self._lost == 0, "error": error,
                "writing": alive and error is None,
                "lost": self._lost, "written": self._pending.written, "queued": queued,
                "pending": self._pending.rows, "path": str(self.path),
                "session": self.session, "crashed_sessions_closed": self.crashed,
                "retention": self._housekeeping.note}

    def close(self) -> None:
        """Flush and stop the writer. Idempotent."""
        if self._closed:
            return
        self.flush()
        self._closed = True
        self._q.put(("stop", time.monotonic_ns()))
        self._thread.join(timeout=2 * STALL_S)
        if self._pending.rows:
            log.error("journal: %d events could not be written before the station stopped "
                      "(%s)", self._pending.rows, self._error or "writer busy")
        if not self._thread.is_alive():   # closing under a writer still at work crashes it
            with contextlib.suppress(sqlite3.Error):   # closed or broken: nothing to save
                self._conn.close()

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
            except BaseException as exc:     # the thread ends: health() says so, and why
                self._error = f"{exc!r}"
                raise

    def _cycle(self) -> bool:
        """Take a batch off the queue, write everything pending; True when told to stop."""
        try:
            first = self._q.get(timeout=self._batch_ns / 1e9 if self._pending else None)
        except queue.Empty:
            self._write()
            return False
        items = [first]
        if first[0] == "event":     # until the oldest is batch_ms old, or something urgent
            self._q.linger(first[-1] + self._batch_ns)
        while items[-1][0] == "event" and len(items) < MAX_BATCH:
            try:
                items.append(self._q.get_nowait())
            except queue.Empty:
                break
        stop = False
        for item in yielding(items):     # the engine may take the GIL meanwhile
            tag = item[0]
            if tag == "event":
                self._last_t = item[1].t_ns
                self._pending.add_row(event_row(self._session_id, item[1]))
            elif tag == "late":
                self._pending.add_row(event_row(item[2], item[1]))
            elif tag == "start":
                self._session_id = item[1]
                self._pending.add(list(item[:-1]))
            elif tag == "end":
                self._pending.add(list(item[:-1]) + [self._session_id])
                self._session_id = None
            elif tag == "rating":
                self._pending.add(["rating", item[1]])
            elif tag in ("purge", "forget"):
                self._pending.add(list(item[:-1]) + [self._session_id])
            elif tag == "flush":
                self._waiters.append(item[1])
            elif tag == "stop":
                stop = True
        if self._lost > self._lost_logged:
            # Never silent: the loss itself becomes an event, and a log line.
            n, self._lost_logged = self._lost - self._lost_logged, self._lost
            log.warning("journal: %d events were lost (queue full or disk refusing "
                        "writes for too long); %d lost in total", n, self._lost)
            self._pending.add_row(lost_row(self._session_id, self._last_t, n))
        self._write()
        return stop

    def _write(self) -> None:
        """Write everything pending; on a refusal keep it all for the next batch."""
        self._writing_since = time.monotonic()
        refused = self._pending.write()
        self._writing_since = None
        if refused is not None:
            self._fail(f"cannot write the journal {self.path} ({refused}); the station plays "
                       f"on and holds {self._pending.rows} events in memory until it can. "
                       f"Free disk space or make the folder writable.")
            return
        self._recovered()
        for w in self._waiters:
            w.set()
        self._waiters = []

    def _fail(self, message: str) -> None:
        if self._error is None:
            log.error("journal: %s", message)
        self._error = message

    def _recovered(self) -> None:
        if self._error is not None:
            log.warning("journal: writing again (%s)", self.path)
        self._error = None
