"""A register-level model of one Microchip CAP1188 capacitive touch controller, in time.

The real ``adafruit_cap1188`` driver runs on it unchanged over ``i2c_sim.SimI2C``
(as ``mpr121_sim.SimMPR121`` does for the MPR121). What it models, from the data sheet:

* **Cycles.** Every input is measured once per sensing cycle: 35/70/105/140 ms (0x24
  bits 1:0), longer when the samples need more (8 inputs x AVG x SAMP_TIME, bits 6:4
  and 3:2). A hand put on a pad at t is first seen by the cycle after t.
* **Delta counts** (0x10..0x17, signed, -128..127): how far an input stands above its
  base count, scaled by DELTA_SENSE (0x1F bits 6:4: 128x..1x, 32x after reset) and the
  gain (main control bits 7:6). A firm palm is 96 at 32x. Noise (``Noise``: sigma in
  delta counts at 32x with the reset state's 8 samples per input; fewer samples average
  less: sigma x sqrt(8 / AVG)) and drift (``Drift``) come from ``chip.electrode.Pad``.
  The noise flags (0x0A, an RF detector) are not modelled.
* **Touch**: delta >= the input's threshold (0x30..0x37, 64 after reset); the touch
  ends when it falls below. Only inputs enabled in 0x21 are measured.
* **INT and ALERT**: a touch or (0x44 bit 0 clear, as after reset) a release of an
  input enabled in 0x27 sets INT (0x00 bit 0), and ALERT (the IRQ, active low) is low
  while INT is set. Status bits (0x03) latch: an input released stays set until INT
  is cleared; clearing INT re-arms ALERT and clears the bits of released inputs.
  Repeated interrupts of a held pad (0x28) are not modelled (the station turns them off).
* **Multiple-touch blocking** (0x2A: bit 7 on, bits 3:2 = touches allowed - 1; 0x80
  after reset): beyond the allowed number, further touches are blocked (lowest input
  first wins, held ones keep their place) and the MULT bit (0x02 bit 2) is set.
* **Base counts** (0x50..0x57): taken at power-up and whenever 0x26 asks (the bit
  clears at that cycle); tracked slowly while an input is quiet (|delta| under the
  noise threshold, 37.5 % of the threshold); after 16 negative deltas in a row the
  input recalibrates itself (0x2F: a hand lifted that rested at power-up).

Time: the chip catches up lazily on its ``clock`` (every cycle since the last one is
taken, in order, so the result never depends on when it is asked). ``next_deadline()``
is the next cycle while anything can change, else a check-in a second later.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from station.core.clock import VirtualClock

from .chip.electrode import Drift, Noise, Pad
from .chip.registers import REF_FILTER

N = 8
REST, FIRM = 200, 96          # an input's base count, a firm palm's delta at 32x
CYCLES_NS = (35_000_000, 70_000_000, 105_000_000, 140_000_000)
SAMPLE_NS = (320_000, 640_000, 1_280_000, 2_560_000)
IDLE_CHECK_NS = 1_000_000_000
NEG_RECAL = 16
RESET = {0x00: 0x00, 0x1F: 0x2F, 0x20: 0x20, 0x21: 0xFF, 0x22: 0xA4, 0x23: 0x07,
         0x24: 0x39, 0x26: 0x00, 0x27: 0xFF, 0x28: 0xFF, 0x2A: 0x80, 0x2F: 0x8A,
         0x38: 0x01, 0x44: 0x40, 0x72: 0x00, 0xFD: 0x50, 0xFE: 0x5D, 0xFF: 0x83,
         **{0x30 + i: 0x40 for i in range(N)}}
READ_ONLY = {0x02, 0x03, 0x04, 0x0A, 0xFD, 0xFE, 0xFF, *range(0x10, 0x18), *range(0x50, 0x58)}


class SimCAP1188:
    """One simulated CAP1188 (see the module docstring). Attach it to a ``SimI2C``.
    ``clock``: has ``now_ns()``; ``salt`` makes chips sharing a noise seed differ."""

    def __init__(self, *, clock=None, noise: Noise | None = None, drift: Drift | None = None,
                 salt: int = 0, on_irq: Callable[[bool], None] | None = None) -> None:
        self.clock = clock if clock is not None else VirtualClock()
        self.on_irq = on_irq
        self.on_wake: Callable[[], None] | None = None
        self.pads = [Pad(e, REST, FIRM) for e in range(N)]
        self.plugged = True
        self._salt = salt
        self._lock = threading.RLock()
        self._irq_told = False
        self._power_on_reset()
        self.set_noise(noise or Noise())
        self.set_drift(drift or Drift())

    def _power_on_reset(self) -> None:
        self._regs = bytearray(256)
        for reg, value in RESET.items():
            self._regs[reg] = value
        self._regs[0x26] = 0xFF                 # every input calibrates at the first cycle
        self._base = [float(REST)] * N
        self._delta = [0] * N
        self._over = 0                          # inputs at or above threshold, unblocked
        self._valid = 0                         # inputs holding a multiple-touch place
        self._neg = [0] * N
        self._pointer = 0
        self._cycle = 0                         # cycles taken since power-up (noise index)
        self._next_ns = self.clock.now_ns() + self.cycle_ns()   # the next cycle's time

    # -- the physical world ---------------------------------------------------------------
    def touch(self, e: int, strength: float = 1.0) -> None:
        """A hand on input ``e`` (0..7); ``strength`` 0..2 (1.0 = firm palm, delta 96)."""
        self._world(e, "strength", max(0.0, min(2.0, float(strength))))

    def release(self, e: int) -> None:
        self._world(e, "strength", 0.0)

    def stick(self, e: int) -> None:
        """Water on pad ``e``: it reads like a firm palm until ``unstick``."""
        self._world(e, "wet", 1.0)

    def unstick(self, e: int) -> None:
        self._world(e, "wet", 0.0)

    def unplug(self) -> None:
        """Disconnect: the chip stops answering (NACK) and lets go of ALERT."""
        with self._lock:
            self._sync(self.clock.now_ns())
            self.plugged = False
        self._notify()

    def plug(self) -> None:
        """Reconnect: the chip powers up in its reset state."""
        with self._lock:
            self.plugged = True
            self._power_on_reset()
        self._notify()

    def set_noise(self, noise: Noise) -> None:
        """Noise on every input from now on (``Noise(sigma, seed)``, delta counts)."""
        with self._lock:
            self._sync(self.clock.now_ns())
            for pad in self.pads:
                pad.set_noise(noise, self._salt)
        self._notify()

    def set_drift(self, drift: Drift) -> None:
        """Slow drift of every input, starting now (``Drift(amplitude, period_s, seed)``)."""
        with self._lock:
            self._sync(self.clock.now_ns())
            for e, pad in enumerate(self.pads):
                pad.set_drift(drift, e, self.clock.now_ns(), self._salt)
        self._notify()

    def _world(self, e: int, name: str, value: float) -> None:
        if not 0 <= e < N:
            raise IndexError(f"a CAP1188 has inputs 0..7, got {e!r}")
        with self._lock:
            self._sync(self.clock.now_ns())
            setattr(self.pads[e], name, value)
        self._notify()

    # -- observation ----------------------------------------------------------------------
    @property
    def irq_low(self) -> bool:
        """ALERT is low (active) while INT is set."""
        return bool(self._regs[0x00] & 1) and self.plugged

    def register(self, reg: int) -> int:
        with self._lock:
            self._sync(self.clock.now_ns())
            return self._regs[reg]

    def delta(self, e: int) -> int:
        return self.register(0x10 + e) - (256 if self.register(0x10 + e) & 0x80 else 0)

    # -- time -----------------------------------------------------------------------------
    def cycle_ns(self) -> int:
        avg = self._regs[0x24]
        samples = 8 * (1 << (avg >> 4 & 7)) * SAMPLE_NS[avg >> 2 & 3]
        return max(CYCLES_NS[avg & 3], samples)

    def next_deadline(self) -> int | None:
        """The next cycle while anything can change (a hand, a touch held or ending,
        a calibration due, base counts still moving); else a check-in a second on."""
        with self._lock:
            if not self.plugged:
                return None
            nxt = self._next_ns
            busy = (self._regs[0x26] or self._over or any(self._neg) or any(
                p.strength or p.wet
                or abs(self._raw(e, p, nxt) - self._base[e]) >= 1 + 3 * p.sigma
                for e, p in enumerate(self.pads)))
            return nxt if busy else nxt + IDLE_CHECK_NS

    def tick(self, now: int) -> None:
        with self._lock:
            self._sync(now)
        self._notify()

    def _raw(self, e: int, pad: Pad, t_ns: int) -> float:
        # The chip's count rises with capacitance; Pad's counts fall with a touch.
        return 2 * REST - pad.counts(t_ns, 1.0)

    def _sync(self, now: int) -> None:
        if not self.plugged:
            return
        while self._next_ns <= now:
            self._cycle += 1
            self._measure(self._next_ns)
            self._next_ns += self.cycle_ns()

    def _measure(self, t_ns: int) -> None:
        regs = self._regs
        scale = (128 >> (regs[0x1F] >> 4 & 7)) / 32 * (1 << (regs[0x00] >> 6))
        averaging = math.sqrt(8 / (1 << (regs[0x24] >> 4 & 7)))
        for e, pad in enumerate(self.pads):
            raw = self._raw(e, pad, t_ns) + pad.noise(self._cycle, REF_FILTER) * averaging
            if regs[0x26] >> e & 1:
                self._base[e] = raw
                self._neg[e] = 0
            delta = max(-128, min(127, round((raw - self._base[e]) * scale)))
            if not regs[0x21] >> e & 1:
                delta = 0
            quiet = abs(delta) < regs[0x30 + e] * 0.375
            if quiet and not self._over >> e & 1:
                self._base[e] += (raw - self._base[e]) / 16       # slow tracking
            self._neg[e] = self._neg[e] + 1 if delta < 0 and not quiet else 0
            if self._neg[e] >= NEG_RECAL:
                self._base[e], self._neg[e], delta = raw, 0, 0    # lifted hand: recalibrate
            self._delta[e] = delta
            regs[0x10 + e] = delta & 0xFF
            regs[0x50 + e] = max(0, min(255, round(self._base[e])))
        regs[0x26] = 0
        self._decide()

    def _decide(self) -> None:
        regs = self._regs
        over = sum(1 << e for e in range(N) if self._delta[e] >= max(1, regs[0x30 + e]))
        blocking = regs[0x2A] & 0x80
        allowed = (regs[0x2A] >> 2 & 3) + 1
        valid = self._valid & over
        if blocking:
            for e in range(N):
                if over >> e & 1 and bin(valid).count("1") < allowed:
                    valid |= 1 << e
            blocked = over & ~valid
        else:
            valid, blocked = over, 0
        pressed, released = valid & ~self._over, self._over & ~valid
        self._over, self._valid = valid, valid
        regs[0x02] = (regs[0x02] & ~0x04) | (0x04 if blocked else 0)
        regs[0x03] |= valid
        regs[0x04] = valid & regs[0x72]       # the linked LEDs follow their inputs
        enabled = regs[0x27]
        if (pressed & enabled) or (released & enabled and not regs[0x44] & 1):
            regs[0x00] |= 1
        regs[0x02] = (regs[0x02] & ~0x01) | (0x01 if regs[0x03] else 0)

    # -- I2C target -----------------------------------------------------------------------
    def i2c_present(self) -> bool:
        return self.plugged

    def i2c_write(self, data: bytes) -> None:
        with self._lock:
            self._sync(self.clock.now_ns())
            self._pointer = data[0]
            for value in data[1:]:
                self._store(self._pointer, value)
                self._pointer = (self._pointer + 1) & 0xFF
        self._notify()

    def i2c_read(self, n: int) -> bytes:
        with self._lock:
            self._sync(self.clock.now_ns())
            out = bytes(self._regs[(self._pointer + i) & 0xFF] for i in range(n))
            self._pointer = (self._pointer + n) & 0xFF
        return out

    def _store(self, reg: int, value: int) -> None:
        if reg in READ_ONLY:
            return
        if reg == 0x00 and self._regs[0x00] & 1 and not value & 1:
            self._regs[0x03] &= self._over            # clearing INT: released bits go
            if not self._regs[0x03]:
                self._regs[0x02] &= 0xFE
        if reg == 0x26:
            value |= self._regs[0x26]                 # (bits clear when done)
        if reg == 0x24:                               # the new timing from the next cycle on
            old = self.cycle_ns()
            self._regs[reg] = value
            self._next_ns = max(self.clock.now_ns(), self._next_ns + self.cycle_ns() - old)
        self._regs[reg] = value

    def _notify(self) -> None:
        """Tell ``on_wake`` the chip was used, ``on_irq`` a change of ALERT; unlocked."""
        if self.on_wake is not None:
            self.on_wake()
        if self.on_irq is None:
            return
        with self._lock:
            low = self.irq_low
            if low == self._irq_told:
                return
            self._irq_told = low
        self.on_irq(low)
