"""The simulated station: a ``Hardware`` over simulated touch chips and gpiozero mock pins.

``SimulatedHardware`` *is* a ``Hardware`` (the engine cannot tell the difference) with
the world's actions added: hands on pads, buttons pressed, boards unplugged. Each
configured board gets its chip's register model (``TouchChip.simulator``: a
``SimMPR121``, a ``SimCAP1188``) on a ``SimI2C`` bus; each chip's open-drain IRQ
output is wired to its line's mock pin (several chips on one line make a wired-OR:
the line is low while any of them pulls it). With MockFactory a pin change runs the
callbacks synchronously: deterministic, no threads, no sleeps.

The chips live on the station's clock. A hand put on a pad at t is seen by the chip's
next sample (1 ms later with the driver's settings; a light touch a few samples
later), which pulls IRQ low, and the read and ``emit`` follow inside that tick.
``next_deadline()``/``tick(now)`` make the whole simulated hardware a station timer
(the runner and the daemon wake exactly when a chip's status changes);
``run_until(t_ns)`` drives it alone on a ``VirtualClock`` (tests).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

from station.core.errors import BoardError
from station.core.events import Event

from .chip.electrode import Drift, Noise
from .chips import chip_class
from .i2c_sim import SimI2C
from .io import Hardware
from .mock import is_mock_factory, use_mock_pins
from .sim_time import ChipTime
from .spec import HardwareSpec


class SimulatedHardware(ChipTime, Hardware):
    """A ``Hardware`` whose boards, buttons and lights are simulated.

    ``present``: the addresses that answer on the bus (default: every configured
    board); the others start unplugged, so ``plug(address)`` can bring them in later.
    Uses gpiozero's current pin factory, which must be a MockFactory (if none is set,
    ``use_mock_pins()`` sets one).

    Time: on a virtual clock the chips are ticked by whoever drives time (the station's
    timers: ``next_deadline``/``tick``; ``run_until`` in tests), so everything, IRQ
    callbacks included, runs in that thread, deterministically. ``chip_thread=True``
    (the daemon on the real clock) gives the chips a thread of their own instead, as
    real chips sample by themselves: it sleeps until a chip's next status change and
    ticks it there, so IRQ callbacks run in it as in gpiozero's edge thread on a Pi.
    Every method is thread-safe.
    """

    def __init__(self, spec: HardwareSpec, emit: Callable[[Event], None], clock, *,
                 present: Iterable[int] | None = None, noise: Noise | None = None,
                 drift: Drift | None = None, chip_thread: bool = False) -> None:
        from gpiozero import Device

        if Device.pin_factory is None:
            use_mock_pins()
        if not is_mock_factory(Device.pin_factory):
            raise BoardError("The simulator needs gpiozero's mock pins, but another pin "
                             "factory is in use; unset GPIOZERO_PIN_FACTORY.")
        self.factory = Device.pin_factory
        super().__init__(spec, SimI2C(spec.i2c_frequency), emit, clock)
        configured = [b.address for b in spec.boards]
        present = set(configured if present is None else present)
        unknown = present - set(configured)
        if unknown:
            raise ValueError("present boards not in the spec: "
                             + ", ".join(f"0x{a:02X}" for a in sorted(unknown)))
        self._chips: dict[int, Any] = {}   # address -> its chip's register model
        self._pulling: dict[int, set[int]] = {pin: set() for pin in spec.irq_lines}
        self._ready = False
        self._held = 0        # nesting of at_once(): IRQ lines wait until it ends
        self._held_lock = threading.Lock()
        self._want_thread = chip_thread
        self._thread: threading.Thread | None = None
        self._cv = threading.Condition()
        self._lines_dirty = False   # another thread asked for the IRQ pins to be driven
        self._deadline: int | None | bool = False   # the chips' next deadline (False: ask)
        self._mock_pins: dict[int, Any] = {}
        for b in spec.boards:
            chip = chip_class(b.chip).simulator(clock=clock, noise=noise, drift=drift,
                                                salt=b.address)
            chip.on_wake = self._kick
            if b.irq_pin in self._pulling:
                chip.on_irq = self._irq_wire(b.irq_pin, b.address)
            if b.address not in present:
                chip.unplug()
            self.i2c.attach(b.address, chip)
            self._chips[b.address] = chip

    # -- the world ------------------------------------------------------------------------
    @property
    def bus(self) -> SimI2C:
        return self.i2c

    def chip(self, address: int):
        """The register model of the board at ``address`` (a ``SimMPR121``, ...)."""
        return self._chips[address]

    def touch(self, address: int, electrode: int, strength: float = 1.0) -> None:
        """A hand on a pad; ``strength`` 0..2, 1.0 = firm palm (96 counts)."""
        self._chips[address].touch(electrode, strength)

    def release(self, address: int, electrode: int) -> None:
        self._chips[address].release(electrode)

    def set_noise(self, noise: Noise) -> None:
        """Noise on every electrode of every board (``Noise(sigma_counts, seed)``)."""
        for chip in self._chips.values():
            chip.set_noise(noise)

    def set_drift(self, drift: Drift) -> None:
        """Slow drift of every electrode (``Drift(amplitude_counts, period_s, seed)``)."""
        for chip in self._chips.values():
            chip.set_drift(drift)

    def overcurrent(self, address: int, on: bool = True) -> None:
        """Short (or free) the board's REXT pin: it stops on its over-current flag."""
        self._model(address, "set_overcurrent", "over-current flag")(on)

    def short(self, address: int, electrode: int, on: bool = True) -> None:
        """A pad's wire touches ground (or is freed): it reads 0, out of range."""
        self._model(address, "short", "out-of-range status")(electrode, on)

    def _model(self, address: int, action: str, what: str):
        chip = self._chips[address]
        if not hasattr(chip, action):
            raise ValueError(f"board 0x{address:02X} is {self.chip_type(address).a_title()}, "
                             f"which has no {what}: that fault cannot happen to it.")
        return getattr(chip, action)

    def start(self) -> None:
        super().start()
        self.set_chip_thread(self._want_thread)

    def close(self) -> None:
        self.set_chip_thread(False)
        super().close()

    @contextmanager
    def at_once(self):
        """World changes made inside land within one chip sample period (as all
        changes made at one instant do), and every IRQ line that should fall falls
        together when the block ends (a palm across many pads and boards). Nestable."""
        with self._held_lock:
            self._held += 1
        try:
            yield self
        finally:
            with self._held_lock:
                self._held -= 1
                last = not self._held
            if last and self._ready:
                for pin in self._pulling:
                    self._drive(pin)

    def stick(self, address: int, electrode: int) -> None:
        """The electrode reads touched until recalibrated (or ``unstick``)."""
        self._chips[address].stick(electrode)

    def unstick(self, address: int, electrode: int) -> None:
        self._chips[address].unstick(electrode)

    def unplug(self, address: int) -> None:
        """The board's cable comes out: it stops answering and lets go of IRQ."""
        self._chips[address].unplug()

    def plug(self, address: int) -> None:
        """The cable goes back in: the chip is in power-on reset until re-initialised."""
        self._chips[address].plug()

    def press(self, name: str) -> None:
        """Press a button (its pin goes low)."""
        self._button_pin(name).drive_low()

    def unpress(self, name: str) -> None:
        self._button_pin(name).drive_high()

    def light_state(self, name: str) -> float:
        """The light's pin value now: 0..1 for PWM lights, 0.0/1.0 for on/off ones."""
        return float(self.factory.pin(self._light_spec(name).pin).state)

    def light_history(self, name: str) -> list[float]:
        """Every value the light's pin has taken, oldest first (from the mock pin)."""
        return [float(s.state) for s in self.factory.pin(self._light_spec(name).pin).states]

    def line_low(self, pin: int) -> bool:
        """Whether an IRQ line is being pulled low by any chip."""
        return bool(self._pulling[pin])

    # -- wiring ---------------------------------------------------------------------------
    def _irq_wire(self, pin: int, address: int):
        chip_of = self._chips

        def on_irq(low: bool) -> None:
            # The level *now* (callbacks from several threads may arrive out of order).
            chip = chip_of.get(address)
            low = chip.irq_low and chip.plugged if chip is not None else low
            pulling = self._pulling[pin]
            (pulling.add if low else pulling.discard)(address)
            if self._ready and not self._held:
                self._drive(pin)
        return on_irq

    def _drive(self, pin: int) -> None:
        if self._thread is not None and threading.current_thread() is not self._thread:
            # One thread drives the IRQ pins (gpiozero's edge thread on a Pi): another
            # thread driving them too could leave a line high under a pulling chip.
            self._lines_dirty = True
            self._kick()
            return
        mock = self._mock_pins.get(pin)
        if mock is None:
            mock = self._mock_pins[pin] = self.factory.pin(pin)
        if self._pulling[pin] and mock.state:
            mock.drive_low()
        elif not self._pulling[pin] and not mock.state:
            mock.drive_high()

    def _lines_ready(self) -> None:
        # Until the input devices existed the pins floated; now apply what the chips do.
        self._ready = True
        for pin in self._pulling:
            self._drive(pin)

    def _button_pin(self, name: str):
        for b in self.spec.buttons:
            if b.name == name:
                return self.factory.pin(b.pin)
        raise KeyError(f"no button named {name!r}")

    def _light_spec(self, name: str):
        for li in self.spec.lights:
            if li.name == name:
                return li
        raise KeyError(f"no light named {name!r}")
