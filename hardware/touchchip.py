"""The touch-chip seam: what a capacitive touch chip's driver provides to the station.

In the style of gpiozero's ``Factory``/``Pin``: ``io.Hardware`` knows boards only through
this class, and each chip (``chips.mpr121.MPR121``, ``chips.cap1188.CAP1188``) is one
subclass that drives the chip through its real Adafruit driver. ``chips.CHIPS`` maps the
config's ``chip:`` name to the class; ``chip_class(name)`` looks one up.

A subclass **must** provide:

* class facts: ``name`` (the config's word), ``title`` (for people), ``electrodes``
  (inputs, numbered 0..electrodes-1), ``addresses`` (its valid 7-bit I2C addresses) and
  ``address_pins`` (how the board is set to each, for messages);
* ``open()``: reset and initialise the chip through its driver, re-applying thresholds
  set earlier; the station calls it again to re-initialise a board that was lost or
  faulted (a board that does not answer raises ``ValueError`` or ``OSError``; one that
  answers but is not this chip ``RuntimeError``; a chip that reports a fault of its own
  ``ChipFaultError``);
* ``read_mask()``: the touched mask (bit e = electrode e), one transaction if it can;
* ``filtered(e)`` and ``baseline(e)``: the electrode's data and its untouched reference,
  in the chip's own counts (a touch moves ``filtered`` away from ``baseline``);
* ``sensitivity_thresholds(s)`` (a class method): the therapist's one unit, a
  sensitivity 0..1 (1 = the lightest touch sounds), as (touch, release) thresholds in
  the chip's own units; ``threshold_limits`` their range; ``_write_thresholds(values)``;
* ``simulator(clock, noise, drift, salt)`` (a class method): its register-level model,
  an ``i2c_sim.I2CTarget`` with ``touch/release/stick/unstick/unplug/plug``,
  ``set_noise/set_drift``, ``next_deadline/tick``, ``irq_low``, ``plugged``, ``on_irq``
  and ``on_wake``;
* ``inspect(read_register, address, quiet)`` (a class method): what ``station doctor``
  reads with plain register reads, without disturbing a running station.

It **may** provide: ``recalibrate(electrodes)`` (re-take baselines; ``can_recalibrate``),
``lifted(electrodes)`` (pads whose baseline was taken under a hand since lifted, when
the chip does not repair that itself: ``watches_lift``), ``strength(e, firm)`` (how
firmly a touch landed, 0..1), faults (``out_of_range``: a bit mask of electrodes the
chip cannot sense; ``read_mask``/``open`` raise ``ChipFaultError`` with the fault's
``detail``, e.g. ``board_overcurrent``), and ``settle_ns``/``restarts_on_write`` (a
write that stops and restarts the chip's sampling makes its status meaningless for
``settle_ns``: reads wait that long).

The board's bookkeeping (online, last mask, loss time, wanted thresholds, settle and
re-check times) is the same for every chip and lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass
class Inspection:
    """What ``station doctor`` learnt from a board's registers. ``is_it``: the registers
    identify this chip (``seen`` says what they read otherwise); ``state``: in words
    (started by the station, in reset state); ``overcurrent``: None when not read or
    the chip has no such flag; ``out_of_range``: electrodes it cannot sense."""

    is_it: bool
    seen: str = ""
    state: str = ""
    overcurrent: bool | None = None
    out_of_range: list[int] = field(default_factory=list)


class TouchChip:
    """One touch board at ``address`` on ``i2c`` (see the module docstring).

    ``online`` is False until ``open`` succeeds and after a read fails. ``mask`` is the
    last touched mask read. ``fault``: the last fault reported for it (None when well).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    electrodes: ClassVar[int] = 0
    addresses: ClassVar[tuple[int, ...]] = ()
    address_pins: ClassVar[dict[int, str]] = {}
    threshold_limits: ClassVar[tuple[int, int]] = (0, 255)
    default_thresholds: ClassVar[tuple[int, int]] = (0, 0)
    settle_ns: ClassVar[int] = 0
    restarts_on_write: ClassVar[bool] = False
    can_recalibrate: ClassVar[bool] = False
    watches_lift: ClassVar[bool] = False

    def __init__(self, i2c, address: int) -> None:
        self.i2c = i2c
        self.address = address
        self.online = False
        self.mask = 0
        self.lost_at_ns: int | None = None  # when it went offline (for re-probing)
        self.last_read_ns = 0               # station time of the last good read
        self.out_of_range = 0
        self.fault: str | None = None
        self.quiet_until = 0                # ns: reads wait for the chip's first samples
        self.reread_at: int | None = None   # ns: read it when the quiet time ends
        self.range_at: int | None = None    # ns: re-check electrodes out of range
        self._thresholds: dict[int, tuple[int, int]] = {}
        self._driver: Any = None            # the Adafruit driver object, from ``open``
        self._device: Any = None            # raw register access, for chips that need it

    def __repr__(self) -> str:
        state = "online" if self.online else "offline"
        return f"<{self.title} 0x{self.address:02X} {state} mask=0x{self.mask:03X}>"

    # -- what every chip must provide -------------------------------------------------------
    def open(self) -> None:
        raise NotImplementedError

    def read_mask(self) -> int:
        raise NotImplementedError

    def filtered(self, e: int) -> int:
        raise NotImplementedError

    def baseline(self, e: int) -> int:
        raise NotImplementedError

    @classmethod
    def sensitivity_thresholds(cls, sensitivity: float) -> tuple[int, int]:
        raise NotImplementedError

    def _write_thresholds(self, values: dict[int, tuple[int, int]]) -> None:
        raise NotImplementedError

    @classmethod
    def simulator(cls, *, clock, noise=None, drift=None, salt: int = 0):
        raise NotImplementedError

    @classmethod
    def inspect(cls, read_register, address: int, quiet: bool) -> Inspection:
        raise NotImplementedError

    # -- what a chip may provide --------------------------------------------------------------
    def recalibrate(self, electrodes: list[int] | None) -> None:
        """Re-take baselines (all electrodes, or some). Default: none can be."""
        raise NotImplementedError(f"the {self.title} cannot recalibrate")

    def lifted(self, electrodes) -> list[int]:
        """Electrodes whose baseline was taken under a hand that has gone. Default:
        none (the chip repairs that by itself, or cannot tell)."""
        return []

    def strength(self, e: int, firm_counts: int) -> float:
        """How firmly a touch landed, 0..1: its drop below the baseline over
        ``firm_counts`` (a firm palm), clamped."""
        drop = self.baseline(e) - self.filtered(e)
        return max(0.0, min(1.0, drop / firm_counts))

    # -- shared bookkeeping ---------------------------------------------------------------------
    @classmethod
    def check_electrode(cls, e: int) -> int:
        """``e`` if it is one of this chip's electrodes, else ValueError."""
        if not isinstance(e, int) or isinstance(e, bool) or not 0 <= e < cls.electrodes:
            raise ValueError(f"electrode must be 0..{cls.electrodes - 1} on "
                             f"{cls.a_title()}, got {e!r}")
        return e

    @classmethod
    def check_thresholds(cls, touch: int, release: int) -> None:
        """Thresholds are integers in ``threshold_limits``; release above touch would
        chatter."""
        low, high = cls.threshold_limits
        for name, value in (("touch", touch), ("release", release)):
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{name} threshold must be an integer {low}..{high} on "
                                 f"{cls.a_title()}, got {value!r}")
        if release > touch:
            raise ValueError(f"release threshold {release} is above touch threshold {touch}")

    @classmethod
    def check_address(cls, address: int) -> str | None:
        """None if ``address`` is one of this chip's, else what to do, in words."""
        if address in cls.addresses:
            return None
        choices = ", ".join(f"0x{a:02X}" for a in cls.addresses)
        return (f"{address:#x} is not {cls.a_title()} address; use one of {choices} "
                f"(set on the board: {cls.address_pins_words()}).")

    @classmethod
    def a_title(cls) -> str:
        """"an MPR121", "a CAP1188": the title with its article, for messages."""
        return ("an " if cls.title[:1] in "AEFHILMNORSX" else "a ") + cls.title

    @classmethod
    def address_pins_words(cls) -> str:
        """How the board is set to each address, in words (addresses set alike share)."""
        ways: dict[str, list[int]] = {}
        for address, how in cls.address_pins.items():
            ways.setdefault(how, []).append(address)
        return "; ".join(", ".join(f"0x{a:02X}" for a in addresses) + f" {how}"
                         for how, addresses in ways.items())

    @property
    def all_electrodes(self) -> tuple[int, ...]:
        return tuple(range(self.electrodes))

    def mark_lost(self, t_ns: int) -> int:
        """Take the board offline; returns the mask that was touched (now released)."""
        was = self.mask
        self.online = False
        self.mask = 0
        self.lost_at_ns = t_ns
        return was

    @property
    def driver(self):
        """The Adafruit driver object (None before the first ``open``)."""
        return self._driver

    def thresholds(self, e: int) -> tuple[int, int]:
        """The (touch, release) thresholds wanted for ``e``, in the chip's units."""
        return self._thresholds.get(e, self.default_thresholds)

    def set_thresholds(self, e: int, touch: int, release: int) -> None:
        """Remember (touch, release) for ``e`` and write them if online. A board that is
        offline gets them when it comes back (``open``)."""
        self._thresholds[e] = (touch, release)
        if self.online:
            self._write_thresholds({e: (touch, release)})

    def changed_thresholds(self) -> dict[int, tuple[int, int]]:
        """Thresholds set earlier that differ from the driver's defaults (``open``
        writes them again)."""
        return {e: tr for e, tr in self._thresholds.items() if tr != self.default_thresholds}
