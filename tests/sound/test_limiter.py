"""The output ceiling (station.sound.limiter): no sample above ``audio.ceiling_dbfs``.

First the algorithm against a plain-Python model of it, on arbitrary signals; then real
FluidSynth audio: random chords of up to 4 players x 12 pads in the loudest timbres at the
highest gain, the reverb (which a LADSPA limiter inside FluidSynth would not see), a quiet
note passing bit for bit, and the latency the limiter adds, by onset.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from station.config.station_schema import STATION
from station.sound.analysis import cents, first_sound_frame, fundamental_hz, midi_to_hz, peak
from station.sound.limiter import (
    HEADROOM,
    LOOKAHEAD_S,
    RELEASE_S,
    Limiter,
    ceiling_linear,
    check_ceiling,
)
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.theory import chord_notes
from station.sound.timbres import load_catalogue, timbre

RATE = 48000
CEILING = -6.0
LIMIT = ceiling_linear(CEILING) * 32767          # the ceiling in int16 units (16422.3)
GAIN_MAX = STATION.fields["audio"].fields["gain"].max
NUMERALS = ("I", "ii", "iii", "IV", "V", "vi", "vii°", "V7", "ii7", "Imaj7", "bVII", "I+")
KEYS = ("C", "D", "Eb", "F#", "A", "Bb")


def model(x: np.ndarray, threshold: float) -> np.ndarray:
    """The limiter as limiter.c's comment states it, one frame at a time in float64."""
    d = math.floor(LOOKAHEAD_S * RATE + 1e-9)
    w, r, t = d + 1, math.exp(-1.0 / (RELEASE_S * RATE)), float(np.float32(threshold))
    env, envs = 1.0, []
    for a in np.abs(x).max(axis=1).astype(np.float64):
        env = 1.0 - (1.0 - env) * r
        env = 1.0 if env > 1.0 - 1e-12 else env
        env = min(env, t / a if a > t else 1.0)
        envs.append(env)
    env_before = np.r_[np.ones(d), envs]             # before the start: no reduction
    low = np.r_[np.ones(d), [env_before[i:i + w].min() for i in range(len(envs))]]
    gain = np.minimum([low[i:i + w].mean() for i in range(len(envs))], 1.0)
    delayed = np.r_[np.zeros((d, 2)), x.astype(np.float64)][:len(x)]
    return delayed * gain[:, None]


signals = arrays(np.float32, st.tuples(st.integers(1, 900), st.just(2)),
                 elements=st.floats(-60.0, 60.0, width=32))


@settings(max_examples=60, deadline=None)
@given(signal=signals, cuts=st.lists(st.integers(1, 900), max_size=4))
def test_the_limiter_is_the_algorithm_it_documents_and_never_passes_the_ceiling(signal, cuts):
    limiter = Limiter(RATE, CEILING)
    try:
        # cut into blocks of any size, as audio periods are: the state carries over
        edges = sorted({c for c in cuts if c < len(signal)})
        out = np.concatenate([limiter.process(block)
                              for block in np.split(signal, edges) if len(block)])
    finally:
        limiter.close()
    expected = model(signal, limiter.threshold)
    assert np.abs(out).max() <= np.float32(limiter.threshold)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)


def test_nan_and_infinity_from_upstream_become_silence_not_full_scale():
    limiter = Limiter(RATE, CEILING)
    burst = np.full((200, 2), 0.1, np.float32)
    burst[50] = (np.nan, np.inf)
    out = limiter.process(burst)
    limiter.close()
    assert np.isfinite(out).all() and np.abs(out).max() <= limiter.threshold


@pytest.mark.parametrize("bad", [0.5, -31.0, float("nan"), float("inf"), "loud", None])
def test_a_ceiling_outside_minus_30_to_0_dbfs_is_refused(bad):
    with pytest.raises(ValueError, match="-30..0 dBFS"):
        check_ceiling(bad)


# -- real FluidSynth audio ------------------------------------------------------------------

@pytest.fixture(scope="module")
def soundfont():
    return find_soundfont()


@pytest.fixture(scope="module")
def loudest(soundfont):
    """The four timbres of the catalogue with the highest peak for a loud chord, measured
    here (not assumed) on the raw mix, before any limiting."""
    peaks = {}
    with Synth(soundfont, gain=1.0) as synth:
        synth.limiter.bypass = True
        for name, t in load_catalogue().items():
            synth.all_notes_off(immediate=True)
            synth.limiter.render_float(RATE // 2)
            synth.set_timbre(9 if t.percussion else 0, t)
            for note in ((36, 38, 42, 49, 51) if t.percussion else (48, 55, 60, 64, 67)):
                synth.note_on(9 if t.percussion else 0, note, 127)
            peaks[name] = float(np.abs(synth.limiter.render_float(RATE // 2)).max())
    return sorted(peaks, key=peaks.get, reverse=True)[:4]


@pytest.fixture(scope="module")
def loud_synth(soundfont):
    """Every cap at its maximum: the config's highest gain, full velocity, full reverb."""
    with Synth(soundfont, gain=GAIN_MAX, ceiling_dbfs=CEILING) as synth:
        yield synth


def press(synth, channel: int, name: str, chords, velocity: int = 127,
          reverb: float = 1.0) -> int:
    synth.set_timbre(channel, timbre(name))
    synth.set_reverb_send(channel, reverb)
    notes = 0
    for numeral, key, octave in chords:
        for note in chord_notes(numeral, key, octave):
            synth.note_on(channel, note, velocity)
            notes += 1
    return notes


player = st.tuples(st.integers(0, 3),                                   # loudest timbre
                   st.lists(st.tuples(st.sampled_from(NUMERALS), st.sampled_from(KEYS),
                                      st.integers(2, 6)), min_size=1, max_size=12),  # pads
                   st.integers(1, 127),                                 # velocity
                   st.floats(0.0, 1.0),                                 # reverb send
                   st.integers(0, 4800))                                # when, frames


@settings(max_examples=40, deadline=None)
@given(players=st.lists(player, min_size=1, max_size=4))
def test_random_chords_of_four_players_in_the_loudest_timbres_never_pass_the_ceiling(
        loud_synth, loudest, players):
    synth = loud_synth
    synth.all_notes_off(immediate=True)
    at, out = 0, []
    for channel, (which, chords, velocity, reverb, when) in sorted(
            enumerate(players), key=lambda p: p[1][4]):
        out.append(synth.render(when - at))
        at = when
        press(synth, channel, loudest[which], chords, velocity, reverb)
    out.append(synth.render(RATE // 10))
    assert peak(np.concatenate(out)) <= LIMIT


def test_the_issues_case_at_full_gain_is_held_at_the_ceiling_not_silenced(loud_synth, loudest):
    synth = loud_synth
    synth.all_notes_off(immediate=True)
    synth.render(RATE // 2)
    before = synth.limiter.status()["limited_blocks"]
    pads = [(n, "C", 4) for n in ("I", "ii", "iii", "IV", "V", "vi")] * 2     # 12 pads
    notes = sum(press(synth, ch, loudest[ch], pads) for ch in range(4))
    audio = synth.render(RATE)
    assert notes >= 140
    assert peak(audio) <= LIMIT
    assert peak(audio) >= LIMIT * 10 ** (-1 / 20), "loud, just under the ceiling"
    s = synth.limiter.status()
    assert s["limited_blocks"] > before and s["loudest_input_dbfs"] > 20, \
        "the raw mix was far over full scale: without the limiter this clips"


def test_the_reverb_is_limited_too(soundfont, loudest):
    """FluidSynth adds reverb after its LADSPA effects: this limiter must see it."""
    tails = {}
    for bypass in (True, False):
        with Synth(soundfont, gain=GAIN_MAX) as synth:
            synth.limiter.bypass = bypass
            pads = [(n, "C", 4) for n in ("I", "IV", "V", "vi")]
            for ch in range(4):
                press(synth, ch, loudest[ch], pads)
            synth.render(RATE // 4)
            synth.all_notes_off(immediate=True)        # every voice cut: reverb remains
            synth.render(RATE // 50)
            tails[bypass] = synth.limiter.render_float(RATE // 2)
    assert np.abs(tails[True]).max() > 2 * ceiling_linear(CEILING), "raw reverb passes it"
    assert np.abs(tails[False]).max() <= ceiling_linear(CEILING) - HEADROOM
    assert np.abs(tails[False]).max() > 0.25, "the reverb is still heard"


def test_a_quiet_note_passes_bit_for_bit_only_later(soundfont):
    renders = {}
    for bypass in (True, False):
        with Synth(soundfont) as synth:                # the station's default gain
            synth.limiter.bypass = bypass
            synth.set_timbre(0, timbre("flute"))
            synth.note_on(0, 69, 80)
            renders[bypass] = synth.render(RATE // 2)
            delay = synth.limiter.delay_frames
    raw, limited = renders[True], renders[False]
    assert 0.01 * LIMIT < peak(raw) < 0.5 * LIMIT, "a quiet note, well under the ceiling"
    assert not limited[:delay].any()
    np.testing.assert_array_equal(limited[delay:], raw[:-delay])
    tone_raw, tone_lim = raw[RATE // 10:], limited[RATE // 10 + delay:]
    pitch = fundamental_hz(tone_lim, RATE)
    assert abs(cents(pitch, fundamental_hz(tone_raw, RATE))) < 0.01
    assert abs(cents(pitch, midi_to_hz(69))) < 20
    level = np.sqrt(np.mean(tone_lim.astype(float) ** 2))
    assert level == pytest.approx(np.sqrt(np.mean(tone_raw[:len(tone_lim)].astype(float) ** 2)))


def test_the_latency_it_adds_by_onset_is_its_look_ahead_at_most_1_ms(soundfont):
    onsets, delay = {}, Limiter(RATE, CEILING).delay_frames
    for ceiling in ("bypass", "limited", "fluidsynth"):
        with Synth(soundfont, ceiling_dbfs=None if ceiling == "fluidsynth" else CEILING) \
                as synth:
            if synth.limiter is not None:
                synth.limiter.bypass = ceiling == "bypass"
            synth.set_timbre(0, timbre("marimba"))
            synth.note_on(0, 60, 100)
            onsets[ceiling] = first_sound_frame(synth.render(RATE // 10))
    added = onsets["limited"] - onsets["bypass"]
    assert added == delay == round(LOOKAHEAD_S * RATE)
    assert added / RATE <= 0.001
    # the pass-through renders as FluidSynth's own int16 path does (up to its dither)
    assert abs(onsets["bypass"] - onsets["fluidsynth"]) <= 1
