"""The live pad feed: what the panel's Now screen lights up, within a few tens of ms.

``LiveFeed.observe`` is an engine listener. It runs in the engine thread after every
note has sounded, so it does the least possible: for the few kinds the panel shows it
appends one small tuple to a bounded ``deque`` (thread-safe, no lock, no wake-up call).
The panel's live-stream threads read ``since(seq)`` every ``POLL_S``; a reader that fell
further behind than the buffer holds is told to reload the whole state instead.

Items: ``(seq, kind, player, pad)`` with kind ``t`` (touched), ``r`` (released),
``on`` / ``off`` (the pad's note started / ended), ``x`` (a touch held back), or
``s`` (something the Now screen shows changed: a turn, a profile, a fault; pad None), or
``m`` (a message in plain words in the pad's place: the iso loop met the client again).
``faults`` keeps the last ``FAULTS`` hardware faults and recoveries for the Station screen
as ``(wall-clock s, board, detail)``.

The heartbeat: a live stream with nothing to send sends a ``beat`` event every
``HEARTBEAT_S`` (its data: the station's boot id, new at every start). The page
(``static/live.js``) takes ``LOST_S`` without a word from the stream as "the station is
not answering": a banner, the controls disabled, and reconnecting until it answers; a new
boot id tells it the station restarted meanwhile.
"""

from __future__ import annotations

import collections
import itertools
import time

from station.core.details import BackingMeet, encode
from station.core.events import (
    BACKING,
    FAULT,
    NOTE_OFF,
    NOTE_ON,
    PROFILE,
    RELEASE,
    SUPPRESSED,
    TOUCH,
    TURN_END,
    TURN_START,
)

CAPACITY = 2048            # items kept: a second of 48 trembling pads, and then some
POLL_S = 0.02              # how often a live stream looks for new items
HEARTBEAT_S = 1.0          # a quiet stream says it is alive this often (s)
LOST_S = 2.0               # the page's bound, in static/live.js (s): two missed beats
FAULTS = 20
_SHORT = {TOUCH: "t", RELEASE: "r", NOTE_ON: "on", NOTE_OFF: "off", SUPPRESSED: "x"}
_STATE = frozenset({PROFILE, FAULT, TURN_START, TURN_END})


class LiveFeed:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._items: collections.deque = collections.deque(maxlen=capacity)
        self._count = itertools.count(1)
        self.last = 0               # seq of the newest item (0: none yet)
        self.faults: collections.deque = collections.deque(maxlen=FAULTS)

    def observe(self, event) -> None:
        """Engine listener (engine thread): keep what the panel shows, nothing else."""
        kind = _SHORT.get(event.kind)
        if kind is not None:
            if event.player is None or event.pad is None:
                return
            if kind in ("on", "off") and self._items and self._items[-1][1:] == \
                    (kind, event.player, event.pad):
                return              # a chord: one item per pad is enough
            item = (next(self._count), kind, event.player, event.pad)
        elif event.kind == BACKING and isinstance(event.detail, BackingMeet):
            item = (next(self._count), "m", event.player, meet_words(event.player,
                                                                     event.detail))
        elif event.kind in _STATE:
            item = (next(self._count), "s", event.player, None)
            if event.kind == FAULT:
                self.faults.append((time.time(), event.board, encode(FAULT, event.detail)))
        else:
            return
        self._items.append(item)
        self.last = item[0]

    def since(self, seq: int) -> tuple[list[tuple], bool]:
        """Items newer than ``seq`` and whether the reader missed some (then reload)."""
        last = self.last
        if last <= seq:
            return [], False
        items = self._items.copy()       # atomic under the GIL: the engine may append
        if not items:
            return [], False
        missed = items[0][0] > seq + 1
        return [i for i in items if i[0] > seq], missed


def meet_words(player: int | None, meet: BackingMeet) -> str:
    """The panel's line for the iso loop meeting a client again."""
    who = f"Player {player}" if player is not None else "The client"
    return (f"{who} was not with the beat for {meet.bars} bars: the pulse eases from "
            f"{meet.from_bpm:g} to their own tempo, {meet.to_bpm:g} BPM.")
