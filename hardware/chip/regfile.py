"""The chip's registers: reads, writes, stop and run, reset, over-current.

``SimMPR121`` inherits this. Register semantics (data sheet §5; see ``registers``):
reads of the outputs come from the measurement channels; most registers are
writable only in stop mode (``ignored_writes`` counts the rest); ECR starts and stops
the measurement (a run loads baselines per CL, runs auto-configuration when enabled,
and restarts sampling; a stop resets the outputs); 0x80 <- 0x63 resets everything;
writing 1 to OVCF (0x01 bit 7) clears the over-current flag (``faults``).
"""

from __future__ import annotations

from . import faults, registers as R
from .sampling import Channel

ECR, SOFT_RESET, N = R.ECR, R.SOFT_RESET, R.N


class RegisterFile:
    """Mixed into ``SimMPR121`` (uses ``pads``, ``clock``, ``_rext_short``)."""

    # -- registers ------------------------------------------------------------------------
    def _power_on_reset(self) -> None:
        self._regs = bytearray(256)
        for reg, value in R.RESET_VALUES.items():
            self._regs[reg] = value
        self._chans = [Channel() for _ in range(N)]
        self._cfg: R.Config | None = None
        self._status = 0
        self._ovcf = False
        self._pointer = 0
        self._next: int | None = None     # time of the next sample (None: not sampling)
        self._last = 0                    # time of the last sample taken
        self._active: list[int] = []      # electrodes sampled one by one
        self._horizon: int | None = None  # a steady electrode must be looked at again
        self._forecast: int | None | bool = False    # False: not computed
        self._ahead: tuple | None = None  # what the forecast took (timeline._predict)
        self._irq_low = False

    def _config(self) -> R.Config:
        if self._cfg is None:
            self._cfg = R.decode(self._regs)
        return self._cfg

    def _peek(self, reg: int) -> int:
        if reg in (0x00, 0x01):
            word = self._status | (R.OVCF if self._ovcf else 0)
            return (word >> (8 * reg)) & 0xFF
        if R.FILTERED0 <= reg < R.FILTERED0 + 2 * N:
            e, high = divmod(reg - R.FILTERED0, 2)
            data = self._chans[e].data
            return data >> 8 if high else data & 0xFF
        if R.BASELINE0 <= reg < R.BASELINE0 + N:
            return self._chans[reg - R.BASELINE0].baseline >> 2
        if reg >= SOFT_RESET or R.FILTERED0 <= reg < R.OUTPUTS_END:
            return 0
        return self._regs[reg]

    def _write(self, reg: int, value: int) -> None:
        self._invalidate()
        if reg == ECR:
            self._write_ecr(value)
        elif reg == SOFT_RESET:
            if value == R.RESET_KEY:
                self._power_on_reset()
        elif reg == 0x01:
            if value & 0x80:                  # write 1 to OVCF: clear the fault flag
                self._ovcf = False
        elif self.running and reg not in R.ALWAYS_WRITABLE:
            self.ignored_writes += 1          # most registers are writable in stop mode only
        elif R.BASELINE0 <= reg < R.BASELINE0 + N:
            self._chans[reg - R.BASELINE0].baseline = value << 2
        elif reg >= R.OUTPUTS_END:
            self._regs[reg] = value
            self._cfg = None

    def _write_ecr(self, value: int) -> None:
        was = self.running
        if R.running(value) and not was and (self._ovcf or self._rext_short):
            if self._rext_short:
                self._overcurrent()           # the fault is there: run is refused again
            return                            # discarded while OVCF is set
        before = self._config().enabled if was else 0
        self._regs[ECR] = value
        self._cfg = None
        if was and not R.running(value):
            for ch in self._chans:
                ch.stop()
            self._status = 0
            self._next = None
            self._active = []
        elif R.running(value):
            self._start(self.clock.now_ns(), before)

    def _start(self, now: int, before: int) -> None:
        """Enter run mode at ``now`` (``before`` = 0), or change the electrodes of a
        running chip (``before``: how many were enabled)."""
        cfg = self._config()
        load = cfg.cl
        if not before:
            ac = R.autoconfig(self._regs)
            if ac.enabled:
                if faults.autoconfigure(self._regs, ac, cfg.enabled, self._counts_at(now)):
                    self._irq_low = True
                self._cfg = None
                cfg = self._config()
                load = ac.bva if ac.bva >= 2 else cfg.cl
            self._next = now + cfg.period_ns
        for e, ch in enumerate(self._chans):
            if before <= e < cfg.enabled:
                ch.restart(load)
            elif e >= cfg.enabled:
                ch.stop()
                self._status &= ~(1 << e)
            else:
                ch.disturb()
        self._active = list(range(cfg.enabled))
        self._horizon = None

    def _counts_at(self, now: int):
        def of(e: int):
            pad = self.pads[e]
            return lambda charge: pad.counts(now, charge)
        return of

    def _overcurrent(self) -> None:
        self._ovcf = True
        faults.overcurrent_reset(self._regs)
        self._cfg = None
        for ch in self._chans:
            ch.stop()
            ch.baseline = 0
        self._status = 0
        self._next = None
        self._active = []
        self._irq_low = True                  # the status register changed
        self._invalidate()

