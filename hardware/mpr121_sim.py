"""A register-level model of one NXP MPR121 capacitive touch controller.

Enough of the datasheet for the real ``adafruit_mpr121`` driver to run unchanged over
``i2c_sim.SimI2C``, plus the failure modes therapists meet: a hand resting on a pad at
start-up, a stuck electrode, a board unplugged and plugged back.

Counts (10-bit electrode data, 0..1023): an untouched pad reads ``rest_counts`` (704 by
default); a touch of strength ``s`` lowers it by ``round(s * firm_counts)`` (96 by
default), so strength 1.0 is a firm palm (96 counts), 0.2 a light fingertip (19
counts: caught by the driver's default touch threshold 12, missed by a threshold of 30),
0.1 a brush (10 counts, below 12). 704 is a multiple of 32 so the driver's "load the 5
high bits" baseline (ECR CL=10) is exact at rest.

Model, and what it leaves out:

* Registers hold datasheet reset values: all 0 except CONFIG1 0x5C=0x10, CONFIG2
  0x5D=0x24. Soft reset (0x80 <- 0x63) or plug() restores them, ECR=0 (stop mode).
* Reads auto-increment the register pointer; so do writes (``[reg, v0, v1, ...]``).
* Status 0x00/0x01 (electrodes in bits 0..11), filtered data 0x04+2e (10-bit, LE),
  baseline 0x1E+e (baseline >> 2). Reading 0x00 or 0x01 releases the IRQ line.
* Stop mode is ECR & 0x3F == 0. Writes to any register other than ECR (0x5E), GPIO
  (0x73..0x7A) and soft reset (0x80) are *ignored* while running, as on the chip;
  ``ignored_writes`` counts them. Baseline registers are writable in stop mode.
* ECR stop -> run loads baselines per its CL bits (7:6): 00/01 keep, 10 load the 5 high
  bits of the current data, 11 load all 10 bits. Enabled electrodes: ECR bits 3:0.
* Detection runs instantly on every physical change (no sample period, no debounce,
  no noise): touched when baseline - data > touch threshold, released when it falls
  below the release threshold. There is *no baseline tracking*: a baseline changes
  only when re-taken, so a hand resting at start-up leaves that pad dead until
  recalibrated (the real chip may slowly recover; the model shows the worst case).
* Status is frozen in stop mode and re-evaluated on return to run mode.
"""

from __future__ import annotations

from typing import Callable

ECR = 0x5E
CONFIG1 = 0x5C
CONFIG2 = 0x5D
SOFT_RESET = 0x80
TOUCH_TH0 = 0x41
RELEASE_TH0 = 0x42
FILTERED0 = 0x04
BASELINE0 = 0x1E
N = 12
RESET_VALUES = {CONFIG1: 0x10, CONFIG2: 0x24}
_ALWAYS_WRITABLE = {ECR, SOFT_RESET, *range(0x73, 0x7B)}
REST_COUNTS = 704
FIRM_COUNTS = 96


class SimMPR121:
    """One simulated MPR121. Attach it to a ``SimI2C``; ``on_irq(level_low)`` is called
    whenever its open-drain IRQ output changes (True = pulling the line low)."""

    def __init__(self, rest_counts: int = REST_COUNTS, firm_counts: int = FIRM_COUNTS,
                 on_irq: Callable[[bool], None] | None = None) -> None:
        self.rest = [int(rest_counts)] * N
        self.firm_counts = int(firm_counts)
        self.on_irq = on_irq
        self.plugged = True
        self.ignored_writes = 0
        self.status_reads = 0
        self._strength = [0.0] * N
        self._stuck: set[int] = set()
        self._overcurrent = False
        self._irq_low = False
        self._power_on_reset()

    # -- the physical world -------------------------------------------------------------
    def touch(self, e: int, strength: float = 1.0) -> None:
        """A hand on electrode ``e``; ``strength`` 0..2 (1.0 = firm palm)."""
        self._strength[self._check(e)] = max(0.0, min(2.0, float(strength)))
        self._evaluate()

    def release(self, e: int) -> None:
        """The hand leaves electrode ``e``."""
        self._strength[self._check(e)] = 0.0
        self._evaluate()

    def stick(self, e: int) -> None:
        """Latch ``e`` as touched whatever the hand does (e.g. a wet pad), until its
        baseline is re-taken (recalibration) or ``unstick``; cleared by a reset."""
        self._stuck.add(self._check(e))
        self._evaluate()

    def unstick(self, e: int) -> None:
        self._stuck.discard(self._check(e))
        self._evaluate()

    def set_rest(self, e: int, counts: int) -> None:
        """Untouched data level of ``e`` in counts 0..1023 (longer wire = lower)."""
        self.rest[self._check(e)] = max(0, min(1023, int(counts)))
        self._evaluate()

    def set_overcurrent(self, on: bool = True) -> None:
        """Set the over-current flag (status bit 15) that drivers must mask off."""
        self._overcurrent = bool(on)

    def unplug(self) -> None:
        """Disconnect: the chip stops answering (NACK) and lets go of the IRQ line."""
        self.plugged = False
        self._set_irq(False)

    def plug(self) -> None:
        """Reconnect: the chip powers up in reset state (stop mode, thresholds 0)."""
        self.plugged = True
        self._power_on_reset()

    # -- observation (no side effects) --------------------------------------------------
    def data(self, e: int) -> int:
        """Filtered data of ``e`` in counts 0..1023."""
        drop = round(self._strength[e] * self.firm_counts)
        return max(0, min(1023, self.rest[e] - drop))

    def baseline(self, e: int) -> int:
        """Internal 10-bit baseline of ``e`` (the register shows it >> 2)."""
        return self._baseline[e]

    @property
    def touched_bits(self) -> int:
        return self._status

    @property
    def irq_low(self) -> bool:
        return self._irq_low

    @property
    def running(self) -> bool:
        return bool(self._regs[ECR] & 0x3F)

    def register(self, reg: int) -> int:
        """One register's value as a read would return it, without clearing IRQ."""
        return self._peek(reg)

    # -- I2C target ---------------------------------------------------------------------
    def i2c_present(self) -> bool:
        return self.plugged

    def i2c_write(self, data: bytes) -> None:
        self._pointer = data[0]
        for value in data[1:]:
            self._write(self._pointer, value)
            self._pointer = (self._pointer + 1) & 0xFF

    def i2c_read(self, n: int) -> bytes:
        out = bytearray()
        cleared = False
        for _ in range(n):
            out.append(self._peek(self._pointer))
            cleared = cleared or self._pointer in (0x00, 0x01)
            self._pointer = (self._pointer + 1) & 0xFF
        if cleared:
            self.status_reads += 1
            self._set_irq(False)
        return bytes(out)

    # -- internals ----------------------------------------------------------------------
    def _check(self, e: int) -> int:
        if not 0 <= e < N:
            raise IndexError(f"electrode must be 0..11, got {e!r}")
        return e

    def _power_on_reset(self) -> None:
        self._regs = bytearray(256)
        for reg, value in RESET_VALUES.items():
            self._regs[reg] = value
        self._baseline = [0] * N
        self._status = 0
        self._stuck.clear()
        self._overcurrent = False
        self._pointer = 0
        self._set_irq(False)

    def _enabled(self) -> int:
        count = self._regs[ECR] & 0x0F
        return min(count, N)

    def _peek(self, reg: int) -> int:
        if reg in (0x00, 0x01):
            word = self._status | (0x8000 if self._overcurrent else 0)
            return (word >> (8 * reg)) & 0xFF
        if FILTERED0 <= reg < FILTERED0 + 2 * N:
            e, high = divmod(reg - FILTERED0, 2)
            return (self.data(e) >> 8) if high else (self.data(e) & 0xFF)
        if BASELINE0 <= reg < BASELINE0 + N:
            return self._baseline[reg - BASELINE0] >> 2
        if reg >= SOFT_RESET or reg < 0x2B:
            return 0
        return self._regs[reg]

    def _write(self, reg: int, value: int) -> None:
        if self.running and reg not in _ALWAYS_WRITABLE:
            self.ignored_writes += 1
            return
        if reg == SOFT_RESET:
            if value == 0x63:
                self._power_on_reset()
            return
        if BASELINE0 <= reg < BASELINE0 + N:
            e = reg - BASELINE0
            self._baseline[e] = value << 2
            self._stuck.discard(e)  # a re-taken baseline clears a latched electrode
            return
        if reg < 0x2B:
            return  # status and data registers are read-only
        if reg == ECR:
            self._write_ecr(value)
            return
        self._regs[reg] = value

    def _write_ecr(self, value: int) -> None:
        was_running = self.running
        self._regs[ECR] = value
        if not self.running:
            return
        if not was_running:
            cl = value >> 6
            for e in range(self._enabled()):
                if cl == 0b10:
                    self._baseline[e] = self.data(e) & 0x3E0
                elif cl == 0b11:
                    self._baseline[e] = self.data(e)
                if cl >= 0b10:
                    self._stuck.discard(e)
        self._evaluate()

    def _evaluate(self) -> None:
        if not self.plugged or not self.running:
            return
        new = 0
        for e in range(self._enabled()):
            delta = self._baseline[e] - self.data(e)
            was = self._status >> e & 1
            if e in self._stuck:
                on = True
            elif was:
                on = delta >= self._regs[RELEASE_TH0 + 2 * e]
            else:
                on = delta > self._regs[TOUCH_TH0 + 2 * e]
            new |= int(on) << e
        if new != self._status:
            self._status = new
            self._set_irq(True)

    def _set_irq(self, low: bool) -> None:
        if low != self._irq_low:
            self._irq_low = low
            if self.on_irq is not None:
                self.on_irq(low)
