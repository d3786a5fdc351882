"""``station forget`` in the clinic database: deleted there too, or queued until the link returns.

A client forgotten on a station must be forgotten where the station sent their rows.
``forget_in_clinic`` asks the clinic database (its ``clinic.forget`` function, schema
version 3) to delete every row carrying the client's pseudonyms in every room, their
shared profile and its history, and to keep a tombstone of the pseudonyms so that no
room sends that client's rows again (``station.clinic.names.apply``). The pseudonyms
are the journal's own (rows of a client the station could not name left with it) and
the clinic's (``HMAC(clinic key, id)``), so every row the station ever sent is found.

When the clinic database cannot be reached the request waits in the station's clinic
folder (``QUEUE_FILE``, 0600 in 0700, pseudonyms and the profile's id only); the
replicator applies it on its next connection before it sends anything (``apply_queue``),
and ``station clinic push`` does the same.
"""

from __future__ import annotations

import fcntl
import json
from contextlib import contextmanager
from pathlib import Path

from station.clinic import names
from station.core.files import private_dir, read_limited, write_private

QUEUE_FILE = "forget.queue"
QUEUE_PREFIX = b"station clinic forget queue\n"


def _pseudonyms(entry: dict, key: str | None) -> list[str]:
    out = list(entry.get("pseudonyms") or [])
    if entry.get("profile") and key:
        out.append(names.clinic_pseudonym(entry["profile"], key))
    return sorted(set(out))


def forget_now(pg, entry: dict, key: str | None) -> int:
    """Forget ``entry`` ({"pseudonyms": [...], "profile": id or None}) in the clinic
    database; return the rows deleted there."""
    with pg.transaction():
        return pg.execute("SELECT clinic.forget(%s, %s)",
                          (_pseudonyms(entry, key), entry.get("profile"))).fetchone()[0]


@contextmanager
def _locked(folder: Path):
    private_dir(folder)
    with open(folder / ".forget.lock", "a") as lock:        # the CLI and the daemon
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def queued(folder: Path) -> list[dict]:
    """The forget requests waiting for the link (oldest first)."""
    path = Path(folder) / QUEUE_FILE
    if not path.is_file():
        return []
    data = read_limited(path, 4 * 1024 * 1024, OSError, "clinic forget queue")
    if not data.startswith(QUEUE_PREFIX):
        return []
    return [json.loads(line) for line in data[len(QUEUE_PREFIX):].decode().splitlines()
            if line.strip()]


def _write(folder: Path, entries: list[dict]) -> None:
    text = QUEUE_PREFIX + "".join(json.dumps(e) + "\n" for e in entries).encode()
    write_private(Path(folder) / QUEUE_FILE, text, "clinic forget queue",
                  replace=QUEUE_PREFIX)


def enqueue(folder: Path, entry: dict) -> None:
    with _locked(folder):
        _write(folder, queued(folder) + [entry])


def apply_queue(pg, folder: Path, key: str | None) -> int:
    """Apply every waiting request, oldest first; return how many went. A request is
    taken off the queue only once the database committed it."""
    done = 0
    with _locked(folder):
        entries = queued(folder)
        while entries:
            forget_now(pg, entries[0], key)
            entries.pop(0)
            _write(folder, entries)
            done += 1
    return done


def forget_in_clinic(settings, folder: Path, client: str, journal_pseudonym: str | None,
                     connect) -> str:
    """Forget ``client`` (an id or a ``c-…`` pseudonym) in the clinic database, or queue
    it; return a sentence for the therapist. ``connect()`` opens the connection."""
    from station.clinic.settings import ClinicError, first_line, psycopg
    is_id = not client.startswith("c-")
    entry = {"pseudonyms": sorted({p for p in (journal_pseudonym,
                                               None if is_id else client) if p}),
             "profile": client if is_id else None}
    try:
        pg = connect()
    except ClinicError:
        enqueue(folder, entry)
        return ("the clinic database cannot be reached now: the request to forget them "
                "there too waits on this station and is done as soon as the link returns.")
    try:
        key = names.fetch_key(pg) if is_id else None
        if key:
            names.save_key(folder, key)
        n = forget_now(pg, entry, key or names.load_key(folder))
    except psycopg().Error as exc:
        enqueue(folder, entry)
        return (f"the clinic database refused it now ({first_line(exc)}): the request "
                f"waits on this station and is tried again on every connection.")
    finally:
        pg.close()
    return f"forgotten in the clinic database too: {n} row(s) of every room deleted."
