"""The MPR121 behind the touch-chip seam, driven through the real ``adafruit_mpr121`` driver.

NXP's MPR121: 12 electrodes, I2C addresses 0x5A..0x5D (the ADDR pin), its own filters,
baselines and IRQ (GUIDE section 3). ``MPR121`` knows registers, not threads or events:
``io.Hardware`` holds the bus lock around every call and turns masks into events.
Every method that talks to the chip raises ``OSError`` when it stops answering (errno
121 on Linux), and ``ChipFaultError`` when the chip reports its over-current flag.

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


from station.core.errors import ChipFaultError

from ..touchchip import Inspection, TouchChip

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
CONFIG2 = 0x5D
STARTED, RESET = 0x20, 0x24   # CONFIG2 once the driver ran (1 ms samples), after reset
# Sensitivity 0..1 -> touch threshold in counts, geometric from 48 (needs about half a
# firm palm) through 12 (0.5: the driver's own default) to 3 (a light fingertip).
_LOUDEST_TH, _RATIO = 48, 1 / 16


class MPR121(TouchChip):
    """One MPR121 at ``address`` (the seam's attributes: ``touchchip.TouchChip``).
    ``out_of_range``: electrodes (bits) the last auto-configuration could not bring
    within range."""

    name = "mpr121"
    title = "MPR121"
    electrodes = 12
    addresses = (0x5A, 0x5B, 0x5C, 0x5D)
    address_pins = {0x5A: "ADDR to GND", 0x5B: "ADDR to 3.3 V", 0x5C: "ADDR to SDA",
                    0x5D: "ADDR to SCL"}
    threshold_limits = (0, 255)
    default_thresholds = (DEFAULT_TOUCH, DEFAULT_RELEASE)
    settle_ns = SETTLE_NS
    restarts_on_write = True
    can_recalibrate = True
    watches_lift = True

    def __init__(self, i2c, address: int) -> None:
        super().__init__(i2c, address)

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
        changed = self.changed_thresholds()
        if changed:
            self._write_thresholds(changed)

    # -- reading --------------------------------------------------------------------------
    def read_mask(self) -> int:
        """One I2C transaction: the touched mask, bits 0..11. ChipFaultError when the
        chip has stopped on an over-current (the driver would leak it as bit 15)."""
        word = self._driver.touched()
        if word & OVCF:
            raise ChipFaultError(f"the touch board 0x{self.address:02X} stopped: "
                                 f"over-current on its REXT pin.", "board_overcurrent")
        return word & ALL

    def filtered(self, e: int) -> int:
        """Filtered data of ``e``, counts 0..1023 (one transaction)."""
        return self._driver.filtered_data(e)

    def baseline(self, e: int) -> int:
        """Baseline of ``e``, counts 0..1023 in steps of 4 (one transaction)."""
        return self._driver.baseline_data(e)

    def strength(self, e: int, firm_counts: int) -> float:
        """How fast and firmly a touch landed, 0..1: (baseline - filtered data) x SFI /
        firm_counts, clamped. Read at a touch's edge, the chip's 4-sample second filter
        holds only the first sample(s) of the touch: a firm palm landing at once shows
        a quarter of its drop, which reads 1.0; a light or slow touch reads less. Two
        transactions; the baseline register has 4-count resolution."""
        drop = self.baseline(e) - self.filtered(e)
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
    @classmethod
    def sensitivity_thresholds(cls, sensitivity: float) -> tuple[int, int]:
        """(touch, release) counts for a sensitivity 0..1 (release = touch / 2): touch
        48 at 0, 12 at 0.5 (the driver's default), 3 at 1."""
        s = max(0.0, min(1.0, float(sensitivity)))
        touch = max(2, round(_LOUDEST_TH * _RATIO ** s))
        return touch, max(1, touch // 2)

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

    # -- the seam's class methods -------------------------------------------------------
    @classmethod
    def simulator(cls, *, clock, noise=None, drift=None, salt: int = 0):
        """A ``mpr121_sim.SimMPR121`` on ``clock``."""
        from ..mpr121_sim import SimMPR121
        return SimMPR121(clock=clock, noise=noise, drift=drift, salt=salt)

    @classmethod
    def inspect(cls, read_register, address: int, quiet: bool) -> Inspection:
        """CONFIG2 (0x5D) is 0x24 after reset, 0x20 once the station started it; the
        out-of-range status (0x02/0x03); the over-current flag (0x01 bit 7) only when
        ``quiet`` is False (reading the status clears a running station's IRQ)."""
        config2 = read_register(address, CONFIG2)[0]
        oor_raw = read_register(address, OOR, 2)
        overcurrent = None if quiet else bool(read_register(address, STATUS + 1)[0] & 0x80)
        if config2 not in (STARTED, RESET):
            return Inspection(False, f"CONFIG2 reads 0x{config2:02X}, not 0x24 or 0x20")
        word = oor_raw[0] | oor_raw[1] << 8
        state = "started by the station" if config2 == STARTED else "in its reset state"
        return Inspection(True, state=state, overcurrent=overcurrent,
                          out_of_range=[e for e in range(cls.electrodes) if word >> e & 1])
