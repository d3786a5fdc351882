"""The simulated chips' time: ticked by the station's timers, or by a thread of their own.

``SimulatedHardware`` inherits this. On a virtual clock whoever drives time ticks the
chips (``next_deadline``/``tick``: the station's timers; ``run_until`` in tests), so
IRQ callbacks run in that thread, deterministically. With ``set_chip_thread(True)``
(the daemon on the real clock) the chips sample by themselves, as real ones do: a
thread sleeps until a chip's next status change and ticks it there, so IRQ callbacks
run in it, as in gpiozero's edge thread on a Pi; that thread alone then drives the IRQ
pins (``SimulatedHardware._drive``).
"""

from __future__ import annotations

import threading


class ChipTime:
    """Mixed into ``SimulatedHardware`` (uses ``_chips``, ``_clock``, ``at_once``,
    ``_pulling``, ``_drive``, ``_ready``, ``_held``, ``_thread``, ``_cv``, ``_deadline``,
    ``_lines_dirty``)."""

    # -- time -----------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        """The next chip status change or check-in (unless the chips have their own
        thread) or settle read (ns)."""
        times = [super().next_deadline()]
        if self._thread is None:
            times.append(self._chips_deadline())
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        """Take the chips' samples due by ``now`` (IRQ, reads, events), then upkeep."""
        if self._thread is None:
            self._tick_chips(now)
        super().tick(now)

    def set_chip_thread(self, on: bool) -> None:
        """Give the chips a thread of their own (``on``), or stop it (callers tick)."""
        with self._cv:
            thread, self._thread = self._thread, None
            self._cv.notify_all()
        if thread is not None:
            thread.join()
        if on:
            with self._cv:
                self._thread = threading.Thread(target=self._chip_loop, daemon=True,
                                                name="sim-chips")
                self._thread.start()

    def _chips_deadline(self) -> int | None:
        # Cached until a chip is used again (``_kick``): the station asks often.
        cached = self._deadline
        if cached is not False:
            return cached
        times = [t for t in (c.next_deadline() for c in self._chips.values()) if t is not None]
        self._deadline = min(times) if times else None
        return self._deadline

    def _tick_chips(self, now: int) -> None:
        with self.at_once():             # lines that fall at this sample fall together
            for chip in self._chips.values():
                chip.tick(now)

    def _kick(self) -> None:
        if self._thread is None:
            self._deadline = False
            return
        with self._cv:                   # (the chip thread reads the cache under it)
            self._deadline = False
            self._cv.notify_all()

    def _chip_loop(self) -> None:
        me = threading.current_thread()
        while True:
            with self._cv:
                if self._thread is not me:
                    return
                redrive, self._lines_dirty = self._lines_dirty, False
                if not redrive:
                    due, now = self._chips_deadline(), self._clock.now_ns()
                    if due is None or due > now:
                        self._cv.wait(None if due is None else (due - now) / 1e9)
                        continue
            if redrive:
                if self._ready and not self._held:
                    for pin in self._pulling:
                        self._drive(pin)
                continue
            self._tick_chips(self._clock.now_ns())

    def run_until(self, t_ns: int) -> None:
        """Move the (virtual) clock to ``t_ns``, ticking at every deadline on the way."""
        while (due := self.next_deadline()) is not None and due <= t_ns:
            self._clock.set(max(due, self._clock.now_ns()))
            self.tick(self._clock.now_ns())
        self._clock.set(max(t_ns, self._clock.now_ns()))
        self.tick(self._clock.now_ns())

    def run_for(self, ms: float) -> None:
        """``run_until`` ``ms`` milliseconds from now."""
        self.run_until(self._clock.now_ns() + int(ms * 1_000_000))
