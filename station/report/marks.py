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
from station.report.columns import ANON, board_of, seat_changes
from station.report.data import SessionData


@dataclass(frozen=True)
class Mark:
    t: float              # seconds from the session's start
    kind: str             # outage, recovery, swap, refused, mode, phase, note, fault
    text: str


def _refused_words(why: str, client: str | None, who: Callable[[str], str]) -> str:
    """A refusal's row -> ``of Alex (3 problems)``: the client named at report time from
    the row's pseudonym (``who``: pseudonym -> how the report shows them). The row holds
    only the count of problems (older journals: the file's path, whose name is not used)."""
    n = problem_count(why)
    problems = f" ({refusal_words(why)})" if n is None else \
        f" ({n} problem{'s' * (n != 1)})"
    return f"of {who(client) if client else 'a client'}{problems}"


def marks(d: SessionData, named: Callable[[str], str] = str) -> list[Mark]:
    """The session's marks in time order; ``named``: how to show a pseudonym (a name)."""
    r = d.rows
    out: list[Mark] = []
    owner = {board_of(d, p): p for p in d.players()}
    for t, board, detail in zip(*(a[r.kind == "fault"] for a in (r.t, r.board, r.detail))):
        where = f"board {board:#04x}".replace("0X", "0x") if board >= 0 else "station"
        who = f" (player {owner[board]})" if board in owner else ""
        name = decode("fault", detail).name
        if name in ("board_lost", "board_missing"):
            out.append(Mark(t, "outage", f"{where}{who} offline: its pads cannot play"))
        elif name == "board_recovered":
            out.append(Mark(t, "recovery", f"{where}{who} back online"))
        else:
            out.append(Mark(t, "fault", f"{where}: {detail.replace('_', ' ')}"))
    for p in d.players():
        changes = list(seat_changes(d, p))
        for (_, before), (t, key) in zip(changes, changes[1:]):
            if key != before and t > 0:
                now = "a client without journal consent" if key == ANON else \
                    (named(key) if key else "nobody")
                out.append(Mark(t, "swap", f"player {p}: {now} seated"
                                + (f" (was {named(before)})" if before and before != ANON
                                   else "")))
    prof = r.where(r.kind == "profile")
    for t, p, client, detail in zip(prof.t, prof.player, prof.client, prof.detail):
        change = decode("profile", detail)
        if change.what == "refused":
            words = _refused_words(change.text or "", client or None, named)
            out.append(Mark(t, "refused", f"player {p}: profile {words} "
                                          f"refused; the seated client played on"))
    turns = r.where(np.isin(r.kind, ("turn_start", "turn_end")))
    seen = set()
    for t, kind, detail in zip(turns.t, turns.kind, turns.detail):
        turn = decode(kind, detail)
        if turn.reason == "mode" and turn.mode is not None and (t, turn) not in seen:
            seen.add((t, turn))
            out.append(Mark(t, "mode", f"turn mode: {turn.mode.replace('_', ' ')}"))
    for t, name in d.phases:
        out.append(Mark(t, "phase", f"phase: {name}"))
    for t, text in d.notes:
        out.append(Mark(t, "note", f"note: {text}"))
    out.sort(key=lambda m: m.t)
    return out
