"""The metrics table: one row per session × player × client × phase, plus phase ``all``.

The metrics export writes these rows as they are; the HTML report reads the same rows
(the ``all`` rows for its tables, summaries and trends, the phase rows for timing
against a pulse), so the two never disagree. A phase row exists only where the column's
client was seated in that phase. ``client_history`` numbers a client's sessions as the
therapist knows them: 1 for the client's first session in the journal.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from station.journal.queries import client_session_ids
from station.journal.reader import SessionInfo
from station.report.columns import Column, columns
from station.report.data import SessionData
from station.report.intervals import intersect
from station.report.metric_functions import compute
from station.report.metrics import Metric
from station.report.numbers import metric_text
from station.report.subject import subject
from station.report.vocabulary import EXPORT_COLUMNS


@dataclass
class Row:
    info: SessionInfo
    column: Column
    phase: str                       # "all", a phase name, or "none" (before the first)
    metrics: dict[str, Metric]
    reasons: dict[str, int] = field(default_factory=dict)   # held-back touches by reason

    def value(self, key: str) -> float | None:
        m = self.metrics.get(key)
        return m.value if m is not None and m.ok else None

    def cells(self) -> list[str]:
        """The export's cells, in ``EXPORT_COLUMNS`` order ("" where none applies)."""
        c = self.column
        fixed = {"session": str(self.info.id), "player": str(c.player), "client": c.client,
                 "role": c.role, "phase": self.phase}
        return [fixed[k] if k in fixed else metric_text(k, self.value(k))
                for k in EXPORT_COLUMNS]


def session_rows(d: SessionData, client: str | None = None) -> list[Row]:
    """The rows of one session (only ``client``'s columns and the partner's, if given)."""
    out = []
    phases = d.phase_windows()
    for col in columns(d):
        if client is not None and col.client != client and not col.partner:
            continue
        for name, window in [("all", None)] + phases:
            if window is None or intersect(col.seated, window):
                s = subject(d, col, window)
                out.append(Row(d.info, col, name, compute(s), s.suppressed))
    return out


@dataclass
class Visit:
    """One session of one client: the number the therapist knows it by, and its row."""

    number: int                      # 1 = the client's first session in the journal
    row: Row                         # phase "all", at the position they were seated longest


def client_numbers(conn: sqlite3.Connection, client: str) -> dict[int, int]:
    """session id -> the client's own session number (1, 2, ...) over the whole journal."""
    ids = client_session_ids(conn, client)
    return {sid: i + 1 for i, sid in enumerate(ids)}


def client_history(numbers: dict[int, int], rows: list[Row], client: str) -> list[Visit]:
    """The client's sessions among ``rows`` (all sessions' rows), oldest first."""
    best: dict[int, Row] = {}
    for r in rows:
        if r.phase != "all" or r.column.client != client or r.column.partner:
            continue
        have = best.get(r.info.id)
        if have is None or r.column.seated_s > have.column.seated_s:
            best[r.info.id] = r
    return [Visit(numbers.get(sid, 0), r) for sid, r in best.items()]
