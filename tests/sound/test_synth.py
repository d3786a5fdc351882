"""Real FluidSynth, real audio: pitch by FFT, silence by sample values (dither: |x| <= 2)."""

from __future__ import annotations

import ctypes
import wave

import numpy as np
import pytest

from station.core.errors import AudioError, ConfigError, SoundfontError
from station.sound.analysis import (
    cents,
    first_sound_frame,
    fundamental_hz,
    is_silent,
    midi_to_hz,
)
from station.sound.fluid_settings import AudioSettings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import Timbre, timbre
from station.sound.wav import WavWriter

RATE = 48000


@pytest.fixture(scope="module")
def soundfont():
    return find_soundfont()


@pytest.fixture(scope="module")
def shared(soundfont):
    with Synth(soundfont, sample_rate=RATE) as synth:
        yield synth


@pytest.fixture
def synth(shared):
    """The module's synth, left quiet and at full volume for the next test."""
    yield shared
    shared.all_notes_off(immediate=True)
    for channel in range(16):
        shared.set_channel_volume(channel, 1.0)
    shared.render(RATE // 10)


def seconds(s: float) -> int:
    return int(s * RATE)


@pytest.mark.parametrize("name, note", [("marimba", 69), ("soft_piano", 60), ("flute", 72),
                                        ("harp", 64), ("piano", 57)])
def test_note_sounds_at_its_pitch_and_stops_after_release(synth, name, note):
    synth.set_timbre(0, timbre(name))
    assert is_silent(synth.render(seconds(0.1))), "silence before any note"
    synth.note_on(0, note, 100)
    tone = synth.render(seconds(0.5))
    assert not is_silent(tone)
    measured = fundamental_hz(tone[seconds(0.05):], RATE)
    assert abs(cents(measured, midi_to_hz(note))) < 20, f"{name} {note}: {measured:.1f} Hz"
    synth.note_off(0, note)
    tail = synth.render(seconds(2.0))
    assert is_silent(tail[seconds(1.8):]), "silence after note-off and release"


def test_first_sound_arrives_within_a_few_milliseconds(synth):
    synth.set_timbre(0, timbre("marimba"))
    synth.note_on(0, 60, 110)
    onset = first_sound_frame(synth.render(seconds(0.05)))
    # events apply at the next 64-frame block; the marimba attack is a few frames
    assert onset is not None and onset < 64 + 48


def test_all_notes_off_silences_every_channel(synth):
    for channel, name in enumerate(["strings", "flute", "choir", "pad_warm"]):
        synth.set_timbre(channel, timbre(name))
        synth.note_on(channel, 60 + channel * 4, 100)
    assert not is_silent(synth.render(seconds(0.3)))
    synth.all_notes_off()
    assert is_silent(synth.render(seconds(2.5))[seconds(2.3):])


def test_all_notes_off_releases_held_sustain_pedal(synth):
    synth.set_timbre(0, timbre("piano"))
    synth._control(0, 64, 127)  # a sustain pedal left down must not keep notes ringing
    synth.note_on(0, 60, 100)
    synth.note_off(0, 60)
    synth.all_notes_off(0)
    assert is_silent(synth.render(seconds(1.5))[seconds(1.3):])


def test_immediate_all_notes_off_cuts_tails(synth):
    synth.set_timbre(0, timbre("music_box"))  # rings for seconds after release
    synth.note_on(0, 72, 127)
    synth.render(seconds(0.1))
    synth.all_notes_off(immediate=True)
    assert is_silent(synth.render(seconds(0.1))[seconds(0.02):])


def test_channel_volume_zero_is_silent_and_other_channels_unaffected(synth):
    synth.set_timbre(0, timbre("marimba"))
    synth.set_timbre(1, timbre("marimba"))
    synth.set_channel_volume(0, 0.0)
    synth.note_on(0, 69, 127)
    assert is_silent(synth.render(seconds(0.3)))
    synth.note_on(1, 69, 127)
    assert not is_silent(synth.render(seconds(0.3)))


def test_percussion_timbre_plays_a_drum(synth):
    synth.set_timbre(3, timbre("drums"))
    synth.note_on(3, 38, 120)  # snare
    assert not is_silent(synth.render(seconds(0.2)))


def test_render_shape_and_type(synth):
    out = synth.render(1000)
    assert out.shape == (1000, 2) and out.dtype == np.int16
    assert synth.render(0).shape == (0, 2)


@pytest.mark.parametrize("call", [lambda s: s.note_on(16, 60, 100), lambda s: s.note_on(0, 128, 1),
                                  lambda s: s.note_on(0, 60, 128), lambda s: s.note_off(0, -1),
                                  lambda s: s.set_channel_volume(0, 1.5),
                                  lambda s: s.set_reverb_send(0, -0.1), lambda s: s.render(-1)])
def test_out_of_range_arguments_raise(synth, call):
    with pytest.raises(ValueError):
        call(synth)


def test_missing_preset_is_a_soundfont_error(synth):
    with pytest.raises(SoundfontError, match="no preset"):
        synth.set_timbre(0, Timbre("made_up", bank=5, program=3))


def test_bad_soundfont_file_is_a_soundfont_error(tmp_path):
    bogus = tmp_path / "bogus.sf2"
    bogus.write_bytes(b"RIFF\0\0\0\0sfbk" + b"\0" * 64)
    with pytest.raises(SoundfontError, match="could not load"):
        Synth(bogus)


def test_close_is_idempotent_and_late_notes_are_ignored(soundfont):
    synth = Synth(soundfont, reverb=0.3)
    synth.note_on(0, 60, 100)
    synth.close()
    synth.close()
    assert synth.closed and synth.note_on(0, 60, 100) is False and synth.note_off(0, 60) is False
    synth.all_notes_off()
    with pytest.raises(RuntimeError):
        synth.render(10)


def test_settings_reach_fluidsynth_with_the_right_types(soundfont):
    # FluidSynth silently ignores an int given for a float setting: read the values back
    with Synth(soundfont, gain=0.8, polyphony=32) as synth:
        gain, voices = ctypes.c_double(), ctypes.c_int()
        synth._fs.fluid_settings_getnum(synth._settings, b"synth.gain", ctypes.byref(gain))
        synth._fs.fluid_settings_getint(synth._settings, b"synth.polyphony", ctypes.byref(voices))
        assert (gain.value, voices.value) == (pytest.approx(0.8), 32)


def test_realtime_on_a_missing_alsa_device_is_a_plain_audio_error(soundfont):
    with pytest.raises(AudioError, match=r"'hw:99'.*'alsa'"):
        Synth(soundfont, audio=AudioSettings(driver="alsa", device="hw:99"))


def test_realtime_file_driver_runs_and_refuses_render(soundfont, tmp_path):
    out = tmp_path / "live.raw"
    synth = Synth(soundfont, audio=AudioSettings(driver="file", device=str(out)))
    try:
        assert synth.realtime and synth.audio_driver_ok
        assert synth.note_on(0, 60, 100)
        with pytest.raises(RuntimeError, match="real time"):
            synth.render(64)
    finally:
        synth.close()
    assert not synth.audio_driver_ok


def test_audio_settings_latency_and_validation():
    assert AudioSettings(period_size=64, periods=3, sample_rate=48000).latency_ms == 4.0
    with pytest.raises(ConfigError):
        AudioSettings(periods=1)
    with pytest.raises(ConfigError):
        AudioSettings(period_size=32)


def test_wav_writer_streams_rendered_audio(synth, tmp_path):
    synth.set_timbre(0, timbre("kalimba"))
    synth.note_on(0, 64, 100)
    path = tmp_path / "deep" / "session.wav"
    with WavWriter(path, RATE) as wav:
        wav.write(synth.render(4800))
        wav.write(synth.render(2400).reshape(-1))
        assert wav.seconds_written == pytest.approx(0.15)
    wav.close()
    with wave.open(str(path)) as check:
        assert (check.getnchannels(), check.getsampwidth(), check.getframerate()) == (2, 2, RATE)
        assert check.getnframes() == 7200
    with pytest.raises(ValueError):
        WavWriter(tmp_path / "x.wav", RATE).write(np.zeros((4, 2), dtype=np.float32))


def test_find_soundfont_configured_fallback_and_errors(tmp_path):
    assert find_soundfont().is_file()
    with pytest.raises(SoundfontError, match="does not exist"):
        find_soundfont(tmp_path / "nope.sf2")
    not_sf = tmp_path / "notes.sf2"
    not_sf.write_text("hello")
    with pytest.raises(SoundfontError, match="not a SoundFont"):
        find_soundfont(not_sf)
    with pytest.raises(SoundfontError, match="apt-get install"):
        find_soundfont(None, fallbacks=[tmp_path / "a.sf2", tmp_path / "b.sf2"])


def test_a_reverb_send_switches_the_reverb_on_so_a_note_rings_longer(soundfont):
    """A profile's sound.reverb must be audible even though the synth starts without one."""
    import numpy as np

    from station.sound.timbres import timbre
    energy = []
    for send in (0.0, 1.0):
        synth = Synth(soundfont)
        synth.set_timbre(0, timbre("marimba"))
        synth.set_reverb_send(0, send)
        synth.note_on(0, 72, 110)
        synth.render(4800)
        synth.note_off(0, 72)
        tail = synth.render(48000)[24000:].astype(float)   # 0.5..1 s after the release
        energy.append(float(np.sqrt(np.mean(tail ** 2))))
        synth.close()
    assert energy[1] > 1.15 * energy[0], \
        f"tail RMS with reverb {energy[1]:.1f}, dry {energy[0]:.1f}"
