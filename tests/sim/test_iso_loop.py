"""The iso loop through the real engine, FluidSynth and journal on the simulator: a client
at half time lets the ramp move, one at an unrelated tempo holds it and is met again after
8 bars (journaled, in the panel's words), a tremor does not set the tempo; and a backing
pattern named in a scenario plays in the client's key."""

import sqlite3

import numpy as np
import pytest
from test_session_music import S, closed_loop, run, tempi

from station.core.details import BackingMeet, decode
from station.panel.feed import LiveFeed
from station.sim.runner import SAMPLE_RATE
from station.sound.analysis import cents, fundamental_hz, midi_to_hz

MS = 1_000_000
ISO = ["{at: 1.0, action: backing, style: pulse, tempo_bpm: 62.5, ramp_to_bpm: 70, "
       "ramp_s: 60, follow_client: true, follow_player: 1}"]


def taps(start_s, bpm, count, pad=0):
    out = []
    for k in range(count):
        t = start_s + k * 60.0 / bpm
        out += [f"{{at: {t:.4f}, action: touch, board: 0x5A, electrode: {pad}}}",
                f"{{at: {t + 0.1:.4f}, action: release, board: 0x5A, electrode: {pad}}}"]
    return out


def backing_rows(tmp_path):
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    return [(t / S, decode("backing", d)) for t, d in
            db.execute("SELECT t_ns, detail FROM events WHERE kind='backing' ORDER BY t_ns")]


def test_a_client_at_half_time_on_the_beat_moves_the_ramp(tmp_path):
    heard: list[int] = []               # the beats, in order (tap is asked twice each)

    def every_other(beat):
        if beat not in heard:
            heard.append(beat)
        return beat + 20 * MS if heard.index(beat) % 2 == 0 else None
    closed_loop(tmp_path, ISO, 40.0, tap=every_other)
    bpm = tempi(tmp_path)
    # 7.5 BPM in 60 s of progress: 3 BPM is 24 s of the 39 s (the first 9 beats are
    # needed to judge half time)
    assert bpm[-1][1] > 62.5 + 3, "the ramp moved while the client tapped every other beat"
    assert not [d for _, d in backing_rows(tmp_path) if isinstance(d, BackingMeet)]


def test_a_client_at_an_unrelated_tempo_holds_the_ramp_and_is_met_after_8_bars(tmp_path):
    run(tmp_path, ISO + taps(1.3, 107, 104), end=60)    # 107 BPM against 62.5
    bpm = tempi(tmp_path)
    held = [b for t, b in bpm if t < 1.0 + 8 * 4 * 0.96]
    assert set(held) == {62.5}, "the ramp waited: taps at 107 BPM are not with the beat"
    meets = [(t, d) for t, d in backing_rows(tmp_path) if isinstance(d, BackingMeet)]
    assert len(meets) == 1, meets
    t, meet = meets[0]
    assert (meet.bars, meet.from_bpm) == (8, 62.5)
    assert meet.to_bpm == pytest.approx(107.0, abs=0.5), "towards the client's own tempo"
    assert 1.0 + 8 * 4 * 0.96 - 1 < t < 1.0 + 9 * 4 * 0.96, "after 8 bars, not before"
    after = [b for t2, b in bpm if t2 > t]
    assert after == sorted(after) and after[-1] > 62.5 + 20, "easing up towards 107"
    steps = [b2 - b1 for (_, b1), (_, b2) in zip(bpm, bpm[1:])]
    assert max(steps) <= 1.0 + 1e-6, "no jump: at most 1 BPM a second (a beat < 1 s)"
    feed = LiveFeed()
    from station.core.events import BACKING, Event
    feed.observe(Event(BACKING, 0, player=1, detail=meet))
    (_, kind, player, words), = feed.since(0)[0]
    assert kind == "m" and player == 1
    assert words == ("Player 1 was not with the beat for 8 bars: the pulse eases from 62.5 to "
                     f"their own tempo, {meet.to_bpm:g} BPM.")


def test_a_tremor_fast_tapper_does_not_start_the_pulse_at_180(tmp_path):
    tremor = []
    for k in range(40):                           # 8 Hz for 5 s
        t = 0.5 + k * 0.125
        tremor += [f"{{at: {t:.3f}, action: touch, board: 0x5A, electrode: 0}}",
                   f"{{at: {t + 0.05:.3f}, action: release, board: 0x5A, electrode: 0}}"]
    run(tmp_path, tremor + ["{at: 5.6, action: backing, style: pulse, tempo: follow, "
                            "tempo_bpm: 70, follow_player: 1}"], end=9)
    (_, start), = [(t, d) for t, d in backing_rows(tmp_path) if d.__class__.__name__ ==
                   "BackingStart"]
    assert (start.bpm, start.tempo_source) == (70.0, "tempo_bpm")
    assert {b for _, b in tempi(tmp_path)} == {70.0}


def test_a_call_pattern_named_in_a_scenario_plays_in_the_clients_key(tmp_path):
    # alex plays in A: call_steps is degrees 1 2 3 | 3 2 1 in A4 (A4 B4 C#5, C#5 B4 A4)
    summary, audio, db = run(tmp_path, [
        "{at: 1.0, action: backing, style: call, pattern: call_steps, tempo_bpm: 120}",
        "{at: 9.0, action: backing_stop}"], end=10)
    # 4 beats of call, 4 for the answer: the answer back from beat 8 (5.0 s)
    starts = [1.0, 1.5, 2.0, 5.0, 5.5, 6.0]
    heard = []
    for t in starts:
        seg = audio[int((t + 0.05) * SAMPLE_RATE):int((t + 0.4) * SAMPLE_RATE)]
        heard.append(fundamental_hz(seg.astype(np.float64).mean(axis=1), SAMPLE_RATE))
    for f, midi in zip(heard, (69, 71, 73, 73, 71, 69)):
        assert abs(cents(f, midi_to_hz(midi))) < 20, (f, midi)
    quiet = audio[int(3.7 * SAMPLE_RATE):int(4.95 * SAMPLE_RATE)]
    assert np.abs(quiet).max() < 0.02 * np.abs(audio).max(), "the client's time to answer"
    row = db.execute("SELECT detail FROM events WHERE kind='backing'").fetchone()[0]
    assert row.startswith("start:call:A:120.0bpm:tempo_bpm")


def test_a_plan_naming_a_missing_pattern_is_refused_with_a_did_you_mean(tmp_path):
    from conftest import write
    plans = tmp_path / "plans"
    write(plans / "chords.yaml", "phases:\n  - {name: main, backing: {style: progression, "
                                 "pattern: pop_fuor}}\n")
    summary, _, db = run(tmp_path, ["{at: 0.5, action: plan_start, plan: chords}"], end=1,
                         plans=plans)
    (refusal,) = summary["refused_plans"]
    assert "no backing pattern 'pop_fuor'" in refusal and "did you mean 'pop_four'" in refusal
    assert db.execute("SELECT count(*) FROM events WHERE kind='beat'").fetchone() == (0,)
