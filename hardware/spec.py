"""The station's wiring as plain, validated, immutable data (no Pi imports).

Pins are BCM GPIO numbers (0..27). A board is a touch chip (``chip``: a name in
``chips.CHIPS``, the MPR121 by default) at one of that chip's 7-bit I2C addresses
(MPR121: 0x5A..0x5D, set by the ADDR pin; CAP1188: 0x28..0x2D). Several boards may
share one open-drain IRQ line; a board with ``irq_pin=None`` is read by polling.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.core.errors import ConfigError

from .chips import CHIPS, DEFAULT_CHIP

INPUT_MODES = ("irq", "poll")
ELECTRODES = max(c.electrodes for c in CHIPS.values())   # the most any chip has


def _check_pin(pin: int, what: str) -> None:
    if not isinstance(pin, int) or isinstance(pin, bool) or not 0 <= pin <= 27:
        raise ConfigError(f"{what}: GPIO pin must be a BCM number 0..27, got {pin!r}.")


@dataclass(frozen=True)
class BoardSpec:
    """One touch board: its I2C ``address``, the BCM pin of its IRQ line (or None) and
    its ``chip`` (a name in ``chips.CHIPS``)."""

    address: int
    irq_pin: int | None = None
    chip: str = DEFAULT_CHIP

    def __post_init__(self) -> None:
        if self.chip not in CHIPS:
            raise ConfigError(f"board chip {self.chip!r} is not a touch chip the station "
                              f"knows; use one of: {', '.join(CHIPS)}.")
        problem = CHIPS[self.chip].check_address(self.address)
        if problem is not None:
            raise ConfigError(f"board address {problem}")
        if self.irq_pin is not None:
            _check_pin(self.irq_pin, f"board 0x{self.address:02X} irq_pin")


@dataclass(frozen=True)
class ButtonSpec:
    """A push button (arcade button, switch) wired from ``pin`` to ground: active low,
    internal pull-up. ``name`` is its role, e.g. ``"next_turn"`` or ``"p1_switch"``.
    ``bounce_ms``: ignore further edges for this many milliseconds after one (gpiozero's
    bounce_time; None = off; the mock pins do not implement it)."""

    name: str
    pin: int
    bounce_ms: float | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError("a button needs a name (its role, e.g. 'next_turn').")
        _check_pin(self.pin, f"button {self.name!r}")
        if self.bounce_ms is not None and not 0 <= self.bounce_ms <= 1000:
            raise ConfigError(f"button {self.name!r}: bounce_ms must be 0..1000, "
                              f"got {self.bounce_ms!r}.")


@dataclass(frozen=True)
class LightSpec:
    """A light on ``pin`` (active high). ``pwm=True`` allows brightness 0..1, else on/off."""

    name: str
    pin: int
    pwm: bool = True

    def __post_init__(self) -> None:
        if not self.name:
            raise ConfigError("a light needs a name.")
        _check_pin(self.pin, f"light {self.name!r}")


@dataclass(frozen=True)
class HardwareSpec:
    """All inputs and outputs of one station.

    ``input_mode``: ``"irq"`` reads a board when its IRQ line falls (lowest latency),
    ``"poll"`` reads every board each ``poll_interval_ms`` milliseconds (adds up to that
    much jitter). ``i2c_frequency`` is in Hz (on Linux the bus speed is really set by
    ``dtparam=i2c_arm_baudrate`` in config.txt; the value is passed on regardless).
    ``firm_touch_counts`` is how many counts a firm palm drops an electrode's filtered
    data below its baseline: ``Hardware.strength`` reports that drop as 1.0.
    """

    boards: tuple[BoardSpec, ...]
    buttons: tuple[ButtonSpec, ...] = ()
    lights: tuple[LightSpec, ...] = ()
    input_mode: str = "irq"
    poll_interval_ms: float = 10.0
    i2c_frequency: int = 400_000
    firm_touch_counts: int = 96

    def __post_init__(self) -> None:
        # Accept lists from config loaders but store tuples (frozen, hashable).
        for name in ("boards", "buttons", "lights"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if self.input_mode not in INPUT_MODES:
            raise ConfigError(f"input_mode must be 'irq' or 'poll', got {self.input_mode!r}.")
        if not self.poll_interval_ms > 0:
            raise ConfigError(f"poll_interval_ms must be > 0, got {self.poll_interval_ms!r}.")
        if not isinstance(self.i2c_frequency, int) or not 10_000 <= self.i2c_frequency <= 1_000_000:
            raise ConfigError(f"i2c_frequency must be 10000..1000000 Hz, "
                              f"got {self.i2c_frequency!r}.")
        if not isinstance(self.firm_touch_counts, int) or not 1 <= self.firm_touch_counts <= 1023:
            raise ConfigError(f"firm_touch_counts must be 1..1023, got {self.firm_touch_counts!r}.")
        addresses = [b.address for b in self.boards]
        dupes = sorted({a for a in addresses if addresses.count(a) > 1})
        if dupes:
            raise ConfigError("board address used twice: "
                              + ", ".join(f"0x{a:02X}" for a in dupes) + ".")
        names = [b.name for b in self.buttons] + [li.name for li in self.lights]
        dupes_n = sorted({n for n in names if names.count(n) > 1})
        if dupes_n:
            raise ConfigError("button/light name used twice: " + ", ".join(dupes_n) + ".")
        users: dict[int, str] = {}
        owners = [(b.irq_pin, f"IRQ of board 0x{b.address:02X}") for b in self.boards
                  if b.irq_pin is not None]
        owners += [(b.pin, f"button {b.name!r}") for b in self.buttons]
        owners += [(li.pin, f"light {li.name!r}") for li in self.lights]
        for pin, who in owners:
            # Boards may share an IRQ line (open drain); nothing else may share a pin.
            if pin in users and not (who.startswith("IRQ") and users[pin].startswith("IRQ")):
                raise ConfigError(f"GPIO {pin} is wired to both {users[pin]} and {who}.")
            users.setdefault(pin, who)

    @property
    def irq_lines(self) -> dict[int, tuple[int, ...]]:
        """IRQ pin -> addresses of the boards sharing that line (irq mode only)."""
        if self.input_mode != "irq":
            return {}
        lines: dict[int, list[int]] = {}
        for b in self.boards:
            if b.irq_pin is not None:
                lines.setdefault(b.irq_pin, []).append(b.address)
        return {pin: tuple(addrs) for pin, addrs in lines.items()}

    @property
    def polled_boards(self) -> tuple[int, ...]:
        """Addresses that ``Hardware.poll`` reads every call (all of them in poll mode)."""
        if self.input_mode == "poll":
            return tuple(b.address for b in self.boards)
        return tuple(b.address for b in self.boards if b.irq_pin is None)
