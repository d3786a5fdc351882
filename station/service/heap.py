"""The daemon's heap: no full garbage collection on the touch-to-sound path.

CPython's collector stops every thread while it scans. A young collection (generation
0: the few hundred container objects made since the last one) takes tens of µs; a full
one scans every container object of the process: ~5 ms on a 2-core PC for the
daemon's start-up heap (modules, config, soundfont tables), more on a Pi, and it comes
whenever enough objects have survived, i.e. in the middle of play.

``settle()`` runs once start-up is done: one full collection (start-up's garbage goes
now, not later), then ``gc.freeze()`` moves everything left to the permanent
generation, which no collection scans again, and the thresholds are set so that the
collector never starts a full collection by itself (``OLD``). Young and middle
collections stay automatic and short (``YOUNG``, ``MIDDLE``): they collect the
touch path's short-lived cycles. What survives them and later becomes cyclic garbage
waits for ``IdleSweep``: a full collection of the (small, unfrozen) rest of the heap,
run by the engine's loop only when no pad has been touched for ``QUIET_NS`` and at most
every ``EVERY_NS``, so its pause never meets a touch in play.
"""

from __future__ import annotations

import gc

YOUNG = 700               # CPython's default: young collections stay tens of µs
MIDDLE = 10
OLD = 1_000_000           # middle collections before a full one: never, in practice
QUIET_NS = 2_000_000_000  # no touch for 2 s: a full collection cannot meet one
EVERY_NS = 60_000_000_000
_planned = False          # a collection of ours is running (for gc.callbacks watchers)


def planned() -> bool:
    """True while ``settle`` or ``IdleSweep`` runs its own full collection: a watcher
    of ``gc.callbacks`` (the bench) can tell those from the collector's own."""
    return _planned


def _collect() -> None:
    global _planned
    _planned = True
    try:
        gc.collect()
    finally:
        _planned = False


def settle() -> tuple[int, int, int]:
    """Collect start-up's garbage, freeze what lives, set the thresholds (see above).
    Returns the thresholds it replaced (for ``restore``)."""
    before = gc.get_threshold()
    _collect()
    gc.freeze()
    gc.set_threshold(YOUNG, MIDDLE, OLD)
    return before


def restore(thresholds: tuple[int, int, int]) -> None:
    """The thresholds ``settle`` replaced, back (a daemon run inside a longer process:
    the tests, the bench). What was frozen stays frozen, as it is still alive."""
    gc.set_threshold(*thresholds)


class IdleSweep:
    """A full collection when the station is idle (see the module docstring).

    ``maybe(now, last_touch_ns)``: station ns now and of the last touch (None: never
    touched); collects and returns True when due. Engine thread only."""

    def __init__(self, now: int, *, quiet_ns: int = QUIET_NS, every_ns: int = EVERY_NS) -> None:
        self.quiet_ns, self.every_ns = quiet_ns, every_ns
        self.last = now
        self.sweeps = 0

    def maybe(self, now: int, last_touch_ns: int | None) -> bool:
        if now - self.last < self.every_ns:
            return False
        if last_touch_ns is not None and now - last_touch_ns < self.quiet_ns:
            return False
        _collect()
        self.last = now
        self.sweeps += 1
        return True
