"""What a seat's filters ask of its touch chip: thresholds, touched pads, recalibration.

The engine holds an optional ``hardware`` handle (a ``hardware.io.Hardware``; None in
pure-logic tests). When a client takes a place, ``apply_thresholds`` writes each pad's
sensitivity to the chip (the board's chip converts the 0..1 sensitivity into its own
units: ``Hardware.sensitivity_thresholds``) and ``touched_pads`` finds pads already held
(a resting hand).
``Recalibrator`` re-takes an electrode's baseline when a filter asks (a touch held
``long_touch_s`` without a lift). If that touch was a resting hand, the chip now counts
the hand as "no touch", and once it lifts the pad would need an even firmer touch
until the chip's baseline tracking caught up (about 1.5 s). So the hardware is also
asked to watch those electrodes (``Hardware.watch_lift``, for a minute): the moment
the data stands above the new baseline the baseline is re-taken again, and the next
touch sounds.
"""

from __future__ import annotations

import logging

from station.access.rules import TouchRules

log = logging.getLogger("station")


def pad_electrodes(player) -> dict[int, int]:
    """pad -> electrode of a ``config.Player`` (its switch pad has none)."""
    return dict(enumerate(player.electrodes)) if player.board is not None else {}


def apply_thresholds(hardware, player, rules: TouchRules) -> None:
    """Write every pad's sensitivity to the chip (remembered if the board is offline)."""
    if hardware is None or player.board is None:
        return
    for pad, electrode in pad_electrodes(player).items():
        t, r = hardware.sensitivity_thresholds(player.board, rules.of(pad).sensitivity)
        if hardware.thresholds(player.board, electrode) != (t, r):
            hardware.set_thresholds(player.board, electrode, t, r)


def touched_pads(hardware, player) -> list[int]:
    """Pads of ``player`` the chip reports touched right now."""
    if hardware is None or player.board is None:
        return []
    mask = hardware.touched_mask(player.board)
    return [pad for pad, e in pad_electrodes(player).items() if mask >> e & 1]


class Recalibrator:
    """Recalibrates electrodes on request and has them watched for a lifting hand."""

    def __init__(self, hardware) -> None:
        self.hardware = hardware       # a ``hardware.io.Hardware``, or None (no chip)

    def request(self, seat, pads: list[int], now: int, reason: str) -> None:
        """Recalibrate the electrodes of ``pads`` of ``seat`` now, then watch them."""
        hardware = self.hardware
        if hardware is None or seat.player.board is None:
            return
        electrodes = pad_electrodes(seat.player)
        chosen = sorted({electrodes[p] for p in pads if p in electrodes})
        if not chosen:
            return
        log.info("player %d: recalibrating electrode(s) %s of board %#x (%s)",
                 seat.player.player, chosen, seat.player.board, reason)
        hardware.recalibrate(seat.player.board, chosen)
        hardware.watch_lift(seat.player.board, chosen, now)
