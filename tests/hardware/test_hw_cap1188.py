"""A station mixing an MPR121 and a CAP1188 behind the touch-chip seam: the same
``Hardware`` reads both, through their real drivers, on simulated chips."""

import pytest
from hw_fixtures import SETTLED_NS, clock, kinds, make_sim, pins  # noqa: F401
from test_hw_faults import live

from hardware.chips import CHIPS, chip_class
from hardware.chips.cap1188 import CAP1188
from hardware.chips.mpr121 import MPR121
from hardware.spec import BoardSpec, HardwareSpec
from station.core.clock import NS_PER_MS
from station.core.errors import ConfigError

CAP = 0x29


def mixed(**kw) -> HardwareSpec:
    return HardwareSpec(boards=(BoardSpec(0x5A, 17), BoardSpec(CAP, 27, "cap1188")), **kw)


def started(make_sim, **kw):
    """Both boards started, and the CAP1188's first 35 ms cycle (its calibration) in."""
    sim, events = make_sim(mixed(), **kw)
    sim.run_for(35)
    return sim, events


def test_the_registry_holds_both_chips_and_their_facts():
    assert set(CHIPS) == {"mpr121", "cap1188"} and chip_class("cap1188") is CAP1188
    assert (MPR121.electrodes, CAP1188.electrodes) == (12, 8)
    assert CAP1188.addresses == tuple(range(0x28, 0x2E))
    with pytest.raises(KeyError, match="the station knows: mpr121, cap1188"):
        chip_class("mpr122")


def test_sensitivity_is_converted_by_each_chip_in_its_own_units():
    assert MPR121.sensitivity_thresholds(0.5) == (12, 6)      # the driver's default
    assert MPR121.sensitivity_thresholds(0.0) == (48, 24)
    assert MPR121.sensitivity_thresholds(1.0) == (3, 1)
    # the same fractions of a firm palm (96 counts on both) in each chip's own units
    assert CAP1188.sensitivity_thresholds(0.5) == (12, 12)    # one threshold, no release
    assert CAP1188.sensitivity_thresholds(0.0) == (48, 48)
    assert CAP1188.sensitivity_thresholds(1.0) == (3, 3)
    for chip in (MPR121, CAP1188):
        ladder = [chip.sensitivity_thresholds(s / 10)[0] for s in range(11)]
        assert ladder == sorted(ladder, reverse=True)
        for s in range(11):
            chip.check_thresholds(*chip.sensitivity_thresholds(s / 10))


def test_a_board_spec_checks_the_address_against_its_chip():
    BoardSpec(0x2D, chip="cap1188")
    with pytest.raises(ConfigError, match="not a CAP1188 address; use one of 0x28"):
        BoardSpec(0x5A, chip="cap1188")
    with pytest.raises(ConfigError, match="not an MPR121 address"):
        BoardSpec(0x29)
    with pytest.raises(ConfigError, match="use one of: mpr121, cap1188"):
        BoardSpec(0x29, chip="cap1199")


def test_both_boards_start_and_touches_on_each_become_events(make_sim, clock):
    sim, events = started(make_sim)
    assert sim.online(0x5A) and sim.online(CAP) and events == []
    assert sim.chip_type(CAP) is CAP1188 and sim.chip(CAP).register(0x2A) == 0x00
    assert sim.chip(CAP).register(0x28) == 0x00            # no repeats for held pads
    sim.touch(CAP, 7, 0.9)
    sim.touch(0x5A, 11, 0.9)
    sim.run_for(40)                                        # one 35 ms CAP1188 cycle
    assert kinds(events) == [("touch", 0x5A, 11), ("touch", CAP, 7)]
    assert events[0].t_ns == SETTLED_NS + 36 * NS_PER_MS   # the MPR121's next 1 ms sample
    assert not sim.line_low(27), "reading the CAP1188 cleared INT: ALERT is high again"
    assert sim.touched_mask(CAP) == 1 << 7
    assert sim.strength(CAP, 7) == pytest.approx(0.9, abs=0.02)
    sim.release(CAP, 7)
    sim.run_for(40)
    assert kinds(events)[-1] == ("release", CAP, 7) and sim.touched_mask(CAP) == 0


def test_electrodes_beyond_the_chips_are_refused(make_sim):
    sim, _ = started(make_sim)
    with pytest.raises(ValueError, match="electrode must be 0..7 on a CAP1188"):
        sim.set_thresholds(CAP, 8, 20, 20)
    with pytest.raises(ValueError, match="1..127 on a CAP1188"):
        sim.set_thresholds(CAP, 0, 200, 100)
    with pytest.raises(IndexError, match="inputs 0..7"):
        sim.touch(CAP, 9)


def test_thresholds_from_a_sensitivity_reach_the_chip_and_decide(make_sim):
    sim, events = started(make_sim)
    touch, release = sim.sensitivity_thresholds(CAP, 0.8)
    sim.set_thresholds(CAP, 2, touch, release)
    assert sim.chip(CAP).register(0x32) == touch == 5 and sim.thresholds(CAP, 2) == (5, 5)
    sim.touch(CAP, 2, 0.2)                                  # delta 19: over 5
    sim.touch(CAP, 3, 0.2)                                  # under the default 64
    sim.run_for(40)
    assert kinds(events) == [("touch", CAP, 2)]


def test_an_unplugged_cap1188_is_lost_and_recovers(make_sim):
    sim, events = started(make_sim)
    sim.touch(CAP, 1)
    sim.run_for(40)
    sim.unplug(CAP)
    live(sim, 200)                                          # the heartbeat read fails
    assert kinds(events)[1:] == [("fault", CAP, "board_lost"), ("release", CAP, 1)]
    sim.plug(CAP)
    live(sim, 1000)
    assert kinds(events)[-1] == ("fault", CAP, "board_recovered") and sim.online(CAP)
    sim.set_thresholds(CAP, 4, 30, 30)                      # remembered across a loss
    sim.unplug(CAP)
    live(sim, 200)
    sim.plug(CAP)
    live(sim, 1000)
    assert sim.chip(CAP).register(0x34) == 30


def test_a_missing_cap1188_is_reported_and_its_faults_are_refused(make_sim):
    sim, events = make_sim(mixed(), present=[0x5A])
    assert kinds(events) == [("fault", CAP, "board_missing")]
    with pytest.raises(ValueError, match="is a CAP1188, which has no over-current flag: "
                                         "that fault cannot happen"):
        sim.overcurrent(CAP)


def test_recalibration_frees_a_stuck_pad_and_lifted_hands_are_left_to_the_chip(make_sim):
    sim, events = started(make_sim)
    sim.stick(CAP, 5)
    sim.run_for(40)
    assert sim.touched_mask(CAP) == 1 << 5
    sim.recalibrate(CAP, [5])
    sim.watch_lift(CAP, [5])                               # a no-op: the chip does it
    sim.run_for(80)
    assert kinds(events)[-1] == ("release", CAP, 5) and CAP not in sim._lift


def test_noise_and_drift_reach_both_chips_and_touches_still_read_true(make_sim):
    from hardware.chip.electrode import Drift, Noise
    sim, events = make_sim(mixed(), noise=Noise(1.0, seed=2))
    sim.set_drift(Drift(10, period_s=60, seed=1))
    sim.run_for(35)
    assert all(p.sigma == 1.0 for p in sim.chip(CAP).pads)
    assert any(p.amp for p in sim.chip(CAP).pads)
    sim.run_for(2000)
    assert events == [], "noise and drift alone touch nothing"
    sim.touch(CAP, 0, 0.8)                                  # delta 77 over the default 64
    sim.run_for(40)
    assert kinds(events) == [("touch", CAP, 0)]
