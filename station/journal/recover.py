"""``station journal recover``: copy what a damaged journal still holds into a new one.

The original is never opened by SQLite (which could write to it): it is copied first,
with its ``-wal``, into a private temporary folder. Every table is read in rowid order;
a damaged stretch is stepped over (an exponential, then a binary search for the next
readable rowid) and counted. Events whose session header was lost get a stub session
(``started_by = 'recovered'``) so reports still find them. The new journal is built
under a temporary name, checked, and only then given its name (never over a file).

What it is given is not trusted: a path through symbolic links is resolved first (so the
``-wal`` beside the real file is found); a file that is not a station journal (not SQLite,
or readable tables that are not the station's: a foreign database with an ``events``
table, or an ``events`` view) is refused before anything is written; only real tables are
read, never views. The work is bounded: SQLite's progress handler stops it at
``time_limit_s`` and at SIGINT/SIGTERM, after which the half-built file and the private
copy are removed (``Guard``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from station.core.errors import JournalError
from station.core.files import check_output
from station.journal.integrity import check
from station.journal.recover_guard import Guard
from station.journal.store import connect

TABLES = ("meta", "sessions", "players", "events", "ratings", "housekeeping")   # in order
MAX_DAMAGED = 10_000            # damaged stretches stepped over per table, at most
TIME_LIMIT_S = 1800.0           # a whole recover, at most (a 1 M-event journal: ~1 min)
HEADER = b"SQLite format 3\0"
NEEDED = {"meta": {"key", "value"}, "sessions": {"id", "started_ns"},
          "events": {"session_id", "t_ns", "kind"}}    # what makes a station journal


@dataclass
class Recovered:
    """What ``recover`` copied: rows per table, damaged stretches, stub sessions."""

    rows: dict[str, int] = field(default_factory=dict)
    damaged: dict[str, int] = field(default_factory=dict)     # stretches stepped over
    missing: dict[str, int] = field(default_factory=dict)     # rowids skipped (≈ rows)
    stubs: int = 0
    secret: bool = False        # the pseudonym secret survived (ids still map)

    def words(self) -> str:
        parts = [f"{self.rows.get('sessions', 0)} sessions", f"{self.rows.get('events', 0)} "
                 f"events"]
        text = "copied " + " and ".join(parts)
        bad = sum(self.damaged.values())
        text += (f"; about {sum(self.missing.values())} row(s) in {bad} damaged stretch(es) "
                 f"could not be read ("
                 f"{', '.join(f'{t}: {self.missing[t]}' for t, n in self.damaged.items() if n)})"
                 if bad else "; nothing was unreadable")
        if self.stubs:
            text += (f"; {self.stubs} session(s) whose header was lost were re-created as "
                     f"'recovered'")
        if not self.secret:
            text += ("; the pseudonym secret was lost, so '--client ID' no longer finds "
                     "the old rows (the c-... pseudonyms still do)")
        return text + "."


def recover(src: Path, dst: Path, time_limit_s: float = TIME_LIMIT_S) -> Recovered:
    """Copy what can be read of the journal ``src`` into the new journal ``dst``, within
    ``time_limit_s`` seconds (``JournalError`` past it; ``KeyboardInterrupt`` on SIGINT or
    SIGTERM; either way nothing is left behind)."""
    src, dst = Path(os.path.realpath(src)), Path(dst)     # the -wal is beside the real file
    guard = Guard(time_limit_s)
    with guard.catching_signals():
        return _recover(src, dst, guard)


def _recover(src: Path, dst: Path, guard: Guard) -> Recovered:
    if not src.is_file():
        raise JournalError(f"{src}: there is no journal file here to recover.")
    check_output(dst, "recovered journal", replace=False)
    if dst.resolve() == src.resolve():
        raise JournalError("the recovered journal must be a new file, not the damaged one.")
    out = Recovered()
    with tempfile.TemporaryDirectory(prefix="station-recover-") as tmp:
        copy = Path(tmp) / "copy.db"
        shutil.copyfile(src, copy)                 # the original is only ever read
        if Path(f"{src}-wal").is_file():
            shutil.copyfile(f"{src}-wal", f"{copy}-wal")
        guard.check()
        tables = _station_tables(copy, src, guard)
        building = dst.with_name(f".{dst.name}.{os.getpid()}.recovering")
        building.unlink(missing_ok=True)
        new = connect(building)
        try:
            new.set_progress_handler(guard.tick, 10_000)
            new.execute("PRAGMA foreign_keys=OFF")
            try:
                old = sqlite3.connect(copy)
            except sqlite3.Error as exc:
                raise JournalError(f"{src}: nothing can be read from it ({exc}).") from None
            old.set_progress_handler(guard.tick, 10_000)
            old.text_factory = _text                # damaged text is not valid UTF-8
            try:
                for table in TABLES:
                    if tables is None or table in tables:     # real tables only, no views
                        _copy_table(old, new, table, out, guard)
            finally:
                old.close()
            guard.check()
            out.stubs = _stub_sessions(new)
            out.secret = new.execute("SELECT 1 FROM meta WHERE key='secret'").fetchone() \
                is not None
            new.execute("PRAGMA foreign_keys=ON")
            check(new, building)
            new.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            guard.check()
        except sqlite3.OperationalError:
            _clean(new, building)
            guard.check()                      # interrupted by the guard: say why
            raise
        except BaseException:
            _clean(new, building)
            raise
        new.close()
        check_output(dst, "recovered journal", replace=False)
        os.replace(building, dst)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
    return out


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _clean(new, building: Path) -> None:
    new.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{building}{suffix}").unlink(missing_ok=True)


def _station_tables(copy: Path, src: Path, guard: Guard) -> set[str] | None:
    """The real tables of a station journal (None: its schema cannot be read, so it is
    treated as a damaged journal); ``JournalError`` for anything that is not one."""
    with open(copy, "rb") as f:
        if f.read(len(HEADER)) != HEADER:
            raise JournalError(f"{src} is not a station journal (not an SQLite database); "
                               f"nothing was written.")
    conn = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
    conn.set_progress_handler(guard.tick, 10_000)
    conn.text_factory = _text
    try:
        kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
        columns = {t: {r[1] for r in conn.execute(f"PRAGMA table_info({t})")}
                   for t in NEEDED if kinds.get(t) == "table"}
    except (sqlite3.DatabaseError, UnicodeDecodeError):   # a damaged page or schema
        guard.check()
        return None
    finally:
        conn.close()
    lacking = [t for t, cols in NEEDED.items() if not cols <= columns.get(t, set())]
    if lacking:
        raise JournalError(f"{src} is not a station journal (no station '{lacking[0]}' "
                           f"table); nothing was written. Give the station's journal file "
                           f"(journal: in the station config).")
    return {t for t, kind in kinds.items() if kind == "table"}


def _columns(old: sqlite3.Connection, new: sqlite3.Connection, table: str) -> list[str]:
    wanted = [r[1] for r in new.execute(f"PRAGMA table_info({table})")]
    try:
        have = {r[1] for r in old.execute(f"PRAGMA table_info({table})")}
    except (sqlite3.DatabaseError, UnicodeDecodeError):   # a damaged page or schema
        return wanted          # the schema page is damaged: try the current columns
    return [c for c in wanted if c in have]


def _copy_table(old, new, table: str, out: Recovered, guard: Guard) -> None:
    cols = _columns(old, new, table)
    out.rows[table] = out.damaged[table] = out.missing[table] = 0
    if not cols:
        return
    names = ", ".join(cols)
    insert = f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({', '.join('?' * len(cols))})"
    if table == "meta":
        new.execute("DELETE FROM meta")        # the old secret, if it can be read, wins
    last = gap = None         # gap: the last rowid read before a damaged stretch
    while out.damaged[table] <= MAX_DAMAGED:
        batch: list[tuple] = []
        try:
            cur = old.execute(f"SELECT rowid, {names} FROM {table} WHERE rowid > ? "
                              f"ORDER BY rowid", (last if last is not None else -(1 << 63),))
            for row in cur:
                if gap is not None:
                    out.missing[table] += max(0, row[0] - gap - 1)
                    gap = None
                batch.append(row)
                last = row[0]
                if len(batch) >= 1000:
                    out.rows[table] += _insert(new, insert, batch)
                    batch = []
                    guard.check()
            out.rows[table] += _insert(new, insert, batch)
            return
        except (sqlite3.DatabaseError, UnicodeDecodeError):   # a damaged page or schema
            guard.check()                      # an interrupt is no damaged stretch
            out.rows[table] += _insert(new, insert, batch)
            out.damaged[table] += 1
            if gap is None:
                gap = last if last is not None else 0
            last = _next_readable(old, table, last)
            if last is None:
                return


def _insert(new, sql: str, rows: list[tuple]) -> int:
    if not rows:
        return 0
    with new:
        new.executemany(sql, [row[1:] for row in rows])    # row[0] is the old rowid
    return len(rows)


def _readable_after(old, table: str, rowid: int) -> int | None | bool:
    """The first rowid after ``rowid``, None if there is none, False if unreadable."""
    try:
        row = old.execute(f"SELECT rowid FROM {table} WHERE rowid > ? ORDER BY rowid LIMIT 1",
                          (rowid,)).fetchone()
    except (sqlite3.DatabaseError, UnicodeDecodeError):   # a damaged page or schema
        return False
    return None if row is None else row[0]


def _next_readable(old, table: str, last: int | None) -> int | None:
    """A rowid to continue after: past the damaged stretch that follows ``last``."""
    lo = last if last is not None else 0
    step, hi = 1, None
    while step < (1 << 62):
        probe = _readable_after(old, table, lo + step)
        if probe is not False:
            hi = lo + step
            break
        step *= 2
    if hi is None:
        return None
    bad = lo           # unreadable after `bad`, readable after `hi`: narrow it down
    while hi - bad > 1:
        mid = (bad + hi) // 2
        if _readable_after(old, table, mid) is False:
            bad = mid
        else:
            hi = mid
    return hi


def _stub_sessions(new: sqlite3.Connection) -> int:
    missing = [r[0] for r in new.execute(
        "SELECT DISTINCT session_id FROM events WHERE session_id IS NOT NULL AND session_id "
        "NOT IN (SELECT id FROM sessions) UNION SELECT DISTINCT session_id FROM players "
        "WHERE session_id NOT IN (SELECT id FROM sessions)")]
    with new:
        for sid in missing:
            first, last = new.execute("SELECT min(t_ns), max(t_ns) FROM events WHERE "
                                      "session_id=?", (sid,)).fetchone()
            new.execute("INSERT INTO sessions(id, station, started_ns, ended_ns, started_at, "
                        "started_by, ended_by) VALUES (?, 'recovered', ?, ?, '', "
                        "'recovered', 'recovered')", (sid, first or 0, last or first or 0))
    return len(missing)
