"""Every backing pattern of configs/backings/ rendered offline with real FluidSynth: the
sounding pitch classes are the key's (and the chords the ones written), the onsets sit on
the beat grid (timed on a marimba: a string pad's swell has no sharp onset); and the notes
worked out by hand for a few patterns."""

import numpy as np
import pytest
from conftest import CONFIGS

from station.config.backing_patterns import load_pattern, pattern_names
from station.sound.analysis import cents, fundamental_hz, midi_to_hz
from station.sound.backing import DEFAULT_OCTAVE, DEFAULT_TIMBRE
from station.sound.patterns import PatternMusic, mode_steps
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.theory import key_pitch_class
from station.sound.timbres import timbre

FOLDER = CONFIGS / "backings"
RATE = 48000
BPM = 120.0
LEAD = 0.5                               # silence first, so the first onset is a rise
BEAT = 60.0 / BPM
NAMES = pattern_names(FOLDER)
KEYS = [("A", "major"), ("D", "minor")]


def music_of(name, key, mode):
    p = load_pattern(name, FOLDER)
    return p, PatternMusic(p, key, mode, p["octave"] or DEFAULT_OCTAVE[p["style"]], 100)


@pytest.fixture(scope="module")
def synth():
    s = Synth(find_soundfont(None))
    yield s
    s.close()


def render(synth, pattern, music, name=None):
    """One cycle of ``music`` at 120 BPM on channel 1, after ``LEAD`` s of silence:
    (audio, note-ons as (s, note), times from the start of the audio)."""
    synth.all_notes_off(immediate=True)                # nothing of the last render rings
    synth.render(RATE // 5)
    synth.set_timbre(0, timbre(name or pattern["timbre"] or DEFAULT_TIMBRE[pattern["style"]]))
    events = []
    for k in range(music.cycle_beats):
        for note, velocity, offset, length in music.beat(k):
            start = LEAD + (k + offset) * BEAT
            events += [(start, 1, note, velocity), (start + length * BEAT, 0, note, 0)]
    events.sort()
    chunks, frame = [], 0
    for t, on, note, velocity in events:
        at = round(t * RATE / 64) * 64                  # FluidSynth starts notes at blocks
        if at > frame:
            chunks.append(synth.render(at - frame))
            frame = at
        (synth.note_on(0, note, velocity) if on else synth.note_off(0, note))
    chunks.append(synth.render(RATE))                   # the tail
    return np.concatenate(chunks).astype(np.float64).mean(axis=1), \
        [(t, n) for t, on, n, _ in events if on]


def onsets(mono, threshold=0.25):
    """Times (s) where the spectrum rises sharply (positive spectral flux), one per rise."""
    hop, size = 128, 1024
    frames = np.lib.stride_tricks.sliding_window_view(mono, size)[::hop] * np.hanning(size)
    mag = np.log1p(np.abs(np.fft.rfft(frames, axis=1)))
    flux = np.maximum(np.diff(mag, axis=0), 0).sum(axis=1)
    flux /= flux.max()
    peaks = [i for i in range(1, len(flux) - 1)
             if flux[i] > threshold and flux[i] >= flux[i - 1] and flux[i] > flux[i + 1]]
    out: list[float] = []
    for i in peaks:                      # a window's centre crosses the onset: its start
        t = (i + 1) * hop / RATE + size / 2 / RATE
        if not out or t - out[-1] > 0.1:
            out.append(t)
    return out


def chroma(mono, start_s, end_s, low_midi):
    """Energy per pitch class of the fundamentals from ``low_midi`` up one octave."""
    seg = mono[int(start_s * RATE):int(end_s * RATE)]
    spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / RATE)
    out = np.zeros(12)
    for note in range(low_midi, low_midi + 12):
        f = midi_to_hz(note)
        band = (freqs > f * 2 ** (-0.4 / 12)) & (freqs < f * 2 ** (0.4 / 12))
        out[note % 12] += spec[band].sum()
    return out


def scale_pcs(key, mode):
    return {(key_pitch_class(key) + s) % 12 for s in mode_steps(mode)}


def test_at_least_eight_patterns_of_every_style_validate():
    assert len(NAMES) >= 8
    styles = {load_pattern(n, FOLDER)["style"] for n in NAMES}
    assert styles == {"progression", "bass", "call"}
    assert all(load_pattern(n, FOLDER)["practice"] for n in NAMES)


def test_notes_worked_out_by_hand():
    _, m = music_of("cadence", "C", "major")          # I IV V I in C3
    chords = [[n for n, *_ in m.beat(k)] for k in (0, 4, 8, 12)]
    assert chords == [[48, 52, 55], [48, 53, 57], [50, 55, 59], [48, 52, 55]]
    _, m = music_of("cadence", "A", "minor")          # i iv v i: the minor mode's triads
    assert {n % 12 for n, *_ in m.beat(4)} == {2, 5, 9}          # D F A: iv
    _, m = music_of("root_fifth", "G", "major")       # G2 and D3 under I, C2 G2 under IV
    assert [m.beat(k)[0][0] for k in (0, 2, 4, 6)] == [43, 50, 48, 55]
    assert m.beat(1) == [] and m.beat(0)[0][1] == 100 and m.beat(2)[0][1] == 70
    p, m = music_of("call_steps", "C", "major")       # C4 D4 E4, then 5 beats of answer
    assert [m.beat(k)[0][:3] for k in range(3)] == [(60, 100, 0.0), (62, 70, 0.0),
                                                    (64, 70, 0.0)]
    assert all(m.beat(k) == [] for k in range(4, 8)), "the client's time to answer"
    assert m.beat(8)[0][0] == 64, "the station answers back from the next bar"
    _, m = music_of("call_rhythm", "C", "major")
    assert [(o, round(length, 3)) for _, _, o, length in m.beat(2)] == [(0.0, 0.475),
                                                                       (0.5, 0.475)]


@pytest.mark.parametrize("key,mode", KEYS)
@pytest.mark.parametrize("name", NAMES)
def test_a_pattern_sounds_in_the_key_with_onsets_on_the_beat_grid(synth, name, key, mode):
    pattern, music = music_of(name, key, mode)
    mono, ons = render(synth, pattern, music)
    in_key = scale_pcs(key, mode)
    assert {n % 12 for _, n in ons} <= in_key
    if pattern["style"] == "progression":            # the chord heard is the one written
        starts = sorted({t for t, _ in ons})
        for a, b in zip(starts, starts[1:] + [starts[-1] + 2 * BEAT]):
            written = {n % 12 for t, n in ons if t == a}
            heard = chroma(mono, a + 0.05, b - 0.05, music.root)
            top = set(np.argsort(heard)[-3:])
            assert top == written, (a, sorted(top), sorted(written))
    else:                                            # one note at a time: its pitch
        for t, note in ons:
            k = int((t - LEAD) / BEAT + 1e-9)
            long = [length for n, _, o, length in music.beat(k)
                    if n == note and abs(LEAD + (k + o) * BEAT - t) < 1e-9][0]
            seg = mono[int((t + 0.03) * RATE):int((t + max(0.1, long * BEAT * 0.8)) * RATE)]
            f = fundamental_hz(seg, RATE, fmin=30.0)
            assert abs(cents(f, midi_to_hz(note))) < 20 or \
                abs(cents(f, midi_to_hz(note + 12))) < 20, (t, note, f)
    # the timing is the pattern's, whatever the timbre: measured on a struck one (a
    # string pad's slow swell, or the beating of a held chord, has no sharp onset to time)
    mono, _ = render(synth, pattern, music, "marimba")
    heard = onsets(mono)
    grid = BEAT / 4                                  # beats, halves and quarters
    for t in heard:
        x = (t - LEAD) / grid
        assert abs(x - round(x)) * grid < 0.012, f"an onset at {t:.3f} s"
    expected = sorted({round(t, 6) for t, _ in ons})
    found = [t for t in expected if any(abs(h - t) < 0.012 for h in heard)]
    assert len(found) >= 0.9 * len(expected), (expected, heard)
