"""The simulated MPR121's baseline: how it is loaded and how it is tracked.

Section numbers are those of the NXP MPR121 data sheet (Rev. 4, 02/2013); the filter
parameters are the ones the adafruit_mpr121 driver writes (rising MHD/NHD/NCL/FDL =
1/1/14/0, falling 1/5/1/0, touched NHD/NCL/FDL = 0/0/0)."""

from chip_fixtures import MS, make_rig

from hardware.chip.electrode import Drift

PER_COUNT = 14 + 1      # NCLR = 14: the rising filter moves NHDR = 1 count per 15 samples


def test_cl_10_loads_the_5_high_bits_so_a_rest_of_700_loads_672():
    # §5.11 ECR CL = 10: "initial baseline value is loaded with the 5 high bits of the
    # first 10-bit electrode data value": 700 -> 672, 704 -> 704 (a multiple of 32).
    r = make_rig()
    r.chip.set_rest(0, 700)
    mpr = r.driver()
    r.wait(1)
    assert r.chip.baseline(0) == 672 and r.chip.baseline(1) == 704
    # A light fingertip (0.2 of a palm: 19 counts) right away is missed: 681 > 672...
    r.chip.touch(0, 0.2)
    r.wait(10)
    assert mpr.touched() == 0
    r.chip.release(0)
    # ...until the rising filter has brought the baseline up to the rest (28 counts).
    r.wait(28 * PER_COUNT + 20)
    assert r.chip.baseline(0) == 700
    r.chip.touch(0, 0.2)
    r.wait(10)
    assert mpr.touched() == 1


def test_cl_11_loads_all_10_bits():
    r = make_rig()
    r.chip.set_rest(0, 700)
    r.driver()
    r.write((0x5E, 0x00), (0x5E, 0xCF))    # CL = 11
    r.wait(1)
    assert r.chip.baseline(0) == 700


def test_a_hand_resting_at_power_up_is_tracked_away_after_it_lifts():
    # GUIDE §3: the baseline taken at start includes a resting hand; the rising filter
    # then follows the data up, 1 count per 15 samples of 1 ms.
    r = make_rig()
    r.chip.touch(5)                        # a firm palm on pad 5 at power-up
    mpr = r.driver()
    r.wait(5)
    assert r.chip.baseline(5) == 608 and mpr.touched() == 0
    r.chip.release(5)
    lifted = r.clock.now_ns()
    r.wait(300)
    assert r.chip.baseline(5) == 608 + 300 // PER_COUNT
    r.chip.touch(5)                        # 608 now reads 20 counts under the baseline
    r.wait(5)
    assert mpr.touched() == 1 << 5
    r.chip.release(5)
    r.clock.set(lifted + 1500 * MS)
    r.chip.tick(r.clock.now_ns())
    assert r.chip.baseline(5) == 704       # fully recovered within 1.5 s


def test_the_falling_filter_eats_a_change_too_weak_to_be_a_touch():
    # A 10-count drop stays under the touch threshold (12): MHDF = 1, NCLF = 1, NHDF = 5
    # walk the baseline down 5 counts every 2 samples, then let it pass through.
    r = make_rig()
    mpr = r.driver()
    r.wait(5)
    r.chip.touch(0, 10 / 96)
    r.wait(20)
    assert mpr.touched() == 0 and r.chip.baseline(0) == r.chip.data(0) == 694


def test_a_held_touch_is_not_tracked_with_the_driver_s_touched_filter():
    # Touched filter NHDT = 0: the baseline stays while the pad is held, however long.
    r = make_rig()
    mpr = r.driver()
    r.wait(5)
    r.chip.touch(3)
    r.wait(10_000)
    assert mpr.touched() == 1 << 3 and r.chip.baseline(3) == 704


def test_a_touched_filter_with_nhd_eats_a_long_held_touch():
    # GUIDE §3: "baseline tracking can also slowly eat a long held touch". NHDT = 1,
    # NCLT = 9: the baseline falls 1 count per 10 samples toward the held data, and the
    # pad is released once the touch is under the release threshold (6 of 96 left).
    r = make_rig()
    mpr = r.driver()
    r.wait(5)
    r.write((0x5E, 0x00), (0x33, 1), (0x34, 9), (0x5E, 0x0F))
    r.wait(5)
    r.chip.touch(3)
    r.wait(2)
    assert mpr.touched() == 1 << 3
    r.wait(90 * 10 - 50)
    assert mpr.touched() == 1 << 3
    r.wait(100)
    assert mpr.touched() == 0


def test_fdl_slows_the_filter():
    # FDL (filter delay count limit): the filter acts every FDL + 1 samples. FDLR = 3
    # makes the rising filter 4 times slower.
    r = make_rig()
    r.chip.touch(5)
    r.driver()
    r.write((0x5E, 0x00), (0x2E, 3), (0x5E, 0x8F))
    r.wait(5)
    r.chip.release(5)
    r.wait(600)
    assert r.chip.baseline(5) == 608 + 600 // (4 * PER_COUNT)


def drift_edges(ecr: int, seconds: int = 60) -> int:
    """Touch/release edges over ``seconds`` of drift (40 counts over ~1 min) with ECR."""
    r = make_rig(drift=Drift(40, 60, seed=3))
    mpr = r.driver()
    r.wait(5)
    r.write((0x5E, 0x00), (0x5E, ecr))
    edges = 0
    end = seconds * 1000 * MS
    while (due := r.chip.next_deadline()) is not None and due <= end:
        r.clock.set(due)
        r.chip.tick(due)
        if r.chip.irq_low:
            edges += 1
            mpr.touched()
    return edges


def test_slow_drift_is_followed_with_tracking_and_is_a_false_touch_without():
    # §5.5: background baseline tracking follows slow changes. CL = 01 turns it off:
    # the same drift then reads as touches.
    assert drift_edges(0x0F) == 0
    assert drift_edges(0x4F) > 4
