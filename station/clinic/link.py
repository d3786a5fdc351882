"""What a station does on its link to the clinic besides pushing rows.

``Link`` is used by the daemon's replicator (each connection, each cycle) and by
``station clinic push``:

* on every connection it reads the clinic's pseudonym key (``station.clinic.names``)
  and keeps it on the station;
* every cycle it applies forget requests that waited for the link
  (``station.clinic.forget``), reads the clinic's tombstones, recomputes which journal
  pseudonym becomes which clinic pseudonym (a profile added to the clients folder
  counts from the next cycle), and runs the shared profiles' and plans' sync
  (``station.clinic.sync``), whose failures other than the database's own are logged
  and shown, never stop the rows from going out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from station.clinic import forget, names

log = logging.getLogger("station.clinic")


EVERY_S = 2.0     # the look at tombstones, pseudonyms and shared texts, at most this often


class Link:
    """``every_s``: how often the looks besides the forget queue run (the replicator
    pushes every ``interval_s``; the Python work of a look holds the interpreter for a
    few milliseconds, which the engine thread must not meet every push); ``clock``:
    seconds, injected for tests."""

    def __init__(self, folder: Path, ids: Callable[[], list[str]], sync=None,
                 every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.folder = Path(folder)
        self.every_s = every_s
        self._clock = clock
        self._last: float | None = None
        self._ids = ids
        self.sync = sync
        self.key: str | None = None
        self.names: dict[str, str] = {}
        self.gone: set[str] = set()
        self.shared: dict | None = None     # the last sync's counts
        self.error: str | None = None       # the last sync's failure in words
        self.waiting = 0                    # forget requests queued (counted in the cycle)
        self.summary: dict = {}             # what state() shows: made in the cycle, so
        #                                     status (the engine thread) never waits on a lock

    def connected(self, pg) -> None:
        """On a new connection: the clinic's key (kept on the station)."""
        self.key = names.fetch_key(pg) if _has_keys(pg) else None
        if self.key:
            names.save_key(self.folder, self.key)

    def cycle(self, pg, jconn) -> bool:
        """Before each push; True when rows were forgotten in the clinic, here or by
        any room (the push must then resume from what the database holds: the journal
        may give the forgotten rows' ids again)."""
        forgotten = 0
        if (self.folder / forget.QUEUE_FILE).exists():
            forgotten = forget.apply_queue(pg, self.folder, self.key or
                                           names.load_key(self.folder))
        now = self._clock()
        if self._last is not None and now - self._last < self.every_s and not forgotten:
            return False
        self._last = now
        self.count_waiting()
        gone, self.gone = self.gone, names.forgotten(pg)
        # A client forgotten anywhere: if their rows were this journal's newest, SQLite
        # gives those ids again, and the database (which just deleted the old rows) is
        # again the authority on where to resume.
        forgotten += gone != self.gone
        self.names = names.renames(jconn, self.key, self._ids())
        if self.sync is not None:
            from station.clinic.settings import psycopg
            try:
                self.shared = self.sync.sync(pg, self._forgotten)
                self.error = None
            except psycopg().Error:
                raise
            except Exception as exc:     # a folder or file problem: say it, keep sending
                self.error = f"shared profiles and plans: {exc}"
                log.warning("clinic: %s", self.error)
            from station.clinic.cache import status
            try:
                self.summary = status(self.sync.cache)
            except OSError:
                pass
        return forgotten > 0

    def count_waiting(self) -> None:
        """Count the forget requests that wait (the replicator's thread, also offline)."""
        self.waiting = len(_queued(self.folder))

    def _forgotten(self, client_id: str) -> bool:
        return bool(self.key) and names.clinic_pseudonym(client_id, self.key) in self.gone

    def state(self) -> dict:
        out: dict = {"pseudonyms": "clinic-wide" if self.key else "not yet known",
                     "forget_waiting": self.waiting, "shared_error": self.error}
        return {**out, **self.summary}


def _queued(folder: Path) -> list:
    try:
        return forget.queued(folder)
    except (OSError, ValueError):
        return []


def _has_keys(pg) -> bool:
    return pg.execute("SELECT to_regclass('clinic.keys')").fetchone()[0] is not None


def link_for(config, settings, connect: Callable | None = None) -> Link:
    """The link of the station of ``config`` (its clients and plans folders)."""
    from station.clinic.cache import Cache
    from station.clinic.sync import SharedSync
    from station.config.plan import plans_folder
    folder = names.clinic_folder(config)
    plans = plans_folder(config)
    cache = Cache(folder, {"profile": config.clients_dir, "plan": plans})
    return Link(folder, lambda: names.client_ids(config.clients_dir),
                SharedSync(cache, settings.station_id, connect))
