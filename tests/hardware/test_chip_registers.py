"""The simulated MPR121's registers through the real adafruit_mpr121 driver.

Section numbers are those of the NXP MPR121 data sheet (Rev. 4, 02/2013)."""

import adafruit_mpr121
from chip_fixtures import make_rig, rig  # noqa: F401 (fixture)

from hardware.chip.registers import CONFIG1, CONFIG2, ECR


def test_power_on_reset_values(rig):
    # §5.8: CONFIG1 resets to 0x10 (FFI 6 samples, CDC 16 uA), CONFIG2 to 0x24
    # (CDT 0.5 us, SFI 4 samples, ESI 16 ms); everything else to 0, so ECR = 0: stop.
    assert rig.chip.register(CONFIG1) == 0x10 and rig.chip.register(CONFIG2) == 0x24
    assert rig.chip.register(ECR) == 0 and not rig.chip.running
    assert rig.chip.register(0x41) == 0 and rig.chip.register(0x2B) == 0


def test_driver_initialises_the_chip(rig):
    mpr = rig.driver()                     # raises RuntimeError if CONFIG2 != 0x24
    chip = rig.chip
    assert chip.running and chip.register(ECR) == 0x8F
    assert chip.register(CONFIG2) == 0x20  # the driver's 1 ms sample period
    assert [chip.register(0x41 + 2 * e) for e in range(12)] == [12] * 12
    assert [chip.register(0x42 + 2 * e) for e in range(12)] == [6] * 12
    # the driver's baseline filter: rising 1/1/14/0, falling 1/5/1/0, touched 0/0/0
    assert [chip.register(r) for r in range(0x2B, 0x36)] == [1, 1, 14, 0, 1, 5, 1, 0, 0, 0, 0]
    assert mpr[3].threshold == 12 and mpr[3].release_threshold == 6
    assert chip.ignored_writes == 0        # the driver stops the chip before every write
    rig.wait(5)
    assert mpr.filtered_data(0) == 704 and mpr.baseline_data(0) == 704


def test_soft_reset_needs_its_key(rig):
    # §5.14: writing 0x63 to 0x80 resets every register; any other value does nothing.
    rig.write((ECR, 0), (CONFIG2, 0x11), (0x80, 0x00))
    assert rig.chip.register(CONFIG2) == 0x11
    rig.write((0x80, 0x63))
    assert rig.chip.register(CONFIG2) == 0x24
    adafruit_mpr121.MPR121(rig.bus, 0x5A)   # the driver's own reset makes it usable


def test_writes_in_run_mode_are_ignored(rig):
    # §5.11: only ECR, the GPIO registers and the soft reset are writable in run mode.
    rig.driver()
    rig.write((0x41, 99))
    assert rig.chip.register(0x41) == 12 and rig.chip.ignored_writes == 1
    rig.write((0x75, 0x0F))                # GPIO direction: allowed
    assert rig.chip.register(0x75) == 0x0F and rig.chip.ignored_writes == 1


def test_baseline_registers_writable_in_stop_mode_only(rig):
    # §5.4: baseline value registers are read/write in stop mode (value = baseline >> 2);
    # §5.11 CL = 00 keeps the written value as the initial baseline.
    mpr = rig.driver()
    rig.wait(5)
    rig.write((0x1E + 4, 100))
    assert mpr.baseline_data(4) == 704      # ignored while running
    rig.write((ECR, 0x00), (0x1E + 4, 100), (ECR, 0x4F))   # CL = 01: and keep it there
    rig.wait(5)
    assert mpr.baseline_data(4) == 400
    assert mpr.touched() == 0              # 400 - 704 < 0: far from a touch


def test_stop_mode_resets_the_outputs_and_keeps_baselines(rig):
    # §5.11: the outputs are produced by the measurement, which stop mode halts.
    mpr = rig.driver()
    rig.wait(5)                            # the first samples load the baselines
    rig.chip.touch(2)
    rig.wait(5)
    assert mpr.touched() == 1 << 2 and mpr.filtered_data(2) == 608
    rig.write((ECR, 0x00))
    assert mpr.touched() == 0 and mpr.filtered_data(2) == 0 and mpr.baseline_data(2) == 704
    rig.wait(50)                           # no samples in stop mode
    assert mpr.filtered_data(2) == 0
    rig.write((ECR, 0x0F))                 # run again, CL = 00: the baseline is kept
    rig.wait(1)
    assert mpr.touched() == 1 << 2 and mpr.baseline_data(2) == 704


def test_burst_read_auto_increments(rig):
    rig.driver()
    rig.chip.touch(1, 1.0)
    rig.wait(5)
    raw = bytearray(24)
    rig.bus.writeto_then_readfrom(0x5A, b"\x04", raw)
    data = [raw[2 * e] | raw[2 * e + 1] << 8 for e in range(12)]
    assert data == [704, 608] + [704] * 10


def test_unplug_and_plug_come_back_in_reset_state():
    import pytest
    r = make_rig()
    r.driver()
    r.wait(5)
    r.chip.touch(1)
    r.wait(2)
    assert r.irq == [True]
    r.chip.unplug()
    assert r.irq == [True, False]          # an unpowered chip lets go of the line
    with pytest.raises(OSError):
        r.bus.writeto(0x5A, b"")
    r.chip.plug()
    assert not r.chip.running and r.chip.register(0x41) == 0
    assert r.chip.register(CONFIG2) == 0x24
    mpr = r.driver()
    r.wait(5)
    assert mpr.touched() == 0              # the hand still there is now the baseline
    assert mpr.baseline_data(1) == 608
