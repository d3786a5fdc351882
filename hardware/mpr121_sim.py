"""A register-level model of one NXP MPR121 capacitive touch controller, in time.

The real ``adafruit_mpr121`` driver runs on it unchanged over ``i2c_sim.SimI2C``. The
parts (``hardware/chip/``): ``registers`` (map, reset values, decoding), ``electrode``
(charge current and time, a hand, a wet or shorted pad, noise, drift), ``sampling``
(sample period ESI, second filter SFI, thresholds, debounce DT/DR), ``baseline`` (the
CL load and the rising/falling/touched tracking filter) and ``faults`` (over-current,
auto-configuration and out-of-range). Each states the data-sheet rules it follows.

Time: the chip reads ``clock.now_ns()`` (the station's clock: virtual in the simulator)
and catches up lazily whenever it is touched, written, read or ticked: samples are
taken every ESI from the moment it entered run mode, so a hand put on a pad at t is
first seen by the sample after t. ``next_deadline()`` says when its status will next
change (so IRQ falls exactly then) and ``tick(now)`` brings it there; an electrode
whose reading is steady is not sampled one by one, which keeps a 48-pad station much
faster than real time.

Threads: one re-entrant lock guards all state; the IRQ callback ``on_irq(low)`` is
called outside it (its argument is the level when the change happened; a receiver
that wants the level *now* reads ``irq_low``).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from collections.abc import Callable

from station.core.clock import VirtualClock

from .chip import registers as R
from .chip.electrode import FIRM_COUNTS, REST_COUNTS, Drift, Noise, Pad
from .chip.regfile import RegisterFile
from .chip.timeline import Timeline

CONFIG1, CONFIG2, ECR, SOFT_RESET = R.CONFIG1, R.CONFIG2, R.ECR, R.SOFT_RESET
N = R.N


class SimMPR121(RegisterFile, Timeline):
    """One simulated MPR121 (see the module docstring). Attach it to a ``SimI2C``.

    ``rest_counts``/``firm_counts``: every pad's untouched counts and a firm palm's
    drop at the reference charge. ``clock``: has ``now_ns()`` (default: a private
    ``VirtualClock`` standing at 0). ``noise``/``drift``: ``chip.electrode.Noise`` and
    ``Drift``; ``salt`` makes chips sharing a seed differ (the simulator uses the
    address).
    """

    def __init__(self, rest_counts: int = REST_COUNTS, firm_counts: int = FIRM_COUNTS,
                 on_irq: Callable[[bool], None] | None = None, *, clock=None,
                 noise: Noise | None = None, drift: Drift | None = None,
                 salt: int = 0) -> None:
        self.clock = clock if clock is not None else VirtualClock()
        self.on_irq = on_irq
        self.on_wake: Callable[[], None] | None = None
        self.firm_counts = int(firm_counts)
        self.pads = [Pad(e, rest_counts, firm_counts) for e in range(N)]
        self.plugged = True
        self.ignored_writes = 0
        self.status_reads = 0
        self._lock = threading.RLock()
        self._pinned: int | None = None  # the instant of an ``at_once`` block
        self._salt = salt
        self._rext_short = False
        self._irq_told = False
        self._power_on_reset()
        self.set_noise(noise or Noise())
        self.set_drift(drift or Drift())

    # -- the physical world ---------------------------------------------------------------
    def touch(self, e: int, strength: float = 1.0) -> None:
        """A hand on electrode ``e``; ``strength`` 0..2 (1.0 = firm palm, 96 counts)."""
        self._world(e, strength=max(0.0, min(2.0, float(strength))))

    def release(self, e: int) -> None:
        """The hand leaves electrode ``e``."""
        self._world(e, strength=0.0)

    def stick(self, e: int) -> None:
        """Water on pad ``e``: it reads like a firm palm until ``unstick`` (it dries).
        Re-taking its baseline (recalibration, a reset) makes it read untouched."""
        self._world(e, wet=1.0)

    def unstick(self, e: int) -> None:
        self._world(e, wet=0.0)

    def short(self, e: int, on: bool = True) -> None:
        """The pad's wire touches ground (``on``) or is freed: it reads 0 counts."""
        self._world(e, shorted=bool(on))

    def set_rest(self, e: int, counts: int) -> None:
        """Untouched counts of ``e`` at the reference charge, 0..1023 (bigger pad,
        longer wire = more capacitance = fewer counts)."""
        self._world(e, rest=float(max(0, min(1023, int(counts)))))

    @contextmanager
    def at_once(self):
        """World changes made inside happen together: no sample (nor another thread)
        falls between them (a palm landing across several pads)."""
        with self._lock:
            # one instant for all of them: another thread may move the clock meanwhile,
            # and a sample taken between two of the changes would see half a palm
            self._sync_now()
            self._pinned = self.clock.now_ns()
            try:
                yield self
            finally:
                self._pinned = None
        self._notify()

    def set_noise(self, noise: Noise) -> None:
        """Noise on every electrode from now on (``Noise(sigma, seed)``)."""
        with self._lock:
            self._sync_now()
            for pad in self.pads:
                pad.set_noise(noise, self._salt)
            self._disturb_all()

    def set_drift(self, drift: Drift) -> None:
        """Slow drift of every electrode, starting now (``Drift(amplitude, period_s, seed)``)."""
        with self._lock:
            self._sync_now()
            now = self.clock.now_ns()
            for e, pad in enumerate(self.pads):
                pad.set_drift(drift, e, now, self._salt)
            self._disturb_all()

    def set_overcurrent(self, on: bool = True) -> None:
        """Short (``on``) or free the REXT pin. Shorted, a running chip sets OVCF and
        stops at once, and every later attempt to run sets it again (see chip.faults)."""
        with self._lock:
            self._sync_now()
            self._rext_short = bool(on)
            if on and self.plugged and R.running(self._regs[ECR]):
                self._overcurrent()
        self._notify()

    def unplug(self) -> None:
        """Disconnect: the chip stops answering (NACK) and lets go of the IRQ line."""
        with self._lock:
            self.plugged = False
            self._irq_low = False
            self._invalidate()
        self._notify()

    def plug(self) -> None:
        """Reconnect: the chip powers up in reset state (stop mode, thresholds 0)."""
        with self._lock:
            self.plugged = True
            self._power_on_reset()
        self._notify()

    # -- observation ----------------------------------------------------------------------
    def level(self, e: int) -> float:
        """Noise-free counts of ``e`` now, at the charge its registers set."""
        with self._lock:
            return self.pads[e].counts(self.clock.now_ns(), self._config().charge[e])

    def data(self, e: int) -> int:
        """Filtered data of ``e`` as the chip shows it now (0 in stop mode)."""
        with self._lock:
            self._sync_now()
            self._refresh()
            return self._chans[e].data

    def baseline(self, e: int) -> int:
        """Internal 10-bit baseline of ``e`` (the register shows it >> 2)."""
        with self._lock:
            self._sync_now()
            self._refresh()
            return self._chans[e].baseline

    @property
    def touched_bits(self) -> int:
        with self._lock:
            self._sync_now()
            return self._status

    @property
    def irq_low(self) -> bool:
        return self._irq_low

    @property
    def running(self) -> bool:
        return R.running(self._regs[ECR])

    @property
    def overcurrent(self) -> bool:
        """The OVCF flag (status bit 15)."""
        return self._ovcf

    def register(self, reg: int) -> int:
        """One register's value as a read would return it, without clearing IRQ."""
        with self._lock:
            self._sync_now()
            self._refresh()
            return self._peek(reg)

    # -- time -----------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """When the status will next change (IRQ), or a check-in time; None if never."""
        with self._lock:
            if self._forecast is False:
                self._forecast = self._predict()
            return self._forecast

    def tick(self, now: int) -> None:
        """Take every sample due by ``now``."""
        with self._lock:
            self._sync(now)
        self._notify()

    # -- I2C target -----------------------------------------------------------------------
    def i2c_present(self) -> bool:
        return self.plugged

    def i2c_write(self, data: bytes) -> None:
        with self._lock:
            self._sync_now()
            self._pointer = data[0]
            for value in data[1:]:
                self._write(self._pointer, value)
                self._pointer = (self._pointer + 1) & 0xFF
        self._notify()

    def i2c_read(self, n: int) -> bytes:
        with self._lock:
            now = self.clock.now_ns()
            if self._pointer + n > 2 or self._ahead is None or now >= self._ahead[0]:
                self._sync(now)   # (the status alone is known until the forecast's time)
            if self._pointer < R.OUTPUTS_END and self._pointer + n > R.FILTERED0:
                self._refresh()               # data or baselines of steady electrodes
            out = bytearray()
            cleared = False
            for _ in range(n):
                out.append(self._peek(self._pointer))
                cleared = cleared or self._pointer in (0x00, 0x01)
                self._pointer = (self._pointer + 1) & 0xFF
            if cleared:
                self.status_reads += 1
                self._irq_low = False
        self._notify()
        return bytes(out)

    # -- the world, helpers ---------------------------------------------------------------
    def _world(self, e: int, **physics) -> None:
        if not 0 <= e < N:
            raise IndexError(f"electrode must be 0..11, got {e!r}")
        with self._lock:
            self._sync(self._pinned) if self._pinned is not None else self._sync_now()
            self._disturb(e)                  # wakes it at the level it had until now
            pad = self.pads[e]
            for name, value in physics.items():
                setattr(pad, name, value)
        self._notify()

    def _disturb(self, e: int) -> None:
        self._invalidate()
        if self._next is None:
            return
        cfg = self._config()
        ch = self._chans[e]
        if ch.settled:
            self._wake(e, ch, cfg)
        else:
            ch.disturb()

    def _disturb_all(self) -> None:
        for e in range(N):
            self._disturb(e)

    def _notify(self) -> None:
        """Tell ``on_irq`` about a change of the IRQ output, and ``on_wake`` that the
        chip was used (its next deadline may have moved); outside the lock."""
        if self.on_wake is not None:
            self.on_wake()
        if self.on_irq is None or (self._irq_low and self.plugged) == self._irq_told:
            return                       # (a thread changing it notifies after us)
        with self._lock:
            low = self._irq_low and self.plugged
            if low == self._irq_told:
                return
            self._irq_told = low
        self.on_irq(low)
