"""One seated client's stretch of a session: the raw touches and releases of one player.

``seated_stretch(conn, info, player, from_s, to_s)`` finds who sat at ``player`` (the
journal's ``profile`` rows: ``use:<version>`` seats a client, ``empty`` empties the
seat, a refused profile changes nothing) and returns the stretch of that seating that
``from_s``/``to_s`` (seconds from the session's start) select: without them, the seating
with the most touches. Every raw edge of the player is read, also those from before the
seating, so a hand already resting on a pad when the client sat down is known (``held``).

Raw edges are the journal's ``touch``/``release`` rows: what the chip reported, before
any filter. Times are ns on the station clock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from station.core.details import SeatChange, decode
from station.core.errors import JournalError
from station.core.events import PROFILE
from station.journal.reader import SessionInfo

NS = 1_000_000_000


@dataclass
class Stretch:
    session: int
    player: int
    client: str                  # the journal's pseudonym
    version: str                 # the profile version that was seated ("" if unknown)
    start_ns: int
    end_ns: int
    started_ns: int              # the session's start (for seconds in messages)
    held: list[int] = field(default_factory=list)          # pads in contact at start
    edges: list[tuple[int, str, int]] = field(default_factory=list)   # (t, kind, pad)

    @property
    def span_s(self) -> float:
        return (self.end_ns - self.start_ns) / NS

    def seconds(self, t_ns: int) -> float:
        return (t_ns - self.started_ns) / NS


def seated_stretch(conn: sqlite3.Connection, info: SessionInfo, player: int,
                   from_s: float | None = None, to_s: float | None = None) -> Stretch:
    """The stretch asked for (see the module docstring); JournalError in plain words."""
    rows = conn.execute("SELECT t_ns, kind, pad, client, detail FROM events WHERE "
                        "session_id = ? AND player = ? AND kind IN ('touch', 'release', "
                        "'profile') ORDER BY t_ns, id", (info.id, player)).fetchall()
    end = info.ended_ns if info.ended_ns is not None else max(
        [t for t, *_ in rows] + [info.started_ns])
    seatings: list[list] = []            # [start, end, client, version]
    for t, kind, _pad, client, text in rows:
        change = decode(PROFILE, text) if kind == PROFILE else None
        if not isinstance(change, SeatChange) or change.what == "refused":
            continue
        if seatings and seatings[-1][1] is None:
            seatings[-1][1] = t
        if change.seated and client:
            seatings.append([t, None, client, change.text])
    if not seatings:
        raise JournalError(f"session {info.id}: no client was seated at player {player}. "
                           f"'station export --session {info.id} --format csv' shows who "
                           f"played where.")
    for s in seatings:
        s[1] = end if s[1] is None else s[1]
    edges = [(t, kind, pad) for t, kind, pad, _c, _d in rows
             if kind in ("touch", "release") and pad is not None]
    if from_s is not None:
        at = info.started_ns + int(from_s * NS)
        chosen = next((s for s in seatings if s[0] <= at < s[1]), None)
        if chosen is None:
            raise JournalError(f"session {info.id}: nobody was seated at player {player} "
                               f"{from_s:g} s into the session. Seated: "
                               + "; ".join(f"{(s[0] - info.started_ns) / NS:.0f}-"
                                           f"{(s[1] - info.started_ns) / NS:.0f} s"
                                           for s in seatings) + ".")
    else:
        chosen = max(seatings, key=lambda s: sum(1 for t, k, _ in edges
                                                 if k == "touch" and s[0] <= t < s[1]))
    start, stop, client, version = chosen
    if from_s is not None:
        start = max(start, info.started_ns + int(from_s * NS))
    if to_s is not None:
        stop = min(stop, info.started_ns + int(to_s * NS))
    if stop <= start:
        raise JournalError(f"--from {from_s} --to {to_s}: the stretch is empty; give --to "
                           f"after --from, both in seconds from the session's start.")
    down: set[int] = set()
    for t, kind, pad in edges:
        if t >= start:
            break
        (down.add if kind == "touch" else down.discard)(pad)
    return Stretch(info.id, player, client, version, start, stop, info.started_ns,
                   sorted(down), [e for e in edges if start <= e[0] <= stop])
