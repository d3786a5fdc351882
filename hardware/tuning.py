"""Tuning a board's pads: its chip, thresholds (from the therapist's sensitivity),
recalibration and how firmly a touch landed.

``io.Hardware`` inherits these; they go through the board's ``touchchip.TouchChip``, so
the units are the chip's own (the MPR121's counts, the CAP1188's delta counts) and
``sensitivity_thresholds`` converts the therapist's one unit (sensitivity 0..1).
"""

from __future__ import annotations

from .touchchip import TouchChip


class Tuning:
    """Mixed into ``io.Hardware`` (uses its ``_board``, ``_bus``, ``_clock``, ``_lose``,
    ``_restarted``, ``spec``)."""

    def chip_type(self, address: int) -> type[TouchChip]:
        """The class of a board's touch chip (``touchchip.TouchChip``: its facts)."""
        return type(self._board(address))

    def sensitivity_thresholds(self, address: int, sensitivity: float) -> tuple[int, int]:
        """(touch, release) thresholds, in the board's chip's units, for a sensitivity
        0..1 (the therapist's one unit)."""
        return self._board(address).sensitivity_thresholds(sensitivity)

    def set_thresholds(self, address: int, electrode: int, touch: int, release: int) -> None:
        """Touch/release thresholds of one electrode in its chip's units (MPR121: counts
        0..255, release <= touch; ``chip_type(address).threshold_limits``). Baselines are
        kept, so held pads stay held. Remembered across board loss."""
        board = self._board(address)
        board.check_electrode(electrode)
        board.check_thresholds(touch, release)
        with self._bus():
            now = self._clock.now_ns()
            try:
                board.set_thresholds(electrode, touch, release)
            except OSError:
                self._lose(board, now)
                return
            if board.online and board.restarts_on_write:
                self._restarted(board, now, baselines_loaded=False)

    def thresholds(self, address: int, electrode: int) -> tuple[int, int]:
        """The (touch, release) thresholds wanted for an electrode."""
        board = self._board(address)
        return board.thresholds(board.check_electrode(electrode))

    def recalibrate(self, address: int, electrodes=None) -> None:
        """Re-take baselines from the current data (all electrodes, or an iterable of
        some). The chip restarts: the touched mask is re-read, and the changes emitted,
        once its first samples are in (the chip's ``settle_ns`` later, by ``tick``). After
        re-taking all of them, pads are watched for hands lifting. No-op if offline or
        the chip cannot recalibrate."""
        board = self._board(address)
        chosen = None if electrodes is None else [board.check_electrode(e) for e in electrodes]
        with self._bus():
            if not board.online or not board.can_recalibrate:
                return
            now = self._clock.now_ns()
            try:
                board.recalibrate(chosen)
            except OSError:
                self._lose(board, now)
                return
            self._restarted(board, now, baselines_loaded=chosen is None)

    def strength(self, address: int, electrode: int) -> float:
        """How fast and firmly a touch landed, 0..1 (the chip's ``strength``; an MPR121's
        firm palm is ``spec.firm_touch_counts``); 0.0 offline. One or two transactions."""
        board = self._board(address)
        board.check_electrode(electrode)
        with self._bus():
            if not board.online:
                return 0.0
            try:
                return board.strength(electrode, self.spec.firm_touch_counts)
            except OSError:
                self._lose(board, self._clock.now_ns())
                return 0.0
