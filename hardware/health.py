"""A board's health: lost, faulted, recovered, and pads out of range.

``io.Hardware`` inherits these. Every change becomes one ``fault`` event:

* (board, detail) ``board_missing`` (no answer at start), ``board_unexpected``
  (answers, but is not the configured chip, or not in its reset state), ``board_lost``
  (a read failed: every touched electrode is then released), ``board_overcurrent``
  (the chip stopped on its over-current flag: released likewise), ``board_recovered``
  (it runs again). A lost or stopped board is re-initialised once a second by
  ``Hardware.poll``; a fault is reported once, not at every failed attempt.
* (board, electrode, detail) ``electrode_out_of_range``: the chip's auto-configuration
  (the MPR121's; a chip without one never reports this)
  could not bring that pad's reading within range (it cannot sense a touch), and
  ``electrode_in_range`` when a later initialisation does.
"""

from __future__ import annotations

from station.core.details import Fault
from station.core.errors import ChipFaultError
from station.core.events import FAULT, Event

from .touchchip import TouchChip


class Health:
    """Mixed into ``io.Hardware`` (uses its ``_bus``, ``_emit``, ``_emit_changes``,
    ``_restarted``)."""

    def _lose(self, board: TouchChip, t_ns: int, detail: str = "board_lost") -> None:
        was = board.mark_lost(t_ns)
        self._fault(board, t_ns, detail)
        self._emit_changes(board.address, was, 0, t_ns)

    def _open(self, board: TouchChip, t_ns: int, *, recovering: bool) -> None:
        """(Re-)initialise ``board``; report what changed (recovery, faults, range).
        ``recovering``: it was offline (a failure then stays quiet unless it is new)."""
        was_online, was_range = board.online, board.out_of_range
        with self._bus():
            try:
                board.open()
            except ChipFaultError as exc:
                if was_online:
                    self._lose(board, t_ns, exc.detail)
                else:
                    board.mark_lost(t_ns)
                    if board.fault != exc.detail:
                        self._fault(board, t_ns, exc.detail)
                return
            except (ValueError, OSError, RuntimeError) as exc:
                if was_online:
                    self._lose(board, t_ns)
                    return
                board.mark_lost(t_ns)  # also the time of this probe
                if not recovering:
                    detail = "board_unexpected" if type(exc) is RuntimeError else "board_missing"
                    self._fault(board, t_ns, detail)
                return
            if recovering:
                self._fault(board, t_ns, "board_recovered")
            board.fault = None
            for e in board.all_electrodes:
                bit = 1 << e
                if (board.out_of_range ^ was_range) & bit:
                    detail = ("electrode_out_of_range" if board.out_of_range & bit
                              else "electrode_in_range")
                    self._emit(Event(kind=FAULT, t_ns=t_ns, board=board.address,
                                     electrode=e, detail=Fault(detail)))
            self._restarted(board, t_ns, baselines_loaded=True)

    def _fault(self, board: TouchChip, t_ns: int, detail: str) -> None:
        board.fault = detail
        self._emit(Event(kind=FAULT, t_ns=t_ns, board=board.address, detail=Fault(detail)))

