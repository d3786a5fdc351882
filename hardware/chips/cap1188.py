"""The CAP1188 behind the touch-chip seam, driven through the real ``adafruit_cap1188`` driver.

Microchip's CAP1188 (GUIDE section 16): 8 inputs, I2C addresses 0x28..0x2D (0x29 with
the breakout's AD pin unconnected, 0x28 with AD to 3Vo, 0x2A..0x2D by a pull-down
resistor on AD), product ID 0x50 at 0xFD, manufacturer 0x5D at 0xFE. It measures each
input once per cycle and reports a signed *delta count* (0x10..0x17: how far the input
stands above its own base count) against a per-input threshold (0x30..0x37, 0..127;
there is no separate release threshold: the touch ends when the delta falls below it).
A touch or a release sets the INT bit (main control 0x00, bit 0), which pulls the ALERT
line (the station's IRQ) low until INT is cleared; the driver's ``touched()`` clears INT
and then reads the input status 0x03, so each read re-arms the line.

What the station sets, and why: the driver already clears the multiple-touch blocking
(0x2A; by default the chip would sound only one pad at a time, and a large pad or a palm
across two pads counts as two touches); the station turns off the repeated interrupts of
a held pad (0x28 = 0: a held note needs no further reads) and makes the cycle 35 ms with
2 samples of 1.28 ms per input (0x24: a touch is seen within one cycle instead of the
default 70 ms at 8 samples). The chip recalibrates an input by itself after 16 negative
deltas in a row (a hand that rested at power-up and lifted), so the station need not
watch for lifted hands. The CAP1188 has no over-current or out-of-range flag.
"""

from __future__ import annotations

from ..touchchip import Inspection, TouchChip

MAIN, STATUS, DELTA0, BASE0 = 0x00, 0x03, 0x10, 0x50
AVERAGING, REPEAT, MULTI = 0x24, 0x28, 0x2A
PRODUCT, MANUFACTURER = 0xFD, 0xFE
PRODUCT_ID, MANUFACTURER_ID = 0x50, 0x5D
MULTI_RESET = 0x80          # 0x2A after reset: block all but one simultaneous touch
# 0x24: AVG 001 (2 samples), SAMP_TIME 10 (1.28 ms), CYCLE 00 (35 ms)
AVERAGING_STATION = 0b0_001_10_00
DEFAULT_THRESHOLD = 0x40    # 0x30..0x37 after reset: 64 delta counts
FIRM_DELTA = 96             # delta of a firm palm at the default sensitivity (32x)
# Sensitivity 0..1 -> threshold in delta counts, the same fractions of a firm palm as the
# MPR121's (so a sensitivity feels alike on both): half a palm (48) at 0, an eighth (12)
# at 0.5, a fingertip (3) at 1.
_LOUDEST_TH, _RATIO = FIRM_DELTA // 2, 1 / 16


class CAP1188(TouchChip):
    """One CAP1188 at ``address`` (the seam's attributes: ``touchchip.TouchChip``).
    Electrode e is the driver's pin e + 1 (the board's C1..C8)."""

    name = "cap1188"
    title = "CAP1188"
    electrodes = 8
    addresses = (0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D)
    address_pins = {0x28: "AD to 3Vo", 0x29: "AD unconnected",
                    **dict.fromkeys((0x2A, 0x2B, 0x2C, 0x2D), "a pull-down resistor on AD "
                                    "(the data sheet's address table)")}
    threshold_limits = (1, 127)
    default_thresholds = (DEFAULT_THRESHOLD, DEFAULT_THRESHOLD)
    settle_ns = 0                 # writes do not stop its sampling
    restarts_on_write = False
    can_recalibrate = True
    watches_lift = False          # it recalibrates a lifted hand's input by itself

    # -- life cycle -----------------------------------------------------------------------
    def open(self) -> None:
        """Initialise the chip with the driver (checks the IDs, links the LEDs, clears
        multiple-touch blocking, recalibrates every input), then the station's settings
        and thresholds set earlier. Raises ValueError (no device: the driver's probe),
        OSError (lost mid-way) or RuntimeError (the IDs are not a CAP1188's)."""
        from adafruit_cap1188.i2c import CAP1188_I2C  # lazy: pulls in Blinka's busio

        from adafruit_bus_device.i2c_device import I2CDevice

        self._driver = CAP1188_I2C(self.i2c, self.address)
        # registers the driver has no public call for, written through our own handle
        # (the driver's register helpers are its private members)
        self._device = I2CDevice(self.i2c, self.address, probe=False)
        self._write(REPEAT, 0x00)
        self._write(AVERAGING, AVERAGING_STATION)
        changed = self.changed_thresholds()
        if changed:
            self._write_thresholds(changed)
        self.out_of_range = 0
        self.online = True
        self.mask = 0
        self.lost_at_ns = None

    # -- reading --------------------------------------------------------------------------
    def read_mask(self) -> int:
        """The touched mask, bits 0..7: the driver clears INT (re-arming ALERT) and reads
        the input status (three transactions)."""
        return self._driver.touched() & 0xFF

    def delta(self, e: int) -> int:
        """Signed delta count of ``e``, -128..127 (one transaction)."""
        return self._driver.delta_count(e + 1)

    def baseline(self, e: int) -> int:
        """Base count of ``e`` (0x50 + e), 0..255 (one transaction)."""
        return self._read(BASE0 + e)

    def filtered(self, e: int) -> int:
        """The base count less the delta: a touch lowers it, as on every chip."""
        return self.baseline(e) - self.delta(e)

    def strength(self, e: int, firm_counts: int) -> float:
        """How firmly a touch landed, 0..1: its delta count over a firm palm's
        (``FIRM_DELTA``; the MPR121's ``firm_counts`` do not apply). One transaction;
        the chip averages a whole cycle, so a landing touch shows its full delta."""
        return max(0.0, min(1.0, self.delta(e) / FIRM_DELTA))

    # -- configuration --------------------------------------------------------------------
    @classmethod
    def sensitivity_thresholds(cls, sensitivity: float) -> tuple[int, int]:
        """(threshold, threshold) in delta counts for a sensitivity 0..1: 48 at 0, 12 at
        0.5, 3 at 1 (the chip has one threshold for touch and release)."""
        s = max(0.0, min(1.0, float(sensitivity)))
        touch = max(2, round(_LOUDEST_TH * _RATIO ** s))
        return touch, touch

    def _write(self, register: int, value: int) -> None:
        with self._device as dev:
            dev.write(bytes([register, value & 0xFF]))

    def _read(self, register: int) -> int:
        out = bytearray(1)
        with self._device as dev:
            dev.write_then_readinto(bytes([register]), out)
        return out[0]

    def _write_thresholds(self, values: dict[int, tuple[int, int]]) -> None:
        for e, (touch, _release) in sorted(values.items()):
            self._driver[e + 1].threshold = touch

    def recalibrate(self, electrodes: list[int] | None) -> None:
        """Re-take the base counts of ``electrodes`` (None: all) at the next cycle
        (CALIBRATION ACTIVATE 0x26; the chip clears each bit when done)."""
        chosen = range(self.electrodes) if electrodes is None else electrodes
        self._driver.recalibrate_pins(sum(1 << e for e in set(chosen)))

    # -- the seam's class methods ---------------------------------------------------------
    @classmethod
    def simulator(cls, *, clock, noise=None, drift=None, salt: int = 0):
        """A ``cap1188_sim.SimCAP1188`` on ``clock``."""
        from ..cap1188_sim import SimCAP1188
        return SimCAP1188(clock=clock, noise=noise, drift=drift, salt=salt)

    @classmethod
    def inspect(cls, read_register, address: int, quiet: bool) -> Inspection:
        """The product and manufacturer IDs; the multiple-touch register tells whether
        the station started it (0x00) or it is in its reset state (0x80). Reads nothing
        that would re-arm a running station's ALERT line."""
        product = read_register(address, PRODUCT)[0]
        maker = read_register(address, MANUFACTURER)[0]
        if (product, maker) != (PRODUCT_ID, MANUFACTURER_ID):
            return Inspection(False, f"product ID 0x{product:02X}, manufacturer "
                                     f"0x{maker:02X}, not 0x50 and 0x5D")
        multi = read_register(address, MULTI)[0]
        state = ("started by the station" if multi == 0 else "in its reset state"
                 if multi == MULTI_RESET else f"configured by another program (0x2A reads "
                                              f"0x{multi:02X})")
        return Inspection(True, state=state)
