"""``station export --format csv``: one row per journal event, for spreadsheets and R.

Columns (fixed, in this order)::

    session,t,player,role,client,board,electrode,pad,event,note,velocity,detail

``t`` is seconds from the session's start (6 decimals, i.e. microseconds); ``board`` the
I2C address as hex (``0x5A``); ``event`` one of ``EVENTS``; ``detail`` the reason
(suppressed), the phase name, the profile change (``use:<version>``, ``refused:...``,
``empty``), the fault, or the timbre (profile rows with ``timbre:bank:program:name``).
Therapist notes and control-button presses are not rows: notes are in the report.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable
from typing import IO

from station.journal.reader import SessionInfo, session_rows

HEADER = ("session", "t", "player", "role", "client", "board", "electrode", "pad", "event",
          "note", "velocity", "detail")
EVENTS = ("touch", "release", "note_on", "note_off", "suppressed", "turn_start", "turn_end",
          "profile", "fault", "phase", "beat")
_KEEP = frozenset(EVENTS) | {"timbre"}


def csv_rows(conn: sqlite3.Connection, sessions: Iterable[SessionInfo],
             client: str | None = None) -> Iterable[tuple]:
    """Yield the CSV rows (without header) of ``sessions``, each in time order."""
    for s in sessions:
        for (t_ns, kind, player, who, board, electrode, _button, pad, note, velocity,
             _channel, detail, _strength) in session_rows(conn, s, client):
            if kind not in _KEEP:
                continue
            if kind == "timbre":
                kind, detail = "profile", f"timbre:{detail}"
            yield (s.id, f"{(t_ns - s.started_ns) / 1e9:.6f}", _blank(player),
                   s.role(player), who or "", f"{board:#04X}".replace("0X", "0x")
                   if board is not None else "", _blank(electrode), _blank(pad), kind,
                   _blank(note), _blank(velocity), detail or "")


def _blank(value) -> object:
    return "" if value is None else value


def write_csv(out: IO[str], rows: Iterable[tuple]) -> int:
    """Write the header and ``rows`` to ``out``; return the number of rows."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(HEADER)
    n = 0
    for row in rows:
        w.writerow(row)
        n += 1
    return n


def csv_text(conn: sqlite3.Connection, sessions: Iterable[SessionInfo],
             client: str | None = None) -> str:
    """The whole CSV as a string (small journals, tests)."""
    buf = io.StringIO()
    write_csv(buf, csv_rows(conn, sessions, client))
    return buf.getvalue()
