"""A session's journal rows as NumPy arrays, and the slice of them that is one subject.

A *subject* is what a metric describes: one player position in one session (the
per-session report) or one client in one session (the across-sessions trend; the
client's rows at the position they played most). Times are seconds from the session's
start (float64), so metric formulas read in seconds.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np

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

    def where(self, mask: np.ndarray) -> "Rows":
        return Rows(*(a[mask] for a in (self.t, self.kind, self.player, self.pad,
                                        self.client, self.detail)))

    def of(self, kind: str) -> "Rows":
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
        used = self.rows.player[np.isin(self.rows.kind, ("touch", "profile", "turn_start"))]
        return sorted(int(p) for p in np.unique(used) if p >= 0)

    def clients(self) -> list[str]:
        return sorted({c for c in self.rows.client.tolist() if c})


def load_session(conn: sqlite3.Connection, info: SessionInfo) -> SessionData:
    """Read one session's events (one query; fast enough for 10^6 rows)."""
    cur = conn.execute("SELECT t_ns, kind, coalesce(player, -1), coalesce(pad, -1), "
                       "coalesce(client, ''), coalesce(detail, '') FROM events "
                       "WHERE session_id = ? ORDER BY t_ns, id", (info.id,))
    data = cur.fetchall()
    if data:
        t_ns, kind, player, pad, client, detail = zip(*data)
    else:
        t_ns = kind = player = pad = client = detail = ()
    t = (np.asarray(t_ns, dtype=np.int64) - info.started_ns) / NS
    rows = Rows(t, np.asarray(kind, dtype=object), np.asarray(player, dtype=np.int64),
                np.asarray(pad, dtype=np.int64), np.asarray(client, dtype=object),
                np.asarray(detail, dtype=object))
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


@dataclass
class Subject:
    """The events metrics need for one subject, plus the context around it."""

    label: str
    role: str
    span_s: float
    touches: np.ndarray        # raw touch times (s)
    touch_pads: np.ndarray
    releases: np.ndarray       # raw release times (s)
    release_pads: np.ndarray
    onsets: np.ndarray         # valid touches: times of touches that sounded (s)
    onset_pads: np.ndarray
    suppressed: dict[str, int]           # reason -> count
    out_of_turn: int                     # suppressed out_of_turn + sounded quietly
    turn_starts: np.ndarray              # this subject's turns: start times (s)
    turn_ends: np.ndarray                # matching ends (s; span_s if never ended)
    others_onsets: np.ndarray            # every other player's valid touches (s)
    beats: np.ndarray                    # pulse beat times (s)
    latency_s: float                     # configured output latency
    pads: int = 12                       # pads on this player's board (for the picture)


def _first_per_touch(r: Rows) -> tuple[np.ndarray, np.ndarray]:
    """One entry per (time, pad): a chord's notes come from one touch."""
    if not len(r):
        return np.empty(0), np.empty(0, dtype=np.int64)
    key = np.rec.fromarrays([r.t, r.pad])
    _, idx = np.unique(key, return_index=True)
    idx.sort()
    return r.t[idx], r.pad[idx]


def subject(data: SessionData, player: int, client: str | None = None) -> Subject:
    """The subject ``player`` of ``data``; with ``client`` only that client's rows there."""
    r = data.rows
    mine = r.player == player
    if client is not None:
        mine &= (r.client == client) | (r.client == "")
    s = r.where(mine)
    on = s.where((s.kind == "note_on"))
    onsets, onset_pads = _first_per_touch(on)
    sup = s.of("suppressed")
    reasons, counts = np.unique(sup.detail.astype(str), return_counts=True) if len(sup) \
        else ([], [])
    quiet = int(len(_first_per_touch(on.where(on.detail == "out_of_turn"))[0]))
    starts, ends = _turns(s, data.span_s)
    others = r.where((r.kind == "note_on") & (r.player >= 0) & (r.player != player))
    touch, release = s.of("touch"), s.of("release")
    return Subject(
        label=f"player {player}" + (f" ({client})" if client else ""),
        role=data.info.role(player), span_s=data.span_s,
        touches=touch.t, touch_pads=touch.pad, releases=release.t, release_pads=release.pad,
        onsets=onsets, onset_pads=onset_pads,
        suppressed={str(k): int(v) for k, v in zip(reasons, counts)},
        out_of_turn=int(dict(zip(reasons, counts)).get("out_of_turn", 0)) + quiet,
        turn_starts=starts, turn_ends=ends, others_onsets=_first_per_touch(others)[0],
        beats=r.of("beat").t, latency_s=(data.info.latency_ms or 0.0) / 1000.0)


def _turns(s: Rows, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Pair each turn_start with the next turn_end of the same player."""
    starts = s.of("turn_start").t
    ends_all = s.of("turn_end").t
    ends = np.empty_like(starts)
    for i, t0 in enumerate(starts):
        later = ends_all[ends_all >= t0]
        nxt = starts[i + 1] if i + 1 < len(starts) else np.inf
        ends[i] = min(later[0] if len(later) else span, nxt, span)
    return starts, ends
