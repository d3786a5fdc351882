"""The pure parts of session music, against values worked out by hand: the client's tempo,
the ramp and its bound, "with the beat", the backing's notes, phrases and their echo, and
the block grid of the offline scheduler."""

import pytest

from station.sound.analysis import is_silent
from station.sound.backing import BackingMusic, BackingSpec
from station.sound.echo import PhraseRecorder, echo_notes
from station.sound.scheduler import DirectOut, Track
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.tempo import Ramp, ramp_seconds, tempo_of, with_beat

S = 1_000_000_000
MS = 1_000_000


def test_tempo_of_is_the_median_interval_within_phrases():
    # intervals .6 .6 .5 | pause 4 s | .6 .7 -> within phrases: .5 .6 .6 .6 .7: median .6
    onsets = [0, 600, 1200, 1700, 5700, 6300, 7000]
    assert tempo_of([t * MS for t in onsets], 7 * S) == pytest.approx(100.0)
    assert tempo_of([0, 600 * MS, 1200 * MS], 2 * S) is None          # two intervals
    assert tempo_of([t * MS for t in onsets], 40 * S) is None           # all too old
    # taps 100 ms apart are a tremor's, one gesture: not a tempo (it was 180 BPM, the clamp)
    assert tempo_of([0, 100 * MS, 200 * MS, 300 * MS], S) is None
    assert tempo_of([0, 360 * MS, 720 * MS, 1080 * MS], 2 * S) == pytest.approx(166.7, abs=0.1)
    chord = [0, 0, 500 * MS, 500 * MS, 1000 * MS, 1500 * MS]            # chords count once
    assert tempo_of(chord, 2 * S) == pytest.approx(120.0)


def test_a_ramp_is_linear_in_progress_and_never_steeper_than_the_bound():
    r = Ramp(60, 90, 30)
    assert r.bpm() == 60 and not r.done
    r.advance(15)
    assert r.bpm() == pytest.approx(75.0) and r.fraction == pytest.approx(0.5)
    r.advance(100)
    assert r.bpm() == 90 and r.done
    assert ramp_seconds(100, 80, 5) == 20.0          # 1 BPM a second at most
    assert Ramp(100, 80, 5).seconds == 20.0
    assert Ramp(70).bpm() == 70 and Ramp(70).done
    assert Ramp(10, 500, 1000).start == 30 and Ramp(10, 500, 1000).target == 180


def test_with_the_beat_needs_three_of_four_beats_hit_with_agreeing_phases():
    beats = [k * S for k in range(8)]                      # 60 BPM
    on_time = [b + 30 * MS for b in beats]
    assert with_beat(beats, on_time)
    assert not with_beat(beats[:4], on_time)               # too few beats heard yet
    assert not with_beat(beats, [])                        # touches stopped
    assert not with_beat(beats, on_time[:5])               # the last 3 beats missed
    two_of_four = on_time[:6]                              # beats 6 and 7 missed
    assert not with_beat(beats, two_of_four)
    # touches near every beat but scattered: +200, -200 ms alternately (a fifth of a
    # period): phases +-72 degrees, vector strength cos 72 = 0.31 < 0.8
    scattered = [b + (200 if k % 2 else -200) * MS for k, b in enumerate(beats)]
    assert not with_beat(beats, scattered)
    # off the beat by half a period: nothing within a quarter period
    assert not with_beat(beats, [b + 500 * MS for b in beats])


def test_backing_notes_drone_pulse_and_ostinato():
    drone = BackingMusic(BackingSpec("drone"), "A", percussion=False, velocity=100)
    assert drone.drone() == [(57, 100), (64, 75)]          # A3 and E4 (the fifth), softer
    pulse = BackingMusic(BackingSpec("pulse", beats_per_bar=3), "C", True, 100)
    assert [pulse.beat(k) for k in range(4)] == [[(76, 100)], [(77, 70)], [(77, 70)],
                                                 [(76, 100)]]   # wood block, high on 1
    kick = BackingMusic(BackingSpec("pulse", voice="kick"), "C", True, 100)
    assert [kick.beat(k) for k in range(2)] == [[(36, 100)], [(36, 70)]]
    layered = BackingMusic(BackingSpec("pulse", voice="bass_click"), "A", True, 100)
    assert layered.beat(0) == [(37, 80)] and layered.layer(0) == [(45, 100)]   # A2 under
    assert layered.layer(1) == [(45, 70)] and kick.layer(0) == []
    human = BackingMusic(BackingSpec("pulse", humanise=True), "C", True, 100)
    velocities = [human.beat(k)[0][1] for k in range(16)]
    assert len(set(velocities)) > 4                        # varied, within +-10 %
    assert all(90 <= v <= 110 for v in velocities[::4])
    assert velocities == [human.beat(k)[0][1] for k in range(16)]   # the same each time
    bass = BackingMusic(BackingSpec("pulse"), "D", False, 100)
    assert bass.beat(0) == [(38, 100)]                     # D2: the root, low
    ost = BackingMusic(BackingSpec("ostinato"), "G", False, 80)
    assert [ost.beat(k)[0][0] for k in range(5)] == [55, 62, 67, 62, 55]   # G3 D4 G4 D4
    own = BackingMusic(BackingSpec("ostinato", pattern=(0, 4, 7)), "C", False, 80)
    assert [own.beat(k)[0][0] for k in range(4)] == [48, 52, 55, 48]


def test_a_phrase_ends_after_the_gap_once_every_note_is_released():
    rec = PhraseRecorder(gap_ns=1000 * MS, max_notes=3)
    rec.note_on(0, 60, 100)
    assert rec.ends_at() is None                           # still held
    rec.note_off(300 * MS, 60)
    rec.note_on(500 * MS, 64, 90)
    rec.note_off(2500 * MS, 64)                            # held past the gap
    assert rec.ends_at() == 2500 * MS                      # ends at the release
    rec.note_on(2600 * MS, 67, 80)
    rec.note_on(2700 * MS, 72, 80)                         # beyond max_notes: left out
    rec.note_off(2800 * MS, 67)
    rec.note_off(2900 * MS, 72)
    assert rec.ends_at() == 3700 * MS                      # last touch + gap
    phrase = rec.take()
    assert [n for _, n, _, _ in phrase.notes] == [60, 64, 67]
    assert phrase.notes[1] == (500 * MS, 64, 90, 2 * S)    # length capped at 2 s
    assert rec.ends_at() is None and rec.take() is None


def test_echo_notes_keep_rhythm_and_pitch_classes_and_are_quieter():
    rec = PhraseRecorder(1000 * MS, 16)
    for t, n in ((0, 69), (400, 73), (800, 76)):
        rec.note_on(t * MS, n, 100)
        rec.note_off((t + 200) * MS, n)
    phrase = rec.take()
    notes = echo_notes(phrase, 10 * S, transpose=12, volume=0.5)
    ons = [(t, n, v) for t, n, v in notes if v]
    assert ons == [(10 * S, 81, 50), (10 * S + 400 * MS, 85, 50), (10 * S + 800 * MS, 88, 50)]
    assert {n % 12 for _, n, _ in ons} == phrase.pitch_classes == {9, 1, 4}
    offs = [(t, n) for t, n, v in notes if not v]
    assert offs[0] == (10 * S + 200 * MS, 81)
    assert echo_notes(phrase, 0, transpose=60, volume=0.5) == []   # beyond MIDI: left out


@pytest.fixture(scope="module")
def synth():
    s = Synth(find_soundfont(None))
    yield s
    s.close()


def test_the_offline_grid_is_whole_blocks_and_times_round_up_to_the_sample(synth):
    out = DirectOut(synth)
    assert out.block_at(0) == 0 and out.block_at(1) == 1
    assert out.ns_of(1) == 1_333_334                       # 64 frames at 48 kHz, rounded up
    assert (out.ns_of(1) * 48000) // S == 64               # ... so rendering stops at 64
    assert out.block_at(out.ns_of(750)) == 750             # 1 s = 750 blocks, exactly
    assert out.blocks(60 / 110) == 409                     # 545.45 ms -> 545.33 ms
    assert out.sounded_block(out.ns_of(9)) == 9


def test_a_track_hands_notes_over_at_their_time_and_clear_silences(synth):
    out = DirectOut(synth)
    track = Track(out, 1, channel=13)
    track.add(10, 60, 90)
    track.add(5, 62, 90)
    track.add(20, 60, 0)
    assert track.next_deadline() == out.ns_of(5)
    track.tick(out.ns_of(5))
    assert synth.active_voices() > 0 and len(track) == 2 and track.busy(out.ns_of(5))
    track.clear()
    assert len(track) == 0 and track.next_deadline() is None
    assert is_silent(synth.render(3 * 48000)[-4800:])      # released: only a tail, then quiet
    assert synth.active_voices() == 0
