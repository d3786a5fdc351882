"""Clinic-wide pseudonyms: one client, one pseudonym, in every room.

A journal makes its pseudonyms with its own secret (``station.journal.pseudonym``), so
the same client has a different one in each room. The clinic database holds one key
for all rooms (``clinic.keys``, made by ``station clinic init``; readable by the
stations' roles only, never by the report role). What leaves a station carries the
*clinic's* pseudonym: ``renames`` maps each journal pseudonym of a client the station
knows (its clients folder, the shared profiles it keeps) to ``HMAC(clinic key, id)``,
and ``apply`` rewrites a batch with it just before it is sent. The journal itself is
never rewritten: it stays the source of truth, with its own secret, and ``station
forget`` on it works as before.

A row of a client the station cannot name (their profile was removed from the folder)
leaves with the journal's pseudonym. A row whose clinic pseudonym was forgotten
(``clinic.forgotten``, by any room) never leaves again.

The key is kept on the station (``KEY_FILE`` in the clinic folder, 0600 in 0700) once
it was read, so a forget while offline can still name the client's clinic pseudonym.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from station.core.files import private_dir, read_limited, write_private
from station.journal.pseudonym import pseudonym
from station.journal.queries import stored_secret

KEY_FILE = "pseudonym.key"
KEY_PREFIX = b"station clinic pseudonym key\n"     # the station's own file, see files.py


def clinic_folder(config) -> Path:
    """The station's private clinic folder: beside its journal (0700 when made)."""
    return Path(config.journal).resolve().parent / "clinic"


def fetch_key(pg) -> str | None:
    """The clinic's pseudonym key (None: a database set up before schema version 3)."""
    row = pg.execute("SELECT value FROM clinic.keys WHERE name = 'pseudonym'").fetchone()
    return None if row is None else row[0]


def save_key(folder: Path, key: str) -> None:
    """Keep ``key`` in the station's clinic folder (unchanged: no write)."""
    if load_key(folder) == key:
        return
    private_dir(folder)
    write_private(folder / KEY_FILE, KEY_PREFIX + key.encode() + b"\n",
                  "clinic pseudonym key", replace=KEY_PREFIX)


def load_key(folder: Path) -> str | None:
    """The key kept by ``save_key``, or None."""
    path = Path(folder) / KEY_FILE
    if not path.is_file():
        return None
    try:
        data = read_limited(path, 4096, OSError, "clinic key")
    except OSError:
        return None
    if not data.startswith(KEY_PREFIX):
        return None
    return data[len(KEY_PREFIX):].decode(errors="replace").strip() or None


def client_ids(*folders: Path) -> list[str]:
    """The client ids the station knows: profile file names in ``folders``."""
    from station.config.profile import ID_PATTERN
    out: set[str] = set()
    for folder in folders:
        try:
            out.update(p.stem for p in Path(folder).glob("*.yaml") if ID_PATTERN.match(p.stem))
        except OSError:
            continue
    return sorted(out)


def clinic_pseudonym(client_id: str, key: str) -> str:
    return pseudonym(client_id, key)


def renames(jconn: sqlite3.Connection, key: str | None, ids: list[str]) -> dict[str, str]:
    """journal pseudonym -> clinic pseudonym for ``ids`` (empty without a key)."""
    secret = stored_secret(jconn)
    if not key or not secret or secret == key:
        return {}
    return {pseudonym(cid, secret): pseudonym(cid, key) for cid in ids}


def forgotten(pg) -> set[str]:
    """The clinic pseudonyms forgotten in any room (empty before schema version 3)."""
    if pg.execute("SELECT to_regclass('clinic.forgotten')").fetchone()[0] is None:
        return set()
    return {r[0] for r in pg.execute("SELECT client FROM clinic.forgotten")}


def apply(batch, names: dict[str, str], gone: set[str]) -> None:
    """Rewrite ``batch``'s events and ratings to clinic pseudonyms, in place, and drop
    the rows of forgotten clients (counted as ``skipped``; the cursor still passes)."""
    if not names and not gone:
        return
    for table in ("events", "ratings"):
        kept = []
        for row in getattr(batch, table):
            client = row["client"]
            if client is not None:
                client = row["client"] = names.get(client, client)
                if client in gone:
                    batch.skipped += 1
                    continue
            kept.append(row)
        setattr(batch, table, kept)

