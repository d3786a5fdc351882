"""The iso loop's judgement, against the stress cases of the issue: half time on the beat
locks, an unrelated tempo does not, a tremor is not a tempo, a client who never locks is
met again after N bars (station.sound.entrain, station.sound.iso)."""

import random

import pytest

from station.sound.entrain import gestures, lock_ratio
from station.sound.iso import IsoLoop
from station.sound.tempo import Ramp, tempo_of

S = 1_000_000_000
MS = 1_000_000
PERIOD = 960 * MS                       # 62.5 BPM, the pulse of the stress scenarios


def pulse(n, period=PERIOD, start=S):
    return [start + k * period for k in range(n)]


def test_a_client_on_every_beat_is_locked_at_the_pulse():
    beats = pulse(12)
    assert lock_ratio(beats, [b + 25 * MS for b in beats]) == 1.0


def test_half_time_exactly_on_every_other_beat_locks():
    beats = pulse(12)
    for parity in (0, 1):                # on the odd or on the even beats, both count
        taps = [b + 10 * MS for k, b in enumerate(beats) if k % 2 == parity]
        assert lock_ratio(beats, taps) == 2.0, parity


def test_double_time_on_the_beats_and_halfway_locks():
    beats = pulse(12)
    taps = [b + half + 15 * MS for b in beats for half in (0, PERIOD // 2)]
    assert lock_ratio(beats, taps) == 0.5


@pytest.mark.parametrize("bpm", [101, 104, 107, 110, 113])
def test_taps_at_101_to_113_bpm_against_62_5_are_not_with_the_beat(bpm):
    beats = pulse(16)
    interval = round(60e9 / bpm)
    for phase_ms in range(0, 960, 40):   # whatever the phase the taps start at
        taps = [S + phase_ms * MS + k * interval for k in range(30)]
        assert lock_ratio(beats, taps) is None, (bpm, phase_ms)


def test_taps_wandering_between_101_and_113_bpm_are_not_with_the_beat():
    rng = random.Random(25)
    beats = pulse(16)
    for _ in range(50):
        t, taps = S + rng.randrange(0, 960) * MS, []
        while t < beats[-1] + S:
            taps.append(t)
            t += round(60e9 / rng.uniform(101, 113))
        assert lock_ratio(beats, taps) is None


def test_scattered_or_stopped_touches_are_not_locked():
    beats = pulse(12)
    assert lock_ratio(beats, []) is None
    assert lock_ratio(beats, [b + 480 * MS for b in beats]) is None     # off-beat
    wide = [b + (170 if k % 2 else -170) * MS for k, b in enumerate(beats)]
    assert lock_ratio(beats, wide) is None


def test_a_tremor_on_each_beat_is_one_touch_and_still_locks():
    beats = pulse(12)
    taps = [b + d * MS for b in beats for d in (10, 90, 170, 250)]      # 12.5 Hz bursts
    assert gestures(taps) == [b + 10 * MS for b in beats]
    assert lock_ratio(beats, taps) == 1.0


def test_a_tremor_fast_tapper_does_not_set_the_tempo():
    tremor = [k * 160 * MS for k in range(40)]            # 6 Hz for 6.4 s: one gesture
    assert tempo_of(tremor, 6.5 * S) is None
    roll = [k * 90 * MS for k in range(10)]              # a roll, then taps at 75 BPM
    taps = roll + [2 * S + k * 800 * MS for k in range(5)]
    assert tempo_of(taps, 6 * S) == pytest.approx(75.0)


def run_loop(loop, client_bpm, bars, per_bar=4):
    """Feed the loop ``bars`` bars of a client who is never locked, tapping at
    ``client_bpm``; return the Meets and the tempo at each bar."""
    meets, tempi = [], []
    for bar in range(bars):
        meet = loop.bar(False, client_bpm) if bar else None
        if meet:
            meets.append((bar, meet))
        tempi.append(loop.ramp.bpm())
        for _ in range(per_bar):
            loop.beat(60.0 / loop.ramp.bpm(), False)
    return meets, tempi


def test_a_client_who_never_locks_is_met_again_after_8_bars():
    loop = IsoLoop(Ramp(62.5, 70, 60), 70, 60, follow_client=True)
    meets, tempi = run_loop(loop, 84.0, 30)
    assert tempi[:8] == [62.5] * 8, "holding while the client is not with it"
    bar, meet = meets[0]
    assert bar == 8 and (meet.bars, meet.from_bpm, meet.to_bpm) == (8, 62.5, 84.0)
    assert tempi[9] > 62.5 and tempi[-1] == pytest.approx(84.0), "eased to their tempo"
    steps = [b - a for a, b in zip(tempi, tempi[1:])]
    assert max(steps) <= 4 * 60 / 62.5 + 1e-9, "at most 1 BPM a second"
    assert len(meets) == 1, "once there, nothing more to meet"


def test_once_met_and_locked_the_pulse_goes_on_to_the_goal():
    loop = IsoLoop(Ramp(62.5, 70, 60), 70, 60, follow_client=True, meet_bars=4)
    run_loop(loop, 80.0, 30)
    assert loop.ramp.bpm() == pytest.approx(80.0) and loop.meeting
    loop.bar(True, 80.0)
    assert not loop.meeting and loop.ramp.target == 70.0
    for _ in range(200):
        loop.beat(0.75, True)
    assert loop.ramp.bpm() == pytest.approx(70.0)


def test_no_meeting_without_a_tempo_or_without_follow_client():
    loop = IsoLoop(Ramp(62.5, 70, 60), 70, 60, follow_client=True)
    assert run_loop(loop, None, 30)[0] == [], "a client not playing has no tempo to meet"
    loop = IsoLoop(Ramp(62.5, 70, 60), 70, 60, follow_client=False)
    meets, tempi = run_loop(loop, 84.0, 30)
    assert meets == [] and tempi[-1] == pytest.approx(70.0), "a plain ramp goes its way"
