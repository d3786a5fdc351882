"""Timing of the simulated MPR121: sample period, second filter, thresholds, debounce,
IRQ. Section numbers are those of the NXP MPR121 data sheet (Rev. 4, 02/2013)."""

from chip_fixtures import MS, make_rig, rig  # noqa: F401 (fixture)

from hardware.chip.electrode import Noise


def started(**chip_args):
    r = make_rig(**chip_args)
    r.driver()
    r.wait(5)                              # the first samples load the baselines
    return r


def test_a_touch_is_seen_at_the_next_sample_of_the_driver_s_1_ms_period():
    # The driver writes CONFIG2 = 0x20: ESI = 000, a sample every 1 ms (§5.8).
    r = started()
    r.clock.advance(300_000)               # 0.3 ms into a sample period
    t0 = r.clock.now_ns()
    r.chip.touch(3)
    assert r.chip.next_deadline() == 6 * MS   # the sample after t0, on the 1 ms grid
    assert r.mpr.touched() == 0            # nothing before that sample
    r.clock.set(6 * MS)
    r.chip.tick(r.clock.now_ns())
    assert r.irq == [True] and r.mpr.touched() == 1 << 3
    assert r.chip.next_deadline() is None  # steady: nothing more will change
    assert t0 < 6 * MS


def test_the_reset_sample_period_is_16_ms():
    # CONFIG2 resets to 0x24: ESI = 100 = 16 ms (§5.8). Sampling restarts at the run.
    r = started()
    r.write((0x5E, 0), (0x5D, 0x24), (0x5E, 0x0F))    # back to 16 ms, keep baselines
    run_at = r.clock.now_ns()
    r.wait(40)
    r.chip.touch(3)
    assert r.chip.next_deadline() == run_at + 48 * MS  # samples at +16, +32, +48 ms


def test_the_second_filter_averages_sfi_samples():
    # SFI = 4 with the driver: a firm palm (96 counts) reaches the data a quarter per
    # 1 ms sample; the response time is SFI x ESI = 4 ms (§5.8).
    r = started()
    r.chip.touch(2)
    seen = []
    for _ in range(6):
        r.wait(1)
        seen.append(r.mpr.filtered_data(2))
    assert seen == [680, 656, 632, 608, 608, 608]
    # SFI = 18 (bits 4:3 = 11): 18 samples to settle.
    r.write((0x5E, 0), (0x5D, 0x38), (0x5E, 0x0F))
    r.wait(30)
    r.chip.release(2)
    r.wait(17)
    assert r.mpr.filtered_data(2) < 704
    r.wait(1)
    assert r.mpr.filtered_data(2) == 704


def test_touch_and_release_thresholds_give_hysteresis():
    # §5.6: touched when baseline - data > touch threshold (12), released when it falls
    # below the release threshold (6). Tracking off (ECR CL = 01) so only thresholds act.
    r = started()
    r.write((0x5E, 0x00), (0x5E, 0x4F))
    r.wait(5)
    steps = [(10, 0), (13, 1), (7, 1), (5, 0)]
    for counts, want in steps:
        r.chip.touch(0, counts / 96)
        r.wait(5)
        assert r.mpr.touched() == want, counts


def test_debounce_needs_dt_plus_one_and_dr_plus_one_agreeing_samples():
    # §5.7: DT (bits 2:0) and DR (bits 6:4) are the extra consecutive samples a touch or
    # a release must last before the status changes. DT = 2, DR = 1.
    r = started()
    r.write((0x5E, 0), (0x5B, 0x12), (0x5E, 0x0F))
    r.wait(5)
    t0 = r.clock.now_ns()
    r.chip.touch(0)                        # a firm palm crosses the threshold at once
    assert r.chip.next_deadline() - t0 == 3 * MS
    r.wait(10)
    t0 = r.clock.now_ns()
    r.chip.release(0)                      # 96 -> 72 -> 48 -> 24 -> 0: below 6 at the 4th
    assert r.chip.next_deadline() - t0 == 5 * MS


def test_debounce_tames_a_touch_chattering_on_noise():
    # A touch at the threshold with 2 counts of noise and a narrow hysteresis (8/7)
    # makes the status chatter; debounce of 3 samples (0x33) cuts the edges (AN3892,
    # "MPR121 Jitter and False Touch Detection", recommends hysteresis and debounce).
    edges = {}
    for debounce in (0x00, 0x33):
        r = started(noise=Noise(2.0, seed=7))
        r.write((0x5E, 0), (0x5B, debounce), (0x41, 8), (0x42, 7), (0x5E, 0x4F))
        r.wait(5)
        r.chip.touch(0, 8 / 96)
        edges[debounce] = 0
        for _ in range(2000):
            r.wait(1)
            if r.chip.irq_low:
                edges[debounce] += 1
                r.mpr.touched()            # the read releases IRQ
    assert edges[0x00] > 100
    assert edges[0x33] < edges[0x00] / 4


def test_irq_falls_on_a_status_change_and_a_status_read_releases_it(rig):
    # The IRQ output goes low on any change of the touch status; reading the status
    # registers 0x00/0x01 releases it (AN3892).
    r = rig
    r.driver()
    r.wait(5)
    r.chip.touch(0)
    r.wait(2)
    assert r.irq == [True] and r.chip.irq_low
    r.chip.touch(0, 1.2)                   # no change of status: no new edge
    r.wait(5)
    assert r.irq == [True]
    r.mpr.filtered_data(0)                 # not a status read
    assert r.chip.irq_low
    r.mpr.touched()
    assert r.irq == [True, False] and r.chip.status_reads == 1
