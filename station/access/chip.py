"""What a seat's filters ask of its MPR121: thresholds, touched pads, recalibration.

The engine holds an optional ``hardware`` handle (a ``hardware.io.Hardware``; None in
pure-logic tests). When a client takes a place, ``apply_thresholds`` writes each pad's
sensitivity to the chip and ``touched_pads`` finds pads already held (a resting hand).
``Recalibrator`` re-takes an electrode's baseline when a filter asks (a touch held
``long_touch_s`` without a lift) and then *re-arms* it: the chip now counts the resting hand as "no
touch", so when the hand lifts the pad would need an even firmer touch. Re-taking the
baseline every ``REARM_NS`` while the pad reads untouched (for ``REARM_FOR_NS``) brings
it back to normal within half a second of the lift. (A real MPR121 with fast rising
baseline tracking recovers by itself; the re-arm makes it certain, and the simulator,
which has no tracking, needs it.)
"""

from __future__ import annotations

import logging

from station.access.rules import rules_for, thresholds

log = logging.getLogger("station")
REARM_NS = 500_000_000           # 0.5 s between re-arms
REARM_FOR_NS = 60_000_000_000    # re-arm for a minute after a recalibration


def pad_electrodes(player) -> dict[int, int]:
    """pad -> electrode of a ``config.Player`` (its switch pad has none)."""
    return dict(enumerate(player.electrodes)) if player.board is not None else {}


def apply_thresholds(hardware, player, touch: dict) -> None:
    """Write every pad's sensitivity to the chip (remembered if the board is offline)."""
    if hardware is None or player.board is None:
        return
    for pad, electrode in pad_electrodes(player).items():
        t, r = thresholds(rules_for(touch, pad).sensitivity)
        if hardware.thresholds(player.board, electrode) != (t, r):
            hardware.set_thresholds(player.board, electrode, t, r)


def touched_pads(hardware, player) -> list[int]:
    """Pads of ``player`` the chip reports touched right now."""
    if hardware is None or player.board is None:
        return []
    mask = hardware.touched_mask(player.board)
    return [pad for pad, e in pad_electrodes(player).items() if mask >> e & 1]


class Recalibrator:
    """Recalibrates electrodes on request and re-arms them afterwards (see module doc)."""

    def __init__(self, engine) -> None:
        self._engine = engine          # its ``hardware`` attribute is read at each use
        self._rearm: dict[tuple[int, int], tuple[int, int]] = {}  # (board, e) -> (next, end)

    def request(self, seat, pads: list[int], now: int, reason: str) -> None:
        """Recalibrate the electrodes of ``pads`` of ``seat`` now, and re-arm them."""
        hardware = self._engine.hardware
        if hardware is None or seat.player.board is None:
            return
        electrodes = pad_electrodes(seat.player)
        chosen = sorted({electrodes[p] for p in pads if p in electrodes})
        if not chosen:
            return
        log.info("player %d: recalibrating electrode(s) %s of board %#x (%s)",
                 seat.player.player, chosen, seat.player.board, reason)
        hardware.recalibrate(seat.player.board, chosen)
        for e in chosen:
            self._rearm[(seat.player.board, e)] = (now + REARM_NS, now + REARM_FOR_NS)

    def forget(self, board: int | None) -> None:
        """A new client sits at this board: earlier re-arms are moot."""
        for key in [k for k in self._rearm if k[0] == board]:
            del self._rearm[key]

    def next_deadline(self) -> int | None:
        return min((t for t, _ in self._rearm.values()), default=None)

    def tick(self, now: int) -> None:
        hardware = self._engine.hardware
        due = [k for k, (t, _) in self._rearm.items() if t <= now]
        for board, e in due:
            _, end = self._rearm[(board, e)]
            if hardware is not None and not hardware.touched_mask(board) >> e & 1:
                hardware.recalibrate(board, [e])
            if now + REARM_NS > end:
                del self._rearm[(board, e)]
            else:
                self._rearm[(board, e)] = (now + REARM_NS, end)
