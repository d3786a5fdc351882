"""Sending a journal to the clinic database: batches, acknowledged, exactly once, in order.

``push(jconn, pg, station_id)`` sends everything the journal holds that the clinic
database does not: it resumes at the highest row id of this station and journal that the
database holds (the database is the authority on what it committed: a crash between its
commit and our acknowledgement, a restored backup or a new database all resume right),
then reads batches in id order (``station.journal.outbox``) and writes each in one
transaction with ``INSERT ... ON CONFLICT (station_id, journal, row_id) DO NOTHING``, so a
batch sent twice lands once. After each commit the journal's cursor is acknowledged.
Rows of a session arrive in id order, which is the journal's time order.

A session is sent as soon as it starts; its end follows as an update once the journal
has it (``ended_sessions``).

``Replicator`` is the daemon's thread: it pushes every ``interval_s``, and after a
failure waits 1, 2, 4 ... up to 60 s and tries again; the station plays on meanwhile
(the touch path never waits for it: it reads the journal file through its own SQLite
connection). ``wait`` is injected, so tests run it without sleeping.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from collections.abc import Callable

from station.clinic.settings import ClinicError, first_line
from station.journal import outbox

log = logging.getLogger("station.clinic")
MAX_BACKOFF_S = 60.0


def _insert(table: str, columns: tuple[str, ...]) -> str:
    cols = ("station_id", "journal", "row_id") + columns
    return (f"INSERT INTO clinic.{table} ({', '.join(cols)}) VALUES "
            f"({', '.join(['%s'] * len(cols))}) ON CONFLICT (station_id, journal, row_id) "
            f"DO NOTHING")


SESSION_SQL = _insert("sessions", ("station_name",) + outbox.SESSION_COLUMNS[2:] + ("roles",))
# Events, the bulk, go as one statement per batch: a column array each, unnested on the
# server (one round trip and one plan, instead of one INSERT per row).
EVENT_TYPES = ("bigint", "bigint", "bigint", "text", "integer", "text", "integer", "integer",
               "text", "integer", "integer", "integer", "integer", "text",
               "double precision")     # outbox.EVENT_COLUMNS, in order
EVENT_SQL = (f"INSERT INTO clinic.events (station_id, journal, row_id, "
             f"{', '.join(outbox.EVENT_COLUMNS[1:])}) SELECT %s, %s, * FROM unnest("
             + ", ".join(f"%s::{t}[]" for t in EVENT_TYPES)
             + ") ON CONFLICT (station_id, journal, row_id) DO NOTHING")
RATING_SQL = _insert("ratings", outbox.RATING_COLUMNS[1:])
END_SQL = ("UPDATE clinic.sessions SET ended_ns = %s, ended_at = %s, ended_by = %s WHERE "
           "station_id = %s AND journal = %s AND row_id = %s AND ended_ns IS NULL")


@dataclass
class Pushed:
    """What one push did: rows committed (sent; a resent row counts once more but lands
    once), consent-kept rows passed over, batches, session ends sent."""

    rows: int = 0
    skipped: int = 0
    batches: int = 0
    ends: int = 0
    cursor: dict | None = None       # where the next push of this connection goes on


def resume_point(pg, station_id: str, journal: str) -> dict[str, int]:
    """Per table, the highest row id of this station's journal the database holds."""
    out = {}
    for table in outbox.TABLES:
        out[table] = pg.execute(f"SELECT coalesce(max(row_id), 0) FROM clinic.{table} WHERE "
                                f"station_id = %s AND journal = %s",
                                (station_id, journal)).fetchone()[0]
    return out


def push(jconn, pg, station_id: str, batch_rows: int = 500,
         stop: Callable[[], bool] = lambda: False, cursor: dict | None = None,
         refused: set | None = None, link=None) -> Pushed:
    """Send what the database lacks (see the module docstring); return what was done.
    Database errors propagate (psycopg's): the caller reconnects and pushes again.

    ``cursor`` (the last push's, on the same connection) and ``refused`` (pseudonyms
    consent keeps back, updated as consent rows pass) spare the lookups they replace.
    ``link`` (``station.clinic.link``): clinic pseudonyms and tombstones for the rows."""
    from station.clinic import names
    uid = outbox.journal_uid(jconn)
    done = Pushed()
    if cursor is None:
        with pg.transaction():
            cursor = resume_point(pg, station_id, uid)
    if refused is None:
        refused = outbox.refused_clients(jconn)
    while not stop():
        batch = outbox.read_batch(jconn, cursor, batch_rows, refused)
        if batch.empty(cursor):
            break
        if link is not None:
            names.apply(batch, link.names, link.gone)
        key = (station_id, uid)
        with pg.transaction():
            with pg.cursor() as cur:
                if batch.sessions:
                    cur.executemany(SESSION_SQL, [key + tuple(s[c] for c in (
                        ("id", "station") + outbox.SESSION_COLUMNS[2:] + ("roles",)))
                        for s in batch.sessions])
                if batch.events:
                    cur.execute(EVENT_SQL, key + tuple([e[c] for e in batch.events]
                                                       for c in outbox.EVENT_COLUMNS))
                if batch.ratings:
                    cur.executemany(RATING_SQL, [key + tuple(r[c] for c in
                                                             outbox.RATING_COLUMNS)
                                                 for r in batch.ratings])
        outbox.acknowledge(jconn, station_id, batch.cursor)
        done.rows += len(batch)
        done.skipped += batch.skipped
        done.batches += 1
        cursor = batch.cursor
    done.ends = send_ends(jconn, pg, station_id, uid)
    if not done.batches:            # nothing new: still say the database is caught up
        outbox.acknowledge(jconn, station_id, cursor)
    done.cursor = cursor
    return done


def send_ends(jconn, pg, station_id: str, uid: str) -> int:
    """Send the ends of sessions the database holds as open; return how many."""
    with pg.transaction():
        open_ids = [r[0] for r in pg.execute(
            "SELECT row_id FROM clinic.sessions WHERE station_id = %s AND journal = %s AND "
            "ended_ns IS NULL", (station_id, uid))]
        ended = outbox.ended_sessions(jconn, open_ids)
        for s in ended:
            pg.execute(END_SQL, (s["ended_ns"], s["ended_at"], s["ended_by"], station_id,
                                 uid, s["id"]))
    return len(ended)


def plain(exc: BaseException) -> str:
    """A database failure in words for the status (never a traceback)."""
    if isinstance(exc, ClinicError):
        return str(exc)
    return f"the clinic database refused or lost the connection ({first_line(exc)})"


class Replicator:
    """The daemon's replication thread for one journal file (see the module docstring).

    ``connect()`` returns a new psycopg connection (raising ClinicError); ``open_journal()``
    a new SQLite connection to the journal. ``state()`` is what status and doctor show."""

    def __init__(self, settings, connect: Callable, open_journal: Callable,
                 wait: Callable[[float], bool] | None = None, link=None) -> None:
        self.settings = settings
        self.link = link              # station.clinic.link: key, forgets, shared texts
        self._connect = connect
        self._open_journal = open_journal
        self.stopping = threading.Event()
        self._wait = wait or self.stopping.wait
        self._thread: threading.Thread | None = None
        self.connected = False
        self.last_error: str | None = None
        self.sent = 0
        self.pending: int | None = None          # rows not yet acknowledged
        self.oldest_unix_ns: int | None = None   # wall clock of the oldest of them

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="clinic", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run(self) -> None:
        jconn = None
        while jconn is None and not self.stopping.is_set():
            try:
                jconn = self._open_journal()
            except Exception as exc:     # e.g. the journal's disk: keep trying, say why
                self.last_error = f"the journal cannot be read for the clinic ({exc})"
                log.warning("clinic: %s", self.last_error)
                self._wait(MAX_BACKOFF_S)
        if jconn is None:
            return
        pg = None
        backoff = 1.0
        cursor, refused = None, outbox.refused_clients(jconn)
        try:
            while not self.stopping.is_set():
                try:
                    if pg is None or pg.closed:
                        pg, cursor = self._connect(), None
                        self.connected = True
                        if self.link is not None:
                            self.link.connected(pg)
                    if self.link is not None and self.link.cycle(pg, jconn):
                        cursor = None             # rows were forgotten: resume afresh
                    done = push(jconn, pg, self.settings.station_id, self.settings.batch_rows,
                                self.stopping.is_set, cursor, refused, self.link)
                    self.sent += done.rows
                    cursor = done.cursor
                    self.last_error = None
                    backoff = 1.0
                    self._count(jconn, cursor)
                    self._wait(self.settings.interval_s)
                except Exception as exc:    # any failure: keep the rows, retry later
                    self.connected = False
                    self.last_error = plain(exc)
                    log.warning("clinic: %s; retrying in %.0f s", self.last_error, backoff)
                    _record(jconn, self.settings.station_id, self.last_error)
                    _close(pg)
                    pg = None
                    self._count(jconn, None)
                    self._wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF_S)
        finally:
            _close(pg)
            jconn.close()

    def _count(self, jconn, cursor: dict | None) -> None:
        if self.link is not None:
            self.link.count_waiting()
        try:
            if cursor is None:
                cursor = outbox.read_state(jconn, self.settings.station_id)["cursor"]
            self.pending, self.oldest_unix_ns = outbox.pending(jconn, cursor)
        except Exception:        # a busy journal: the next cycle counts again
            log.debug("clinic: could not count the pending rows", exc_info=True)

    def state(self) -> dict:
        """JSON-safe: connected, rows sent since start, pending, the oldest pending row's
        wall clock (ns), the last error (None when the last push went through)."""
        return {"station_id": self.settings.station_id, "connected": self.connected,
                "sent": self.sent, "pending": self.pending,
                "oldest_pending_unix_ns": self.oldest_unix_ns, "error": self.last_error,
                **(self.link.state() if self.link is not None else {})}


def replicator_for(config) -> Replicator | None:
    """The daemon's replicator for the config's journal (None without ``clinic:``)."""
    from station.clinic.settings import ClinicSettings, connect_settings
    from station.journal.store import connect as open_journal
    from station.clinic.link import link_for
    settings = ClinicSettings.from_config(config)
    if settings is None:
        return None
    return Replicator(settings, lambda: connect_settings(settings),
                      lambda: open_journal(config.journal), link=link_for(
                          config, settings, lambda: connect_settings(settings, quick=True)))


def _record(jconn, station_id: str, message: str) -> None:
    try:
        outbox.record_error(jconn, station_id, message)
    except Exception:     # the journal busy or full: the log line is enough
        log.debug("clinic: could not keep the error in the journal", exc_info=True)


def _close(pg) -> None:
    """Let go of a connection that already failed (its error is logged and kept in
    ``last_error`` by the caller); closing a broken socket can only fail the same way."""
    if pg is not None:
        try:
            pg.close()
        except Exception:   # already reported by the caller: nothing new to tell
            pass
