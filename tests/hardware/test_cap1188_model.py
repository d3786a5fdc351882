"""The simulated CAP1188 against the real ``adafruit_cap1188`` driver: init, touches,
thresholds, the INT bit and its ALERT line, multiple-touch blocking, noise,
recalibration, and an unplugged board."""

from __future__ import annotations

import pytest
from adafruit_cap1188.i2c import CAP1188_I2C

from hardware.cap1188_sim import SimCAP1188
from hardware.chip.electrode import Noise
from hardware.i2c_sim import SimI2C
from station.core.clock import VirtualClock

MS = 1_000_000
ADDRESS = 0x29


class Rig:
    def __init__(self, **chip_args) -> None:
        self.clock = VirtualClock()
        self.irq: list[bool] = []
        self.chip = SimCAP1188(clock=self.clock, on_irq=self.irq.append, **chip_args)
        self.bus = SimI2C()
        self.bus.attach(ADDRESS, self.chip)

    def driver(self) -> CAP1188_I2C:
        return CAP1188_I2C(self.bus, ADDRESS)

    def wait(self, ms: float) -> None:
        self.clock.advance(int(ms * MS))
        self.chip.tick(self.clock.now_ns())

    def cycles(self, n: int = 1) -> None:
        """Let ``n`` sensing cycles pass (81.92 ms in the reset state: 8 inputs x 8
        samples x 1.28 ms is longer than its 70 ms cycle, which stretches)."""
        for _ in range(n):
            self.clock.advance(self.chip.cycle_ns())
            self.chip.tick(self.clock.now_ns())


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_the_driver_finds_it_and_sets_it_up(rig):
    cap = rig.driver()                       # checks product 0x50, manufacturer 0x5D
    assert rig.chip.register(0x72) == 0xFF   # LEDs linked to their inputs
    assert rig.chip.register(0x2A) == 0x00   # multiple-touch blocking cleared
    assert rig.chip.register(0x2F) == 0x10
    assert cap.sensitivity == 32 and cap.threshold_values() == (64,) * 8
    assert cap.averaging == 8 and cap.cycle == "70ms"   # the reset state's
    assert rig.chip.cycle_ns() == 8 * 8 * 1_280_000     # stretched to fit the samples
    rig.cycles()
    assert cap.touched() == 0 and rig.chip.register(0x26) == 0   # calibrated


def test_a_touch_is_seen_at_the_next_cycle_and_pulls_alert(rig):
    cap = rig.driver()
    rig.cycles()
    rig.chip.touch(2, 1.0)
    assert cap.touched() == 0                # not measured yet
    rig.wait(81)
    assert rig.irq == [] and cap.touched() == 0
    rig.wait(1)
    assert rig.irq == [True] and rig.chip.irq_low
    assert cap.delta_count(3) == 96          # a firm palm at 32x (pin 3 = input 2)
    assert cap.touched() == 1 << 2
    assert rig.irq == [True, False], "clearing INT re-arms ALERT"
    assert cap[3].value


def test_release_sets_int_and_the_status_latches_until_int_is_cleared(rig):
    cap = rig.driver()
    rig.cycles()
    rig.chip.touch(0)
    rig.cycles()
    assert cap.touched() == 1
    rig.chip.release(0)
    rig.cycles()
    assert rig.chip.irq_low                              # a release interrupts too
    assert rig.chip.register(0x03) == 1                  # latched until INT is cleared
    assert cap.touched() == 0 and not rig.chip.irq_low


def test_thresholds_decide_what_is_a_touch(rig):
    cap = rig.driver()
    cap[1].threshold = 20
    assert cap[1].threshold == 20 and cap.threshold_values()[1:] == (64,) * 7
    rig.cycles()
    rig.chip.touch(0, 0.3)                   # delta 29: over 20
    rig.chip.touch(1, 0.3)                   # over the default 64? no
    rig.cycles()
    assert cap.touched() == 0b01
    with pytest.raises(ValueError):
        cap[1].threshold = 200


def test_sensitivity_scales_the_delta(rig):
    cap = rig.driver()
    cap.sensitivity = 8                      # a quarter of 32x
    rig.cycles()
    rig.chip.touch(4, 1.0)
    rig.cycles()
    assert cap.delta_count(5) == 24
    assert cap.touched() == 0                # 24 is under the default threshold


def test_multiple_touch_blocking_after_reset_and_cleared_by_the_driver(rig):
    rig.cycles()                            # the reset state: 0x2A = 0x80, one touch
    rig.chip.touch(3)
    rig.chip.touch(5)
    rig.cycles()
    status = rig.bus
    buf = bytearray(1)
    status.writeto_then_readfrom(ADDRESS, bytes([0x03]), buf)
    assert buf[0] == 1 << 3                  # the lowest input wins, 5 is blocked
    status.writeto_then_readfrom(ADDRESS, bytes([0x02]), buf)
    assert buf[0] & 0x04                     # MULT flagged
    cap = rig.driver()                       # clears 0x2A (and recalibrates: held
    rig.chip.release(3)                      # hands become the base; lift them first)
    rig.chip.release(5)
    rig.cycles(2)
    rig.chip.touch(3)
    rig.chip.touch(5)
    rig.cycles()
    assert cap.touched() == (1 << 3) | (1 << 5)


def test_noise_stays_under_the_threshold_and_is_seeded():
    deltas = []
    for _ in range(2):
        r = Rig(noise=Noise(2.0, seed=7))
        cap = r.driver()
        r.cycles()
        seen = []
        for _ in range(50):
            r.cycles()
            seen.append(cap.delta_count(1))
        deltas.append(seen)
        assert cap.touched() == 0
    assert deltas[0] == deltas[1] and len(set(deltas[0])) > 1


def test_recalibration_takes_a_stuck_pad_as_its_base(rig):
    cap = rig.driver()
    rig.cycles()
    rig.chip.stick(6)
    rig.cycles()
    assert cap.touched() == 1 << 6
    cap[7].recalibrate()
    rig.cycles()
    assert rig.chip.register(0x26) == 0 and cap.touched() == 0


def test_a_hand_resting_at_power_up_is_recalibrated_away_when_it_lifts(rig):
    rig.chip.touch(1, 0.8)
    cap = rig.driver()                       # the base is taken under the hand
    rig.cycles()
    rig.chip.release(1)
    rig.cycles()
    assert cap.delta_count(2) < 0
    rig.cycles(16)                        # 16 negative deltas: it recalibrates
    assert cap.delta_count(2) == 0
    rig.chip.touch(1, 0.8)
    rig.cycles()
    assert cap.touched() == 1 << 1


def test_an_unplugged_board_is_a_plain_error(rig):
    rig.chip.unplug()
    with pytest.raises(ValueError, match="No I2C device at address: 0x29"):
        rig.driver()
    rig.chip.plug()
    cap = rig.driver()
    rig.chip.unplug()
    with pytest.raises(OSError) as err:
        cap.touched()
    assert err.value.errno == 121


def test_another_device_at_the_address_is_refused():
    from hardware.mpr121_sim import SimMPR121
    bus = SimI2C()
    bus.attach(ADDRESS, SimMPR121(clock=VirtualClock()))
    with pytest.raises(RuntimeError, match="Failed to find CAP1188"):
        CAP1188_I2C(bus, ADDRESS)


def test_fewer_samples_per_input_average_less_noise():
    def spread(averaging):
        r = Rig(noise=Noise(2.0, seed=3))
        cap = r.driver()
        cap.averaging = averaging
        r.cycles()
        seen = []
        for _ in range(200):
            r.cycles()
            seen.append(cap.delta_count(4))
        mean = sum(seen) / len(seen)
        return (sum((d - mean) ** 2 for d in seen) / len(seen)) ** 0.5
    assert 1.5 < spread(8) < 2.6                # the reset state's 8 samples: sigma 2
    assert 3.2 < spread(2) < 4.8                # 2 samples: twice the noise

