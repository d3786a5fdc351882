"""One MPR121 board on the bus, driven through the real ``adafruit_mpr121`` driver.

``Board`` knows registers, not threads or events: ``io.Hardware`` holds the bus lock
around every call and turns masks into events. Every method that talks to the chip
raises ``OSError`` when it stops answering (errno 121 on Linux), and
``ChipFaultError`` when the chip reports its over-current flag.

Thresholds and recalibration are written with raw register writes rather than the
driver's setters, because the driver follows every register write with ECR=0x8F,
whose CL bits (10) make the chip re-take *all* baselines: changing one client's
thresholds while someone else rests a hand on a pad would make that pad dead. Here
a stop/write/run cycle ends with ECR=0x0F (CL=00: keep the current baselines).
Every stop/run cycle restarts the chip's sampling and resets its outputs (data sheet
§5.11): its status means nothing until the first sample after the run (``SETTLE_NS``
covers two samples of the driver's 1 ms period); ``io.Hardware`` waits that long.

At ``open`` the chip also configures its own charge current and time per electrode
(auto-configuration, §5.13: limits for a 3.3 V supply), so big pads and long wires
read in range; an electrode it cannot bring within range (a wire shorted to ground,
a pad far too big) is reported in ``out_of_range``.
"""

from __future__ import annotations

from typing import Any

from station.core.errors import ChipFaultError

ECR = 0x5E
STATUS = 0x00
OOR = 0x02
TOUCH_TH0 = 0x41
RELEASE_TH0 = 0x42
FILTERED0 = 0x04
BASELINE0 = 0x1E
AUTOCONFIG0, AUTOCONFIG1, USL = 0x7B, 0x7C, 0x7D
ECR_STOP = 0x00
ECR_RUN_KEEP = 0x0F      # 12 electrodes, no proximity, CL=00: keep baselines
ECR_RUN_RELOAD = 0xCF    # 12 electrodes, CL=11: baselines <- all 10 bits of current data
ECR_RUN_LOAD5 = 0x8F     # what the driver writes: CL=10, baselines <- 5 high bits
DEFAULT_TOUCH = 12       # what the driver writes at init
DEFAULT_RELEASE = 6
ALL = 0x0FFF             # electrodes 0..11 (the status word leaks bits 12..15)
OVCF = 0x8000            # status bit 15: over-current, the chip has stopped
SFI = 4                  # the driver's CONFIG2 0x20: second filter of 4 samples, 1 ms each
SETTLE_NS = 2_000_000    # two samples after a run starts, the status means something again
LIMITS = (201, 131, 181)  # USL, LSL, TL for Vdd = 3.3 V (data sheet §5.13, equations 1-3)
AUTO_ON = 0x09           # AUTO-CONFIG 0: FFI 00 (as CONFIG1), BVA 10 (as CL), ACE
AUTO_OFF = 0x08
LIFT_MARGIN = 4          # counts: the baseline register drops its 2 low bits


class Board:
    """One MPR121 at ``address``. ``online`` is False until ``open`` succeeds and after
    a read fails. ``mask`` is the last touched mask read (bit e = electrode e).
    ``out_of_range``: electrodes (bits) the last auto-configuration could not bring
    within range. ``fault``: the last fault reported for it (None when well)."""

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
        self._driver: Any = None       # adafruit_mpr121.MPR121 once opened (untyped library)
        self._device: Any = None       # its I2CDevice

    def __repr__(self) -> str:
        state = "online" if self.online else "offline"
        return f"<Board 0x{self.address:02X} {state} mask=0x{self.mask:03X}>"

    # -- life cycle ---------------------------------------------------------------------
    def open(self) -> None:
        """Initialise the chip with the driver (soft reset, default config, run mode),
        let it configure its charges, re-apply thresholds set earlier, and check it runs.
        Raises ValueError (no device: the driver's probe), OSError (lost mid-way),
        RuntimeError (not an MPR121's reset state) or ChipFaultError (over-current, also
        after clearing the flag once). On success the board is online, mask empty."""
        import adafruit_mpr121  # lazy: pulls in Blinka's busio
        from adafruit_bus_device.i2c_device import I2CDevice

        self._driver = adafruit_mpr121.MPR121(self.i2c, self.address)
        self._device = I2CDevice(self.i2c, self.address, probe=False)
        for attempt in (1, 2):
            self._configure()
            if not self._status() & OVCF:
                break
            if attempt == 2:
                raise ChipFaultError(
                    f"the touch board 0x{self.address:02X} reports an over-current on its "
                    f"REXT pin and will not run: check the board and its wiring for a "
                    f"short.", "board_overcurrent")
            self._write([STATUS + 1, 0x80])        # write 1 to OVCF clears it (§5.1)
            self._driver.reset()
        self.out_of_range = self._read_oor()
        self.online = True
        self.mask = 0
        self.lost_at_ns = None

    def _configure(self) -> None:
        usl, lsl, tl = LIMITS
        self._write([ECR, ECR_STOP], [USL, usl], [USL + 1, lsl], [USL + 2, tl],
                    [AUTOCONFIG1, 0x00], [AUTOCONFIG0, AUTO_ON], [ECR, ECR_RUN_LOAD5],
                    # Configured once: a later stop -> run (thresholds, recalibration)
                    # must not re-configure a pad while a hand rests on it.
                    [ECR, ECR_STOP], [AUTOCONFIG0, AUTO_OFF], [ECR, ECR_RUN_LOAD5])
        changed = {e: tr for e, tr in self._thresholds.items()
                   if tr != (DEFAULT_TOUCH, DEFAULT_RELEASE)}
        if changed:
            self._write_thresholds(changed)

    def mark_lost(self, t_ns: int) -> int:
        """Take the board offline; returns the mask that was touched (now released)."""
        was = self.mask
        self.online = False
        self.mask = 0
        self.lost_at_ns = t_ns
        return was

    @property
    def driver(self):
        """The ``adafruit_mpr121.MPR121`` object (None before the first ``open``)."""
        return self._driver

    # -- reading --------------------------------------------------------------------------
    def read_mask(self) -> int:
        """One I2C transaction: the touched mask, bits 0..11. ChipFaultError when the
        chip has stopped on an over-current (the driver would leak it as bit 15)."""
        word = self._driver.touched()
        if word & OVCF:
            raise ChipFaultError(f"the touch board 0x{self.address:02X} stopped: "
                                 f"over-current on its REXT pin.", "board_overcurrent")
        return word & ALL

    def strength(self, e: int, firm_counts: int) -> float:
        """How fast and firmly a touch landed, 0..1: (baseline - filtered data) x SFI /
        firm_counts, clamped. Read at a touch's edge, the chip's 4-sample second filter
        holds only the first sample(s) of the touch: a firm palm landing at once shows
        a quarter of its drop, which reads 1.0; a light or slow touch reads less. Two
        transactions; the baseline register has 4-count resolution."""
        drop = self._driver.baseline_data(e) - self._driver.filtered_data(e)
        return max(0.0, min(1.0, drop * SFI / firm_counts))

    def lifted(self, electrodes) -> list[int]:
        """Electrodes (of ``electrodes``) whose data stands above their baseline by more
        than a touch: the baseline was taken under a hand (or water) that has gone.
        One 38-byte transaction."""
        raw = bytearray(BASELINE0 + 12 - FILTERED0)
        with self._device as dev:
            dev.write_then_readinto(bytes([FILTERED0]), raw)
        out = []
        for e in electrodes:
            data = raw[2 * e] | (raw[2 * e + 1] << 8)
            base = raw[BASELINE0 - FILTERED0 + e] << 2
            if data - base > max(self.thresholds(e)[0], DEFAULT_TOUCH) + LIFT_MARGIN:
                out.append(e)
        return out

    def _status(self) -> int:
        return self._driver.touched()

    def _read_oor(self) -> int:
        raw = bytearray(2)
        with self._device as dev:
            dev.write_then_readinto(bytes([OOR]), raw)
        return (raw[0] | raw[1] << 8) & ALL

    # -- configuration ----------------------------------------------------------------
    def thresholds(self, e: int) -> tuple[int, int]:
        """The (touch, release) thresholds wanted for ``e`` (counts 0..255)."""
        return self._thresholds.get(e, (DEFAULT_TOUCH, DEFAULT_RELEASE))

    def set_thresholds(self, e: int, touch: int, release: int) -> None:
        """Remember (touch, release) for ``e`` and write them if online. A board that is
        offline gets them when it comes back (``open``)."""
        self._thresholds[e] = (touch, release)
        if self.online:
            self._write_thresholds({e: (touch, release)})

    def recalibrate(self, electrodes: list[int] | None) -> None:
        """Re-take baselines from the current data. All electrodes: ECR 0x00 then 0xCF
        (the chip reloads every baseline). Some: read all filtered data in one burst,
        stop, write those electrodes' baseline registers (R/W in stop mode per the
        datasheet register map), run with ECR 0x0F so the others keep theirs."""
        if electrodes is None or set(electrodes) >= set(range(12)):
            self._write([ECR, ECR_STOP], [ECR, ECR_RUN_RELOAD])
            return
        raw = bytearray(24)
        with self._device as dev:
            dev.write_then_readinto(bytes([FILTERED0]), raw)
        writes = [[ECR, ECR_STOP]]
        for e in sorted(set(electrodes)):
            data = raw[2 * e] | (raw[2 * e + 1] << 8)
            writes.append([BASELINE0 + e, (data & 0x3FF) >> 2])
        writes.append([ECR, ECR_RUN_KEEP])
        self._write(*writes)

    def _write_thresholds(self, values: dict[int, tuple[int, int]]) -> None:
        writes = [[ECR, ECR_STOP]]
        for e, (touch, release) in sorted(values.items()):
            writes.append([TOUCH_TH0 + 2 * e, touch])
            writes.append([RELEASE_TH0 + 2 * e, release])
        writes.append([ECR, ECR_RUN_KEEP])
        self._write(*writes)

    def _write(self, *writes: list[int]) -> None:
        # Each [register, value] is its own transaction, as the driver does.
        with self._device as dev:
            for w in writes:
                dev.write(bytes(w))
