"""The simulated electrodes' physics: charge current and time, noise, drift, a shorted
pad. Section numbers are those of the NXP MPR121 data sheet (Rev. 4, 02/2013)."""

import statistics

import pytest
from chip_fixtures import make_rig

from hardware.chip.electrode import Drift, Noise


def running(**chip_args):
    r = make_rig(**chip_args)
    r.driver()
    r.wait(5)
    return r


def test_counts_follow_charge_current_and_time():
    # §3 equation 4: C = I x T / V, V = counts x Vdd / 1024: for one pad the counts are
    # proportional to I x T. The driver charges 16 uA for 0.5 us: 704 counts.
    r = running()
    r.write((0x5E, 0), (0x5C, 0x08), (0x5E, 0x0F))          # global CDC 8 uA
    r.wait(5)
    assert r.chip.data(0) == 352
    r.chip.touch(0)                                          # a firm palm drops half as much
    r.wait(5)
    assert r.chip.data(0) == 304
    r.chip.release(0)
    r.write((0x5E, 0), (0x5F + 3, 12), (0x6C + 2, 0x20), (0x5E, 0x0F))
    r.wait(5)
    # electrode 3: its own CDC (0x5F + 3) of 12 uA; electrode 5: its own CDT (high
    # nibble of 0x6C + 2) of code 2 = 1 us, with the global 8 uA; 0 in those registers
    # means "the global value" (§5.9, §5.10).
    assert r.chip.data(3) == 704 * 12 // 16
    assert r.chip.data(5) == 704 * 8 * 1 // (16 * 0.5)
    assert r.chip.data(4) == 352
    r.write((0x5E, 0), (0x5C, 0x20), (0x5E, 0x0F))          # 32 uA: 1408 counts clip
    r.wait(5)
    assert r.chip.data(0) == 1023


def test_a_shorted_pad_reads_zero_whatever_the_charge():
    r = running()
    r.chip.short(7)
    r.wait(5)
    assert r.chip.data(7) == 0
    r.chip.short(7, on=False)
    r.wait(5)
    assert r.chip.data(7) == 704


def data_series(r, e: int, n: int) -> list[int]:
    out = []
    for _ in range(n):
        r.wait(1)
        out.append(r.chip.data(e))
    return out


def test_noise_has_the_stated_sigma_and_is_averaged_by_the_first_filter():
    # Noise is stated as the filtered data's standard deviation at the driver's filters
    # (FFI 6 x SFI 4). More first-filter samples (FFI 34: CONFIG1 bits 7:6 = 11, §5.8)
    # average it down by sqrt(6 / 34).
    r = running(noise=Noise(2.0, seed=11))
    r.chip.touch(0, 0.5)      # near the threshold: sampled one by one
    r.wait(10)
    sigma = statistics.pstdev(data_series(r, 0, 3000))
    assert sigma == pytest.approx(2.0, rel=0.15)
    r.write((0x5E, 0), (0x5C, 0xD0), (0x5E, 0x0F))
    r.wait(10)
    quieter = statistics.pstdev(data_series(r, 0, 3000))
    assert quieter == pytest.approx(2.0 * (6 / 34) ** 0.5, rel=0.25)


def test_noise_is_the_same_for_the_same_seed_whatever_is_asked_meanwhile():
    a, b, c = (running(noise=Noise(1.5, seed=s)) for s in (4, 4, 5))
    for r in (a, b, c):
        r.chip.touch(2, 0.3)
    series_a = data_series(a, 2, 200)
    series_b = []
    for _ in range(200):
        b.chip.next_deadline()             # forecasts take samples on copies
        b.wait(1)
        series_b.append(b.chip.data(2))
    assert series_a == series_b
    assert data_series(c, 2, 200) != series_a


def test_drift_is_slow_bounded_and_seeded():
    r = running(drift=Drift(30, period_s=120, seed=9))
    levels = []
    for _ in range(240):
        r.wait(1000)
        levels.append(r.chip.level(0))
    moved = [abs(x - 704) for x in levels]
    assert max(moved) <= 2 * 30 and max(moved) > 10       # bounded, but it moves
    steps = [abs(b - a) for a, b in zip(levels, levels[1:])]
    assert max(steps) < 2                                  # slow: under 2 counts a second
    again = running(drift=Drift(30, period_s=120, seed=9))
    again.wait(10_000)
    assert again.chip.level(0) == pytest.approx(levels[9], abs=0.01)
