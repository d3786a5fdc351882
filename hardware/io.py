"""``Hardware``: the station's one view of its boards, buttons and lights.

The same class runs on a Raspberry Pi (``i2c`` = busio.I2C, gpiozero's default pin
factory) and in the simulator (SimI2C, gpiozero's MockFactory). What it observes
becomes ``station.core.events.Event`` objects handed to ``emit``:

* ``touch``/``release`` (board, electrode): from one ``touched()`` read per board per
  IRQ edge (or per poll), diffed against the last mask; releases before touches.
  ``t_ns`` is ``clock.now_ns()`` taken when the edge was seen, before the read.
* ``press``/``unpress`` (button = its name).
* ``fault`` (board, detail; their list is in ``health``): lost, missing, over-current,
  recovered boards; electrodes out of range and back.

Thresholds, recalibration and touch strength are in ``tuning``; timed upkeep (settle
reads after a chip restarts, lifted hands, range re-checks) is in ``upkeep``;
``next_deadline()``/``tick(now)`` make it a station timer.

Threads: gpiozero runs edge callbacks in its own thread while the engine calls
``set_thresholds``/``poll``; one re-entrant lock guards all bus use. An edge arriving
in the *same* thread during bus use (the simulator) waits until that bus use ends,
then is served if its line is still active.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from station.core.clock import NS_PER_S
from station.core.errors import ChipFaultError
from station.core.events import PRESS, RELEASE, TOUCH, UNPRESS, Event

from .chips import chip_class
from .health import Health
from .spec import ELECTRODES, HardwareSpec
from .touchchip import TouchChip
from .tuning import Tuning
from .upkeep import Upkeep

REPROBE_NS = NS_PER_S   # an offline board is probed at most once per second
HEARTBEAT_NS = NS_PER_S // 10  # an IRQ board unread this long is read by poll()
MAX_REREADS = 4         # reads per edge while the IRQ line stays low (never spin forever)


class Hardware(Tuning, Health, Upkeep):
    """All inputs and outputs of one station (see the module docstring).

    ``spec``: the wiring. ``i2c``: an object with try_lock/unlock/writeto/readfrom_into/
    writeto_then_readfrom. ``emit(event)``: where events go (quick, thread-safe on a
    Pi). ``clock``: has ``now_ns()``. Pins come from gpiozero's current pin factory.
    """

    def __init__(self, spec: HardwareSpec, i2c, emit: Callable[[Event], None], clock) -> None:
        self.spec = spec
        self.i2c = i2c
        self._emit = emit
        self._clock = clock
        self._boards = {b.address: chip_class(b.chip)(i2c, b.address) for b in spec.boards}
        self._lock = threading.RLock()
        self._depth = 0                       # nesting of bus use in the lock's owner
        self._hold = _BusHold(self._bus_enter, self._bus_exit)   # what _bus() returns
        self._pending: dict[int, int] = {}    # IRQ pin -> t_ns of a deferred edge
        self._lines: dict[int, Any] = {}      # IRQ pin -> gpiozero DigitalInputDevice
        self._buttons: dict[str, Any] = {}
        self._lights: dict[str, Any] = {}
        self._pwm = {li.name: li.pwm for li in spec.lights}
        self._started = False
        self._closed = False
        self._init_upkeep()

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> None:
        """Initialise every board (a missing one is a fault event, not an error), then
        create the IRQ inputs, buttons and lights on the current pin factory."""
        from gpiozero import LED, PWMLED, DigitalInputDevice  # lazy: pin factory

        if self._started:
            raise RuntimeError("Hardware.start() was already called")
        self._started = True
        now = self._clock.now_ns()
        for board in self._boards.values():
            self._open(board, now, recovering=False)
        for pin in self.spec.irq_lines:
            line = DigitalInputDevice(pin, pull_up=True)
            line.when_activated = self._irq_callback(pin)
            self._lines[pin] = line
        self._lines_ready()
        for b in self.spec.buttons:
            # DigitalInputDevice rather than Button: no hold thread to start and join.
            bounce = None if b.bounce_ms is None else b.bounce_ms / 1000
            button = DigitalInputDevice(b.pin, pull_up=True, bounce_time=bounce)
            button.when_activated = self._button_callback(PRESS, b.name)
            button.when_deactivated = self._button_callback(UNPRESS, b.name)
            self._buttons[b.name] = button
        for li in self.spec.lights:
            self._lights[li.name] = PWMLED(li.pin) if li.pwm else LED(li.pin)
        with self._lock:  # a line may already be low (asserted during init)
            for pin, line in self._lines.items():
                if line.is_active:
                    self._service_line(pin, now)

    def close(self) -> None:
        """Close every gpiozero device (idempotent). The bus belongs to the caller."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            devices = [*self._lines.values(), *self._buttons.values(), *self._lights.values()]
        for device in devices:
            device.close()

    # -- periodic work --------------------------------------------------------------------
    def poll(self, now_ns: int) -> None:
        """Called every ``spec.poll_interval_ms`` by the runner: read polled boards,
        serve any IRQ line left low, read IRQ boards not read for ``HEARTBEAT_NS``
        (an unplugged board raises no IRQ: this is how a held note learns its board
        is gone, within 0.1 s), re-probe offline boards (each at most once a second
        of station time; a board that answers is re-initialised), then the upkeep
        (lifted hands, range re-checks: ``upkeep``)."""
        with self._lock:
            if self._closed:
                return
            for address in self.spec.polled_boards:
                board = self._boards[address]
                if board.online:
                    self._read(board, now_ns)
            for pin, line in self._lines.items():
                if line.is_active:  # safety net: an edge nobody served
                    self._service_line(pin, now_ns)
            for board in self._boards.values():
                if board.online and now_ns - board.last_read_ns >= HEARTBEAT_NS:
                    self._read(board, now_ns)
                elif not board.online and now_ns - board.lost_at_ns >= REPROBE_NS:
                    self._open(board, now_ns, recovering=True)
            self._upkeep(now_ns)

    # -- boards ---------------------------------------------------------------------------
    @property
    def boards(self) -> list[int]:
        """Configured board addresses, in spec order."""
        return list(self._boards)

    def online(self, address: int) -> bool:
        return self._board(address).online

    def out_of_range(self, address: int) -> list[int]:
        """Electrodes out of range at the board's last initialisation (numb pads)."""
        board = self._board(address)
        return [e for e in board.all_electrodes if board.out_of_range >> e & 1]

    def touched_mask(self, address: int) -> int:
        """Last known touched mask of a board (bit e = electrode e; 0 when offline)."""
        return self._board(address).mask

    @property
    def i2c_stats(self) -> dict[str, int] | None:
        """The bus's counters (transactions, bytes, errors) if it keeps them."""
        stats = getattr(self.i2c, "stats", None)
        return dict(stats) if isinstance(stats, dict) else None

    # -- lights ---------------------------------------------------------------------------
    def light(self, name: str):
        """The gpiozero LED/PWMLED called ``name``."""
        try:
            return self._lights[name]
        except KeyError:
            raise KeyError(f"no light named {name!r}; configured: {sorted(self._lights)}") from None

    def set_light(self, name: str, value: float) -> None:
        """Brightness 0..1 (clamped); an on/off light is on from 0.5."""
        light = self.light(name)
        value = max(0.0, min(1.0, float(value)))
        light.value = value if self._pwm[name] else value >= 0.5

    # -- internals ------------------------------------------------------------------------
    def _lines_ready(self) -> None:  # hook: the IRQ inputs exist (the simulator syncs)
        pass

    def _board(self, address: int) -> TouchChip:
        try:
            return self._boards[address]
        except KeyError:
            raise KeyError(f"no board at {address!r}; configured: "
                           + ", ".join(f"0x{a:02X}" for a in self._boards)) from None

    def _bus(self) -> _BusHold:
        """``with self._bus():`` holds the bus (re-entrant); IRQ edges that come meanwhile
        are served when the outermost hold ends. A plain object, not a generator-based
        context manager: every read takes one or two (a storm makes thousands a second)."""
        return self._hold

    def _bus_enter(self) -> None:
        self._lock.acquire()
        self._depth += 1

    def _bus_exit(self) -> None:
        try:
            self._depth -= 1
            if self._depth == 0 and self._pending and not self._closed:
                pending, self._pending = self._pending, {}
                for pin, t_ns in pending.items():
                    if self._lines[pin].is_active:
                        self._service_line(pin, t_ns)
        finally:
            self._lock.release()

    def _irq_callback(self, pin: int):
        def on_edge() -> None:
            t_ns = self._clock.now_ns()  # the edge time, before waiting for the lock
            with self._lock:
                if self._closed:
                    return
                if self._depth:
                    self._pending.setdefault(pin, t_ns)
                    return
                self._service_line(pin, t_ns)
        return on_edge

    def _button_callback(self, kind: str, name: str):
        def on_button() -> None:
            if not self._closed:
                self._emit(Event(kind=kind, t_ns=self._clock.now_ns(), button=name))
        return on_button

    def _service_line(self, pin: int, t_ns: int) -> None:
        addresses = self.spec.irq_lines[pin]
        with self._bus():
            for _ in range(MAX_REREADS):
                for address in addresses:
                    board = self._boards[address]
                    if board.online:
                        self._read(board, t_ns)
                if not self._lines[pin].is_active:
                    return

    def _read(self, board: TouchChip, t_ns: int) -> None:
        if t_ns < board.quiet_until:
            return                  # restarted: the settle read comes at quiet_until
        with self._bus():
            try:
                mask = board.read_mask()
            except ChipFaultError as exc:
                self._lose(board, t_ns, exc.detail)
                return
            except OSError:
                self._lose(board, t_ns)
                return
            old, board.mask = board.mask, mask
            board.last_read_ns = max(board.last_read_ns, t_ns)
            self._emit_changes(board.address, old, mask, t_ns)

    def _emit_changes(self, address: int, old: int, new: int, t_ns: int) -> None:
        gone, came = old & ~new, new & ~old
        for kind, bits in ((RELEASE, gone), (TOUCH, came)):
            for e in range(ELECTRODES):
                if bits >> e & 1:
                    self._emit(Event(kind=kind, t_ns=t_ns, board=address, electrode=e))


class _BusHold:
    """``Hardware._bus()``: calls the hardware's own enter and exit around a block."""

    __slots__ = ("enter", "exit")

    def __init__(self, enter: Callable[[], None], exit: Callable[[], None]) -> None:
        self.enter, self.exit = enter, exit

    def __enter__(self) -> None:
        self.enter()

    def __exit__(self, *exc) -> None:
        self.exit()
