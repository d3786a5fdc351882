"""The journal's integrity: checked at every open, and crashed sessions closed.

* ``check(conn, path)``: SQLite's ``quick_check`` (every page and b-tree, in one pass);
  a damaged journal is refused in plain words with the command that rescues its data
  (``station journal recover``, ``station.journal.recover``). The station never writes
  into a damaged journal: new rows could land in broken pages.
* ``close_crashed(conn)``: sessions left open by a crash (``kill -9``, a power cut) are
  closed at the next start: ``ended_by = 'crash'`` at their last event (or their start,
  if they hold none), so reports never count the time the station was off.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from station.core.clock import utc_iso
from station.core.errors import JournalError

log = logging.getLogger("station.journal")


def damaged(path: Path, why: str) -> JournalError:
    return JournalError(
        f"{path}: the journal is damaged ({why}). The station does not write into a damaged "
        f"journal. Copy what can still be read into a new file with 'station journal "
        f"recover {path} --out NEW.db', then set 'journal:' in the station config to the "
        f"new file (or move the damaged one away and give the new one its name). The "
        f"damaged file is left as it is.")


def check(conn: sqlite3.Connection, path: Path) -> None:
    """Raise JournalError (plain words, the rescue command) if ``conn`` is damaged."""
    try:
        result = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise damaged(path, str(exc)) from None
    if result != ["ok"]:
        raise damaged(path, "; ".join(str(r)[:120] for r in result[:2]))


def close_crashed(conn: sqlite3.Connection) -> list[int]:
    """Close sessions a crash left open (at their last event); return their ids."""
    open_ids = [r[0] for r in conn.execute("SELECT id FROM sessions WHERE ended_ns IS NULL")]
    if not open_ids:
        return []
    with conn:
        for sid in open_ids:
            started_ns, unix = conn.execute(
                "SELECT started_ns, started_unix_ns FROM sessions WHERE id=?", (sid,)).fetchone()
            last = conn.execute("SELECT max(t_ns) FROM events WHERE session_id=?",
                                (sid,)).fetchone()[0]
            ended = max(started_ns, last if last is not None else started_ns)
            ended_at = utc_iso(unix + (ended - started_ns)) if unix is not None else None
            conn.execute("UPDATE sessions SET ended_ns=?, ended_at=?, ended_by='crash' "
                         "WHERE id=?", (ended, ended_at, sid))
    log.warning("journal: closed %d session(s) left open by a crash or power cut: %s",
                len(open_ids), ", ".join(map(str, open_ids)))
    return open_ids
