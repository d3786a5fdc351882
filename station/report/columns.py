"""Who sat where, and when: one *column* per client at a player in a session.

A swap starts a new column: a player position that held ``alex`` and then ``jo`` gives
two columns, each with its own seated time. A column's **available** time is the time
its client was seated *and* the player's board was online; every rate, share and
silence is over it (docs/metrics.md).

* Seating comes from the journal's ``profile`` rows (``use:...`` seats the row's client,
  ``use:no_journal_consent`` a client without journal consent, ``empty`` nobody). A
  journal without them (hand-made, or older) seats each client from 0, or from their
  first row after another client's.
* A player cannot play while their board is stopped (a ``board_lost``,
  ``board_missing`` or ``board_overcurrent`` fault, to its ``board_recovered``) or while
  every pad they play is out of range (``electrode_out_of_range`` to
  ``electrode_in_range``: the chip's calibration failed on that electrode). A player's
  board is the one their touches came from, else the station's wiring convention (player
  N on 0x59 + N); the pads they play are the electrodes their touches came from (none
  touched: any out-of-range electrode of the board stops them).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from station.config.consent import Consent, from_detail
from station.core.details import NO_CONSENT, decode
from station.report.data import SessionData
from station.report.intervals import Interval, intersect, normal, subtract, total
from station.report.restarts import gaps

ANON = "(no journal consent)"       # the column key of a client without journal consent
OFFLINE = ("board_lost", "board_missing", "board_overcurrent")   # the whole board stops
OUT_OF_RANGE, IN_RANGE = "electrode_out_of_range", "electrode_in_range"


@dataclass
class Column:
    player: int
    client: str                      # pseudonym; "" for a client without journal consent
    role: str                        # client | therapist
    seated: list[Interval]
    available: list[Interval]        # seated and board online
    consent: Consent | None = None   # as journaled at the seating (None: not journaled)
    counts: dict = field(default_factory=dict)   # anonymous counts (no journal consent)

    @property
    def anonymous(self) -> bool:
        return self.client == ""

    @property
    def partner(self) -> bool:
        return self.role == "therapist"

    @property
    def seated_s(self) -> float:
        return total(self.available)

    def who(self) -> str:
        if self.partner:
            return "partner (therapist)"
        return "client without journal consent" if self.anonymous else self.client


def seat_changes(d: SessionData, player: int) -> list[tuple[float, str | None]]:
    """(time, client key) of each seat change at ``player``; key None: nobody."""
    r = d.rows
    mine = r.player == player
    prof = r.where(mine & (r.kind == "profile"))
    out: list[tuple[float, str | None]] = []
    for t, client, text in zip(prof.t, prof.client, prof.detail):
        change = decode("profile", text)
        if change == NO_CONSENT:
            out.append((float(t), ANON))
        elif change.what == "use":
            out.append((float(t), client or ANON))
        elif change.what == "empty":
            out.append((float(t), None))
    # Rows with a client before the first seating (or with no seating rows at all):
    # seat that client from the start, and each later client from their first row.
    tagged = r.where(mine & (r.client != "") & np.isin(r.kind, ("touch", "note_on",
                                                                 "suppressed", "release")))
    first_change = out[0][0] if out else np.inf
    t, who = tagged.t[tagged.t < first_change], tagged.client[tagged.t < first_change]
    if not len(t):
        return out
    new = np.concatenate(([0], np.flatnonzero(who[1:] != who[:-1]) + 1))
    inferred = [(0.0 if i == 0 else float(t[i]), str(who[i])) for i in new]
    return inferred + out


def board_of(d: SessionData, player: int) -> int:
    r = d.rows
    boards = r.board[(r.player == player) & (r.kind == "touch") & (r.board >= 0)]
    if len(boards):
        values, counts = np.unique(boards, return_counts=True)
        return int(values[np.argmax(counts)])
    return 0x59 + player


def outages(d: SessionData, board: int) -> list[Interval]:
    """Times ``board`` was stopped in the session (lost, missing, over-current)."""
    r = d.rows
    return _spans(d, r.where((r.kind == "fault") & (r.board == board)), OFFLINE,
                  ("board_recovered",))


def out_of_range(d: SessionData, board: int, electrode: int) -> list[Interval]:
    """Times one electrode of ``board`` was out of range in the session."""
    r = d.rows
    return _spans(d, r.where((r.kind == "fault") & (r.board == board)
                             & (r.electrode == electrode)),
                  (OUT_OF_RANGE,), (IN_RANGE, "board_recovered"))


def _spans(d: SessionData, faults, starts: tuple[str, ...], ends: tuple[str, ...]
           ) -> list[Interval]:
    """From each fault named in ``starts`` to the next named in ``ends`` (or the end)."""
    out, since = [], None
    for t, text in zip(faults.t, faults.detail):
        name = decode("fault", text).name
        if name in starts and since is None:
            since = float(t)
        elif name in ends and since is not None:
            out.append((since, float(t)))
            since = None
    if since is not None:
        out.append((since, d.span_s))
    return out


def unavailable(d: SessionData, player: int) -> list[Interval]:
    """When ``player`` could not play at all: their board stopped, or every pad they
    play out of range (docs/metrics.md, available time)."""
    r, board = d.rows, board_of(d, player)
    mine = r.where((r.player == player) & (r.kind == "touch") & (r.board == board))
    played = {int(e) for e in mine.electrode if e >= 0}
    faults = r.where((r.kind == "fault") & (r.board == board) & (r.electrode >= 0))
    broken = {int(e) for e in faults.electrode}
    pads = played or broken
    stopped: list[Interval] = []
    if pads and pads <= broken:     # every pad they play had a range fault at some time
        per_pad = [out_of_range(d, board, e) for e in sorted(pads)]
        stopped = per_pad[0]
        for spans in per_pad[1:]:
            stopped = intersect(stopped, spans)
    return normal(outages(d, board) + stopped)


def columns(d: SessionData) -> list[Column]:
    """Every client column of the session, by player, then by seating time."""
    out = []
    for p in d.players():
        changes = seat_changes(d, p)
        spans: dict[str, list[Interval]] = {}
        for i, (t, key) in enumerate(changes):
            end = changes[i + 1][0] if i + 1 < len(changes) else d.span_s
            if key is not None:
                spans.setdefault(key, []).append((t, max(t, end)))
        down = normal(unavailable(d, p) + gaps(d))    # + the station restarting
        for key, raw in spans.items():
            seated = normal(raw)
            if not seated and key != ANON:
                continue
            client = "" if key == ANON else key
            col = Column(p, client, d.info.role(p), seated, subtract(seated, down),
                         _consent(d, p, client), _counts(d, p) if key == ANON else {})
            out.append(col)
    out.sort(key=lambda c: (c.player, c.seated[0][0] if c.seated else 0.0))
    return out


def _consent(d: SessionData, player: int, client: str) -> Consent | None:
    r = d.rows
    rows = r.where((r.kind == "consent") & (r.player == player) & (r.client == client))
    return from_detail(decode("consent", rows.detail[-1])) if len(rows) else None


def _counts(d: SessionData, player: int) -> dict:
    r = d.rows
    total_counts: Counter = Counter()
    for text in r.where((r.kind == "counts") & (r.player == player)).detail:
        counts = decode("counts", text)
        if isinstance(counts, dict):
            total_counts.update({k: v for k, v in counts.items()
                                 if isinstance(v, (int, float))})
    return dict(total_counts)


def phase_of(d: SessionData, name: str | None) -> list[Interval]:
    """The intervals of phase ``name`` (None or ``all``: the whole session)."""
    if name in (None, "all"):
        return [(0.0, d.span_s)] if d.span_s > 0 else []
    return dict(d.phase_windows()).get(name, [])


def available_in(col: Column, window: list[Interval]) -> list[Interval]:
    return intersect(col.available, window)
