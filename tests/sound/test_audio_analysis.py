"""Pitch, silence and onset measurement on synthetic signals with known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station.sound.analysis import (
    cents,
    first_sound_frame,
    fundamental_hz,
    is_silent,
    midi_to_hz,
    peak,
    rms_dbfs,
    to_mono,
)

RATE = 48000


def tone(hz: float, seconds: float = 0.3, harmonics=(1.0,), amplitude: float = 8000.0):
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(a * np.sin(2 * np.pi * hz * (k + 1) * t) for k, a in enumerate(harmonics))
    return (amplitude * wave / sum(harmonics)).astype(np.int16)


def test_midi_to_hz_and_cents():
    assert midi_to_hz(69) == 440.0
    assert midi_to_hz(60) == pytest.approx(261.6256, abs=1e-3)
    assert cents(880, 440) == pytest.approx(1200)
    assert cents(midi_to_hz(61), midi_to_hz(60)) == pytest.approx(100)
    with pytest.raises(ValueError):
        cents(0, 440)


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=60.0, max_value=3000.0))
def test_pure_tone_pitch_within_two_cents(hz):
    assert abs(cents(fundamental_hz(tone(hz), RATE), hz)) < 2


def test_weak_fundamental_is_not_an_octave_error():
    # second harmonic three times stronger than the fundamental, as in many real sounds
    assert abs(cents(fundamental_hz(tone(220, harmonics=(0.3, 1.0, 0.5)), RATE), 220)) < 5


def test_stereo_input_is_averaged():
    mono = tone(330)
    stereo = np.stack([mono, mono], axis=1)
    assert to_mono(stereo).shape == mono.shape
    assert abs(cents(fundamental_hz(stereo, RATE), 330)) < 2


def test_pitch_of_silence_or_too_little_is_refused():
    with pytest.raises(ValueError, match="silence"):
        fundamental_hz(np.zeros(4800, dtype=np.int16), RATE)
    with pytest.raises(ValueError, match="256"):
        fundamental_hz(tone(440)[:100], RATE)


def test_silence_allows_dither_only():
    dither = np.random.default_rng(1).integers(-2, 3, size=(4800, 2)).astype(np.int16)
    assert is_silent(dither) and first_sound_frame(dither) is None
    dither[1234, 1] = 3
    assert not is_silent(dither) and first_sound_frame(dither) == 1234
    assert is_silent(np.zeros((0, 2), dtype=np.int16))


def test_int16_minimum_does_not_overflow():
    samples = np.array([0, -32768, 0], dtype=np.int16)
    assert peak(samples) == 32768 and not is_silent(samples)


def test_rms_dbfs():
    assert rms_dbfs(np.zeros(10)) == -math.inf
    assert rms_dbfs(tone(440, amplitude=32767)) == pytest.approx(-3.01, abs=0.05)
