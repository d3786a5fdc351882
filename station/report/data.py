"""A session's journal rows as NumPy arrays (one query per session).

Times are seconds from the session's start (float64), so metric formulas read in
seconds. Who sat where, and when, is ``station.report.columns``; what a metric sees of
one column is ``station.report.subject``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

from station.journal.queries import report_rows
from station.journal.reader import SessionInfo

NS = 1e9


@dataclass
class Rows:
    """Parallel arrays of one set of events (all sorted by time)."""

    t: np.ndarray         # seconds from session start
    kind: np.ndarray      # str objects
    player: np.ndarray    # int, -1 when none
    pad: np.ndarray       # int, -1 when none
    client: np.ndarray    # str objects ('' when none)
    detail: np.ndarray    # str objects ('' when none)
    board: np.ndarray     # int I2C address, -1 when none
    electrode: np.ndarray  # int 0..11 on the board (hardware numbering), -1 when none

    def where(self, mask: np.ndarray) -> Rows:
        return Rows(*(a[mask] for a in (self.t, self.kind, self.player, self.pad,
                                        self.client, self.detail, self.board,
                                        self.electrode)))

    def of(self, kind: str) -> Rows:
        return self.where(self.kind == kind)

    def __len__(self) -> int:
        return len(self.t)


@dataclass
class SessionData:
    info: SessionInfo
    rows: Rows
    span_s: float                       # analysed length: start .. end (or last event)
    phases: list[tuple[float, str]] = field(default_factory=list)   # (t, name)
    notes: list[tuple[float, str]] = field(default_factory=list)

    def players(self) -> list[int]:
        """Players who touched, were seated, or had a turn, ascending."""
        used = self.rows.player[np.isin(self.rows.kind, ("touch", "profile", "turn_start",
                                                         "counts"))]
        return sorted(int(p) for p in np.unique(used) if p >= 0)

    def clients(self) -> list[str]:
        return sorted({c for c in self.rows.client.tolist() if c})

    def phase_windows(self) -> list[tuple[str, list[tuple[float, float]]]]:
        """(phase name, its intervals) in order of first appearance. The time before the
        first phase mark is phase ``none``; a name used twice is one phase."""
        marks = sorted(self.phases)
        if not marks:
            return []
        bounds = [(0.0, "none")] + marks if marks[0][0] > 0 else marks
        out: dict[str, list] = {}
        for i, (t, name) in enumerate(bounds):
            end = bounds[i + 1][0] if i + 1 < len(bounds) else self.span_s
            if end > t:
                out.setdefault(name, []).append((t, end))
        return list(out.items())


def load_session(conn: sqlite3.Connection, info: SessionInfo) -> SessionData:
    """Read one session's events (one query; fast enough for 10^6 rows)."""
    data = report_rows(conn, info.id)
    if data:
        t_ns, kind, player, pad, client, detail, board, electrode = zip(*data)
    else:
        t_ns = kind = player = pad = client = detail = board = electrode = ()
    t = (np.asarray(t_ns, dtype=np.int64) - info.started_ns) / NS
    rows = Rows(t, np.asarray(kind, dtype=object), np.asarray(player, dtype=np.int64),
                np.asarray(pad, dtype=np.int64), np.asarray(client, dtype=object),
                np.asarray(detail, dtype=object), np.asarray(board, dtype=np.int64),
                np.asarray(electrode, dtype=np.int64))
    if info.ended_ns is not None:
        span = (info.ended_ns - info.started_ns) / NS
    else:   # never ended (power cut): up to its last event
        span = float(t[-1]) if len(t) else 0.0
    span = max(span, float(t[-1]) if len(t) else 0.0)
    phase = rows.of("phase")
    note = rows.of("note")
    return SessionData(info, rows, span,
                       list(zip(phase.t.tolist(), phase.detail.tolist())),
                       list(zip(note.t.tolist(), note.detail.tolist())))
