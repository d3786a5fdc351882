"""Pulse voices carry on a small speaker: one bar of each, rendered by FluidSynth at the
levels of the shipped table, measured through a 150 Hz high-pass (a Pi's usual speaker);
the bar's first beat accented; names validated with did-you-mean like the other names."""

from __future__ import annotations

import numpy as np
import pytest

from station.config.plan_schema import BACKING
from station.core.schema import validate
from station.sound.calibrate import RATE, render_voice
from station.sound.levels import find_levels
from station.sound.loudness import balance_db, highpass_loss_db, lufs
from station.sound.pulse import DEFAULT_VOICE, VOICES, pulse_voice
from station.sound.soundfont import find_soundfont

FONT = find_soundfont("/usr/share/sounds/sf2/TimGM6mb.sf2")
CARRIES = 3.0                 # dB lost through the high-pass, at most, to count as carrying


@pytest.fixture(scope="module")
def bars():
    levels = find_levels(FONT)
    return {name: render_voice(FONT, name, levels.voice(name)) for name in VOICES}


def test_the_default_voice_carries_on_a_small_speaker(bars):
    assert DEFAULT_VOICE == "woodblock"
    assert highpass_loss_db(bars[DEFAULT_VOICE], RATE) <= CARRIES


@pytest.mark.parametrize("name", ["woodblock", "claves", "shaker", "bass_click"])
def test_each_carrying_voice_loses_at_most_3_db_through_150_hz(name, bars):
    assert highpass_loss_db(bars[name], RATE) <= CARRIES


def test_the_kick_is_kept_and_is_the_one_a_small_speaker_loses(bars):
    assert highpass_loss_db(bars["kick"], RATE) > 8.0          # ~11 dB: felt, not heard


@pytest.mark.parametrize("name", list(VOICES))
def test_each_voice_is_centred_accented_on_the_bar_and_near_the_timbres_loudness(name, bars):
    bar = bars[name].astype(np.float64)
    quarter = len(bar) // 4
    peaks = [np.abs(bar[k * quarter:(k + 1) * quarter]).max() for k in range(4)]
    assert peaks[0] > 1.3 * max(peaks[1:])                     # the bar's first beat
    assert abs(balance_db(bars[name])) <= 1.0
    assert lufs(bars[name], RATE) == pytest.approx(find_levels(FONT).target_lufs, abs=4.0)


def test_voice_names_are_checked_with_did_you_mean():
    assert pulse_voice(None).name == "woodblock" and pulse_voice("Bass Click").name == \
        "bass_click"
    problems: list = []
    validate({"style": "pulse", "voice": "woodblok"}, BACKING, ("backing",), problems)
    assert len(problems) == 1 and "did you mean 'woodblock'?" in problems[0][1]
    for bad, words in (({"style": "drone", "voice": "claves"}, "for style pulse only"),
                       ({"style": "pulse", "voice": "claves", "timbre": "marimba"},
                        "not a drum kit")):
        problems = []
        validate(bad, BACKING, ("backing",), problems)
        assert problems and words in problems[0][1]
    problems = []
    validate({"style": "pulse", "voice": "shaker", "timbre": "brush_drums",
              "humanise": True}, BACKING, ("backing",), problems)
    assert problems == []
