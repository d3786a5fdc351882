"""Keeping each board's picture true between touches: timed reads and repairs.

``io.Hardware`` inherits these. Settle reads must happen on time: they are a station
timer (``next_deadline()``/``tick(now)``, ns on the station clock). Lifted-hand checks
and range re-checks are not urgent: they ride on ``Hardware.poll`` (``_upkeep``), which
the station calls every poll interval anyway, so they cost no extra wake-ups.

* **Settle reads.** Every stop -> run cycle (initialisation, thresholds, recalibration)
  restarts the chip's sampling and resets its outputs (data sheet §5.11); its status
  is meaningless until its first samples (the chip's ``settle_ns``). Reads wait until then
  and one read is made then: a pad released or touched meanwhile is seen at once, a
  pad held throughout gives no event.
* **Lifted hands.** A baseline taken under a hand (at power-up, at a re-initialisation,
  at a recalibration of a long touch) leaves the pad numb once the hand lifts: the
  data then stands *above* the baseline. The chip's rising filter brings it back in
  ~1.5 s (1 count per 15 samples); for ``LIFT_WATCH_NS`` after each baseline load the
  station looks every ``LIFT_CHECK_NS`` (at the first poll after it; one 38-byte read)
  and re-takes the baseline of any electrode standing above it by more than a touch,
  so the next touch sounds.
* **Out of range.** A board with electrodes out of range is re-initialised every
  ``RANGE_RECHECK_NS`` while none of its pads is touched, in case the wire was fixed.
"""

from __future__ import annotations

import logging

from .touchchip import TouchChip

log = logging.getLogger("station")

LIFT_WATCH_NS = 60_000_000_000    # watch for lifted hands this long after a baseline load
LIFT_CHECK_NS = 250_000_000       # how often, meanwhile
RANGE_RECHECK_NS = 10_000_000_000


class Upkeep:
    """Mixed into ``io.Hardware`` (uses its ``_boards``, ``_bus``, ``_read``, ``_open``)."""

    def _init_upkeep(self) -> None:
        # address -> (watch until ns, next check ns, electrodes watched)
        self._lift: dict[int, tuple[int, int, tuple[int, ...]]] = {}

    # -- the timer: settle reads --------------------------------------------------------
    def next_deadline(self) -> int | None:
        """Station time (ns) of the next settle read (None: none pending)."""
        times = [b.reread_at for b in self._boards.values() if b.reread_at is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        with self._lock:
            if self._closed:
                return
            for board in self._boards.values():
                if board.reread_at is not None and board.reread_at <= now:
                    board.reread_at = None
                    if board.online:
                        self._read(board, now)

    # -- on each poll: lifted hands, range re-checks -----------------------------------
    def _upkeep(self, now: int) -> None:
        """Called by ``Hardware.poll`` with the bus lock held."""
        for board in self._boards.values():
            if (board.online and board.out_of_range and board.range_at is not None
                    and board.range_at <= now):
                board.range_at = None
                if board.mask:
                    board.range_at = now + RANGE_RECHECK_NS
                else:
                    self._open(board, now, recovering=False)
        for address, (until, nxt, electrodes) in list(self._lift.items()):
            if nxt <= now:
                self._check_lifted(self._boards[address], now, electrodes)
                if now + LIFT_CHECK_NS > until:
                    self._lift.pop(address, None)
                elif address in self._lift:
                    self._lift[address] = (until, now + LIFT_CHECK_NS, electrodes)

    # -- what starts them -----------------------------------------------------------------
    def watch_lift(self, address: int, electrodes=None, now: int | None = None) -> None:
        """Watch ``electrodes`` (default all) of a board for a lifted hand for
        ``LIFT_WATCH_NS`` from ``now`` (default: the clock's now). No-op for a chip that
        repairs a lifted hand's baseline by itself (``watches_lift`` False)."""
        board = self._board(address)
        if not board.watches_lift:
            return
        now = self._clock.now_ns() if now is None else now
        chosen = tuple(sorted(set(board.all_electrodes if electrodes is None else electrodes)))
        with self._lock:
            old = self._lift.get(address)
            if old is not None:
                chosen = tuple(sorted(set(chosen) | set(old[2])))
            self._lift[address] = (now + LIFT_WATCH_NS, now + LIFT_CHECK_NS, chosen)

    def _restarted(self, board: TouchChip, now: int, *, baselines_loaded: bool) -> None:
        """``board`` went through stop -> run at ``now``: wait for its samples, read it
        then, and after a full baseline load watch all its pads for lifted hands."""
        board.quiet_until = now + board.settle_ns
        board.reread_at = board.quiet_until
        if baselines_loaded:
            self.watch_lift(board.address, None, now)
        if board.out_of_range and board.range_at is None:
            board.range_at = now + RANGE_RECHECK_NS

    def _check_lifted(self, board: TouchChip, now: int, electrodes) -> None:
        if not board.online or now < board.quiet_until:
            return
        with self._bus():
            try:
                lifted = [e for e in board.lifted(electrodes) if not board.mask >> e & 1]
                if lifted:
                    log.debug("board %#x: electrode(s) %s read above their baseline (taken "
                              "under a hand since lifted, or rounded down when loaded): "
                              "re-taking it", board.address, lifted)
                    board.recalibrate(lifted)
            except OSError:
                self._lose(board, now)
                return
        if lifted:
            self._restarted(board, now, baselines_loaded=False)
