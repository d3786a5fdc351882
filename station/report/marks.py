"""What happened in a session besides the touches: the timeline's numbered marks.

Board outages and recoveries, client swaps, refused profiles, turn-mode changes,
phases, the therapist's notes and other station faults, each with its time and a line
of plain words. The timeline picture numbers them; the table under it says what each
number is (a picture's labels would collide, and a table prints and reads aloud).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from station.config.consent_gate import problem_count, refusal_words
from station.core.details import decode
from station.report.columns import ANON, IN_RANGE, OFFLINE, OUT_OF_RANGE, board_of, \
    seat_changes
from station.report.data import SessionData
from station.report.restarts import gaps


@dataclass(frozen=True)
class Mark:
    t: float              # seconds from the session's start
    kind: str             # outage, recovery, swap, refused, mode, phase, note, fault, restart
    text: str


def _refused_words(why: str, client: str | None, who: Callable[[str], str]) -> str:
    """A refusal's row -> ``of Alex (3 problems)``: the client named at report time from
    the row's pseudonym (``who``: pseudonym -> how the report shows them). The row holds
    only the count of problems (older journals: the file's path, whose name is not used)."""
    n = problem_count(why)
    problems = f" ({refusal_words(why)})" if n is None else \
        f" ({n} problem{'s' * (n != 1)})"
    return f"of {who(client) if client else 'a client'}{problems}"


STOP_WORDS = {"board_lost": "offline", "board_missing": "missing",
              "board_overcurrent": "stopped by an over-current (a short at the board)"}


def marks(d: SessionData, who: Callable[[str], str] = str) -> list[Mark]:
    """The session's marks in time order; ``who(pseudonym)`` names a client as the rest of
    the report does (a name where the report knows it)."""
    r = d.rows
    out: list[Mark] = []
    owner = {board_of(d, p): p for p in d.players()}
    faults = r.kind == "fault"
    for t, board, pin, detail in zip(*(a[faults] for a in (r.t, r.board, r.electrode,
                                                            r.detail))):
        where = f"board {board:#04x}".replace("0X", "0x") if board >= 0 else "station"
        player = f" (player {owner[board]})" if board in owner else ""
        name = decode("fault", detail).name
        if name in OFFLINE:
            out.append(Mark(t, "outage", f"{where}{player} {STOP_WORDS[name]}: its pads "
                                         f"cannot play"))
        elif name == "board_recovered":
            out.append(Mark(t, "recovery", f"{where}{player} back online"))
        elif name in (OUT_OF_RANGE, IN_RANGE):
            state = "out of range: it cannot sense" if name == OUT_OF_RANGE else \
                "back in range"
            out.append(Mark(t, "outage" if name == OUT_OF_RANGE else "recovery",
                            f"{where}{player}, electrode {pin}: {state}"))
        else:
            out.append(Mark(t, "fault", f"{where}: {detail.replace('_', ' ')}"))
    for p in d.players():
        changes = list(seat_changes(d, p))
        for (_, before), (t, key) in zip(changes, changes[1:]):
            if key != before and t > 0:
                now = "a client without journal consent" if key == ANON else \
                    (who(key) if key else "nobody")
                out.append(Mark(t, "swap", f"player {p}: {now} seated"
                                + (f" (was {who(before)})" if before and before != ANON
                                   else "")))
    prof = r.where(r.kind == "profile")
    for t, p, client, detail in zip(prof.t, prof.player, prof.client, prof.detail):
        change = decode("profile", detail)
        if change.what == "refused":
            words = _refused_words(change.text or "", client or None, who)
            out.append(Mark(t, "refused", f"player {p}: profile {words} "
                                          f"refused; the seated client played on"))
    turns = r.where(np.isin(r.kind, ("turn_start", "turn_end")))
    seen = set()
    for t, kind, detail in zip(turns.t, turns.kind, turns.detail):
        turn = decode(kind, detail)
        if turn.reason == "mode" and turn.mode is not None and (t, turn) not in seen:
            seen.add((t, turn))
            out.append(Mark(t, "mode", f"turn mode: {turn.mode.replace('_', ' ')}"))
    for a, b in gaps(d):
        out.append(Mark(b, "restart", f"the station was back after {b - a:.0f} s off "
                                      f"(restarted); nobody could play meanwhile"))
    for t, name in d.phases:
        out.append(Mark(t, "phase", f"phase: {name}"))
    for t, text in d.notes:
        out.append(Mark(t, "note", f"note: {text}"))
    out.sort(key=lambda m: m.t)
    return out
