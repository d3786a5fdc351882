"""The real adafruit_mpr121 driver against the simulated chip."""

import adafruit_mpr121
import pytest

from hardware.i2c_sim import SimI2C
from hardware.mpr121_sim import CONFIG2, ECR, SimMPR121


@pytest.fixture
def rig():
    irq = []
    chip = SimMPR121(on_irq=irq.append)
    bus = SimI2C()
    bus.attach(0x5A, chip)
    return chip, bus, irq


def test_power_on_reset_values(rig):
    chip, _, _ = rig
    assert chip.register(0x5C) == 0x10 and chip.register(CONFIG2) == 0x24
    assert chip.register(ECR) == 0 and not chip.running


def test_driver_initialises_the_chip(rig):
    chip, bus, _ = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)  # raises RuntimeError if CONFIG2 != 0x24
    assert chip.running and chip.register(ECR) == 0x8F
    assert chip.register(CONFIG2) == 0x20  # the driver's 1 ms sample period
    assert [chip.register(0x41 + 2 * e) for e in range(12)] == [12] * 12
    assert [chip.register(0x42 + 2 * e) for e in range(12)] == [6] * 12
    assert mpr[3].threshold == 12 and mpr[3].release_threshold == 6
    assert mpr.filtered_data(0) == 704 and mpr.baseline_data(0) == 704
    assert chip.ignored_writes == 0  # the driver stops the chip before every write


def test_driver_rejects_a_chip_not_in_reset_state(rig):
    chip, bus, _ = rig
    chip._write_ecr(0)
    chip.i2c_write(bytes([CONFIG2, 0x11]))
    chip.i2c_write(bytes([0x80, 0x00]))  # not the reset key: no reset
    assert chip.register(CONFIG2) == 0x11
    # The driver's own soft reset (0x80 <- 0x63) restores 0x24, so it succeeds:
    adafruit_mpr121.MPR121(bus, 0x5A)


def test_touch_status_filtered_data_and_mask(rig):
    chip, bus, _ = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    chip.touch(3)
    chip.touch(11, 0.5)
    assert mpr.touched() == (1 << 3) | (1 << 11)
    assert mpr.filtered_data(3) == 704 - 96 and mpr.filtered_data(11) == 704 - 48
    chip.set_overcurrent()
    assert mpr.touched() == 0x8000 | (1 << 3) | (1 << 11)  # the leak the driver leaves
    chip.release(3)
    assert mpr.touched() & 0x0FFF == 1 << 11


def test_irq_asserts_on_change_and_status_read_clears_it(rig):
    chip, bus, irq = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    assert irq == []
    chip.touch(0)
    assert irq == [True] and chip.irq_low
    chip.touch(0, 1.2)  # no status change: no new edge
    assert irq == [True]
    mpr.filtered_data(0)  # not a status read
    assert chip.irq_low
    mpr.touched()
    assert irq == [True, False] and chip.status_reads == 1


def test_hysteresis(rig):
    chip, bus, _ = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    chip.touch(0, 10 / 96)  # 10 counts: below the touch threshold 12
    assert mpr.touched() == 0
    chip.touch(0, 13 / 96)  # 13 > 12: touched
    assert mpr.touched() == 1
    chip.touch(0, 7 / 96)  # 7 >= 6: still touched
    assert mpr.touched() == 1
    chip.touch(0, 5 / 96)  # 5 < 6: released
    assert mpr.touched() == 0


def test_writes_in_run_mode_are_ignored(rig):
    chip, bus, _ = rig
    adafruit_mpr121.MPR121(bus, 0x5A)
    bus.writeto(0x5A, bytes([0x41, 99]))
    assert chip.register(0x41) == 12 and chip.ignored_writes == 1


def test_resting_hand_at_start_becomes_the_baseline(rig):
    chip, bus, _ = rig
    chip.touch(5)
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    assert mpr.baseline_data(5) == 608  # the 5 high bits of 608
    assert mpr.touched() == 0
    chip.release(5)
    chip.touch(5)
    assert mpr.touched() == 0  # dead: a touch only brings it back to its baseline


def test_unplug_and_plug_come_back_in_reset_state(rig):
    chip, bus, irq = rig
    adafruit_mpr121.MPR121(bus, 0x5A)
    chip.touch(1)
    chip.unplug()
    assert irq == [True, False]  # an unpowered chip lets go of the line
    with pytest.raises(OSError):
        bus.writeto(0x5A, b"")
    chip.plug()
    assert not chip.running and chip.register(0x41) == 0 and chip.register(CONFIG2) == 0x24
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    assert mpr.touched() == 0  # the held hand is now the baseline


def test_stuck_electrode_until_recalibrated(rig):
    chip, bus, _ = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    chip.stick(2)
    assert mpr.touched() == 1 << 2
    bus.writeto(0x5A, bytes([ECR, 0x00]))
    bus.writeto(0x5A, bytes([ECR, 0xCF]))
    assert mpr.touched() == 0


def test_baseline_registers_writable_in_stop_mode_only(rig):
    chip, bus, _ = rig
    mpr = adafruit_mpr121.MPR121(bus, 0x5A)
    bus.writeto(0x5A, bytes([0x1E + 4, 100]))
    assert mpr.baseline_data(4) == 704  # ignored while running
    bus.writeto(0x5A, bytes([ECR, 0x00]))
    bus.writeto(0x5A, bytes([0x1E + 4, 100]))
    bus.writeto(0x5A, bytes([ECR, 0x0F]))  # CL=00: keep the written baseline
    assert mpr.baseline_data(4) == 400
    assert mpr.touched() == 0  # 400 - 704 < 0


def test_burst_read_auto_increments(rig):
    chip, bus, _ = rig
    adafruit_mpr121.MPR121(bus, 0x5A)
    chip.touch(1, 1.0)
    raw = bytearray(24)
    bus.writeto_then_readfrom(0x5A, b"\x04", raw)
    data = [raw[2 * e] | raw[2 * e + 1] << 8 for e in range(12)]
    assert data == [704, 608] + [704] * 10
