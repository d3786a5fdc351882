"""What the metrics see of one column in one phase: a *subject*.

A subject is a client column (``station.report.columns``) limited to a phase (or the
whole session): its available time there, and its touches, notes, turns and the beats
of that time. Times are seconds from the session's start.

*Valid touches* are touches that sounded (``note_on`` rows, one per (time, pad): a chord
from one touch counts once), timed at the **contact** of their touch (the last ``touch``
row of that pad at or before the note), so a ``dwell_ms`` filter that delays the sound
does not delay the timing of the gesture.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from station.report.columns import Column
from station.report.data import Rows, SessionData
from station.report.intervals import Interval, inside, intersect


@dataclass
class Subject:
    role: str
    windows: list[Interval]            # available (seated, board online) in the phase
    touches: np.ndarray                # raw touch times in the phase (s)
    touch_pads: np.ndarray
    releases: np.ndarray               # every release of the column (s), for holds
    release_pads: np.ndarray
    onsets: np.ndarray                 # valid touches: contact times, sorted (s)
    onset_pads: np.ndarray
    suppressed: dict[str, int]         # reason -> count
    out_of_turn: int                   # held back out of turn + sounded quietly out of turn
    turns: list[Interval]              # own turns starting in the phase: (start, end)
    turn_edges: np.ndarray             # every own turn start and end (phrase boundaries)
    others_onsets: np.ndarray          # other players' notes (s)
    beats: np.ndarray                  # beat times in the phase (s): when each sounded
    anonymous: bool = False                      # a client without journal consent ...
    counts: dict = field(default_factory=dict)   # ... and their counts (whole session only)

    @property
    def seated_s(self) -> float:
        return float(sum(b - a for a, b in self.windows))


def first_per_touch(r: Rows) -> tuple[np.ndarray, np.ndarray]:
    """One entry per (time, pad): a chord's notes come from one touch."""
    if not len(r):
        return np.empty(0), np.empty(0, dtype=np.int64)
    key = np.rec.fromarrays([r.t, r.pad])
    _, idx = np.unique(key, return_index=True)
    idx.sort()
    return r.t[idx], r.pad[idx]


def contact_times(notes: np.ndarray, note_pads: np.ndarray, touches: np.ndarray,
                  touch_pads: np.ndarray) -> np.ndarray:
    """The contact time of each note's touch: the last touch of its pad at or before it."""
    out = notes.astype(float).copy()
    for pad in np.unique(note_pads):
        down = np.sort(touches[touch_pads == pad])
        sel = note_pads == pad
        if not len(down):
            continue
        k = np.searchsorted(down, notes[sel], side="right") - 1
        out[sel] = np.where(k >= 0, down[np.maximum(k, 0)], notes[sel])
    return out


def subject(d: SessionData, col: Column, phase: list[Interval] | None = None) -> Subject:
    """The subject of ``col`` within ``phase`` (None: the whole session)."""
    r = d.rows
    whole = phase is None
    phase = [(0.0, d.span_s)] if phase is None else phase
    windows = intersect(col.available, phase)
    seated = intersect(col.seated, phase)
    mine = (r.player == col.player) & (r.client == col.client)
    s = r.where(mine & inside(r.t, col.seated) & bool(col.client))
    in_phase = inside(s.t, phase)
    touch = s.where((s.kind == "touch") & in_phase)
    all_touch = s.of("touch")
    release = s.of("release")
    notes, note_pads = first_per_touch(s.where((s.kind == "note_on") & in_phase))
    onsets = contact_times(notes, note_pads, all_touch.t, all_touch.pad)
    order = np.argsort(onsets, kind="stable")
    sup = s.where((s.kind == "suppressed") & in_phase)
    reasons, counts = np.unique(sup.detail.astype(str), return_counts=True) if len(sup) \
        else (np.empty(0, str), np.empty(0, int))
    quiet_rows = s.where((s.kind == "note_on") & in_phase & (s.detail == "out_of_turn"))
    quiet = len(first_per_touch(quiet_rows)[0])
    turn_rows = r.where((r.player == col.player) & inside(r.t, col.seated))
    starts, ends = _turns(turn_rows, d.span_s)
    own = [(float(a), float(b)) for a, b, ok in zip(starts, ends, inside(starts, seated))
           if ok]
    others = r.where((r.kind == "note_on") & (r.player >= 0) & (r.player != col.player))
    other_t = np.unique(np.rec.fromarrays([others.t, others.pad, others.player]))
    beats = r.t[(r.kind == "beat")]
    return Subject(
        role=col.role, windows=windows, touches=touch.t, touch_pads=touch.pad,
        releases=release.t, release_pads=release.pad,
        onsets=onsets[order], onset_pads=note_pads[order],
        suppressed={str(k): int(v) for k, v in zip(reasons, counts)},
        out_of_turn=int(dict(zip(reasons, counts)).get("out_of_turn", 0)) + quiet,
        turns=own, turn_edges=np.sort(np.concatenate((starts, ends))),
        others_onsets=np.sort(other_t["f0"]) if len(other_t) else np.empty(0),
        beats=beats[inside(beats, phase)], anonymous=col.anonymous and not col.partner,
        counts=dict(col.counts) if whole else {})


def _turns(s: Rows, span: float) -> tuple[np.ndarray, np.ndarray]:
    """Pair each turn_start with the next turn_end of the same player."""
    starts = s.of("turn_start").t
    ends_all = s.of("turn_end").t
    ends = np.empty_like(starts)
    for i, t0 in enumerate(starts):
        later = ends_all[ends_all > t0]
        nxt = starts[i + 1] if i + 1 < len(starts) else np.inf
        ends[i] = min(later[0] if len(later) else span, nxt, span)
    return starts, ends
