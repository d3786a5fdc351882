"""One MPR121 board on the bus, driven through the real ``adafruit_mpr121`` driver.

``Board`` knows registers, not threads or events: ``io.Hardware`` holds the bus lock
around every call and turns masks into events. Every method that talks to the chip
raises ``OSError`` when it stops answering (errno 121 on Linux).

Thresholds and recalibration are written with raw register writes rather than the
driver's setters, because the driver follows every register write with ECR=0x8F,
whose CL bits (10) make the chip re-take *all* baselines: changing one client's
thresholds while someone else rests a hand on a pad would make that pad dead. Here
a stop/write/run cycle ends with ECR=0x0F (CL=00: keep the current baselines).
"""

from __future__ import annotations

ECR = 0x5E
TOUCH_TH0 = 0x41
RELEASE_TH0 = 0x42
FILTERED0 = 0x04
BASELINE0 = 0x1E
ECR_STOP = 0x00
ECR_RUN_KEEP = 0x0F      # 12 electrodes, no proximity, CL=00: keep baselines
ECR_RUN_RELOAD = 0xCF    # 12 electrodes, CL=11: baselines <- all 10 bits of current data
DEFAULT_TOUCH = 12       # what the driver writes at init
DEFAULT_RELEASE = 6
ALL = 0x0FFF             # electrodes 0..11 (the status word leaks bits 12..15)


class Board:
    """One MPR121 at ``address``. ``online`` is False until ``open`` succeeds and after
    a read fails. ``mask`` is the last touched mask read (bit e = electrode e)."""

    def __init__(self, i2c, address: int) -> None:
        self.i2c = i2c
        self.address = address
        self.online = False
        self.mask = 0
        self.lost_at_ns: int | None = None  # when it went offline (for re-probing)
        self.last_read_ns = 0               # station time of the last good read
        self._thresholds: dict[int, tuple[int, int]] = {}
        self._driver = None
        self._device = None

    def __repr__(self) -> str:
        state = "online" if self.online else "offline"
        return f"<Board 0x{self.address:02X} {state} mask=0x{self.mask:03X}>"

    # -- life cycle ---------------------------------------------------------------------
    def open(self) -> None:
        """Initialise the chip with the driver (soft reset, default config, run mode),
        then re-apply thresholds set earlier. Raises ValueError (no device: the
        driver's probe), OSError (lost mid-way) or RuntimeError (not an MPR121's reset
        state). On success the board is online with an empty mask."""
        import adafruit_mpr121  # lazy: pulls in Blinka's busio
        from adafruit_bus_device.i2c_device import I2CDevice

        self._driver = adafruit_mpr121.MPR121(self.i2c, self.address)
        self._device = I2CDevice(self.i2c, self.address, probe=False)
        changed = {e: tr for e, tr in self._thresholds.items()
                   if tr != (DEFAULT_TOUCH, DEFAULT_RELEASE)}
        if changed:
            self._write_thresholds(changed)
        self.online = True
        self.mask = 0
        self.lost_at_ns = None

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
        """One I2C transaction: the touched mask, bits 0..11."""
        return self._driver.touched() & ALL

    def strength(self, e: int, firm_counts: int) -> float:
        """(baseline - filtered data) / firm_counts, clamped to 0..1. Two transactions.
        The baseline register has 4-count resolution, so steps are ~4 % at 96."""
        drop = self._driver.baseline_data(e) - self._driver.filtered_data(e)
        return max(0.0, min(1.0, drop / firm_counts))

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
