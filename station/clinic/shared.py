"""Shared profiles and plans in the clinic database: versions, conflicts, history.

A client's profile (or a session plan) is one row per name with a ``version`` that each
change raises by one. ``publish`` changes it only if the editor started from the version
the database still holds (optimistic locking): an edit made from an older version is
refused with a ``Conflict`` that says who changed it since, when, and what (a unified
diff from the editor's version to the current one), as the panel's 409 answers.
Every version is kept in ``clinic.history`` (who, when, which room, the whole text) by a
trigger of the database (``station.clinic.schema`` migration 2), so the history is
complete whichever client wrote the change. Bodies are the YAML text as written.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from station.clinic.settings import ClinicError

TABLES = {"profile": ("clinic.profiles", "client_id"), "plan": ("clinic.plans", "plan_id")}


@dataclass(frozen=True)
class Shared:
    kind: str                 # profile | plan
    name: str                 # client id or plan id
    version: int
    body: str
    changed_by: str
    changed_at: object        # datetime (UTC) of the change


class Conflict(ClinicError):
    """The shared text changed since the editor's version: nothing was written.
    ``current`` is what the database holds now, ``diff`` what changed since."""

    def __init__(self, message: str, current: Shared, diff: str) -> None:
        super().__init__(message)
        self.current = current
        self.diff = diff


def _table(kind: str) -> tuple[str, str]:
    if kind not in TABLES:
        raise ValueError(f"kind must be profile or plan, not {kind!r}")
    return TABLES[kind]


def fetch(pg, kind: str, name: str) -> Shared | None:
    """The current version of a shared profile or plan, or None."""
    table, key = _table(kind)
    row = pg.execute(f"SELECT version, body, changed_by, changed_at FROM {table} WHERE "
                     f"{key} = %s", (name,)).fetchone()
    return None if row is None else Shared(kind, name, *row)


def history(pg, kind: str, name: str) -> list[tuple]:
    """(version, changed_by, changed_at, station_id) of every change, oldest first."""
    return pg.execute("SELECT version, changed_by, changed_at, station_id FROM "
                      "clinic.history WHERE kind = %s AND name = %s ORDER BY version, id",
                      (kind, name)).fetchall()


def publish(pg, kind: str, name: str, body: str, base: int | None, who: str) -> Shared:
    """Write ``body`` as the next version, if the database still holds version ``base``
    (None: a new name). Return what was written; raise Conflict otherwise."""
    table, key = _table(kind)
    with pg.transaction():
        if base is None:
            row = pg.execute(f"INSERT INTO {table} ({key}, version, body, changed_by) VALUES "
                             f"(%s, 1, %s, %s) ON CONFLICT ({key}) DO NOTHING RETURNING "
                             f"version, changed_at", (name, body, who)).fetchone()
        else:
            row = pg.execute(f"UPDATE {table} SET version = version + 1, body = %s, "
                             f"changed_by = %s, changed_at = now() WHERE {key} = %s AND "
                             f"version = %s RETURNING version, changed_at",
                             (body, who, name, base)).fetchone()
        if row is not None:
            return Shared(kind, name, row[0], body, who, row[1])
    current = fetch(pg, kind, name)
    if current is None:
        raise ClinicError(f"there is no shared {kind} '{name}' to change; publish it as new.")
    old = pg.execute("SELECT body FROM clinic.history WHERE kind = %s AND name = %s AND "
                     "version = %s ORDER BY id DESC LIMIT 1", (kind, name, base)).fetchone()
    diff = "".join(difflib.unified_diff(
        (old[0] if old else "").splitlines(keepends=True), current.body.splitlines(keepends=True),
        f"{name} version {base}", f"{name} version {current.version}"))
    since = f"version {base}" if base is not None else "you started"
    raise Conflict(f"refused: the shared {kind} '{name}' was changed since {since} by "
                   f"{current.changed_by} at {current.changed_at:%Y-%m-%d %H:%M} UTC (now "
                   f"version {current.version}); nothing was written. Start again from "
                   f"version {current.version}.", current, diff)
