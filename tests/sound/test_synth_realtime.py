"""Real-time output through FluidSynth's real drivers: JACK on its dummy backend.

JACK paces real time without a sound card; a second JACK client records what the
station's ports play, so pitch, onset and silence are checked on what actually left.
"""

from __future__ import annotations

import time

import numpy as np
from jack_fixtures import jack_server  # noqa: F401

from bench.jack import Capture
from station.sound.analysis import cents, fundamental_hz, midi_to_hz
from station.sound.fluid_settings import AudioSettings, driver_settings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import load_catalogue


def test_each_driver_gets_only_settings_it_has():
    assert driver_settings(AudioSettings("alsa", "hw:0")) == {"audio.alsa.device": "hw:0"}
    jack = driver_settings(AudioSettings("jack", "studio"))
    assert jack["audio.jack.server"] == "studio" and "audio.jack.device" not in jack
    assert "audio.jack.server" not in driver_settings(AudioSettings("jack", "default"))
    assert driver_settings(AudioSettings("file", "out.wav")) == {"audio.file.name": "out.wav"}


def test_jack_driver_plays_the_note_asked_for(jack_server):
    audio = AudioSettings(driver="jack", device=jack_server.name, period_size=64, periods=2)
    with Synth(find_soundfont(None), audio=audio, gain=0.5) as synth:
        assert synth.audio_driver_ok
        synth.set_timbre(0, load_catalogue()["flute"])
        with Capture(jack_server.name, "station", seconds=5) as cap:
            time.sleep(0.3)                           # silence first
            before = time.monotonic_ns()
            synth.note_on(0, 69, 100)                 # A4
            time.sleep(0.6)
            synth.note_off(0, 69)
            off = time.monotonic_ns()
            # the release dies away: wait until the capture has 0.1 s of silence after
            # the note-off (a loaded machine's JACK cycles come late, not never)
            deadline = time.monotonic() + 60
            while True:
                time.sleep(0.2)
                audio_out, stamps = cap.recording()
                tail = audio_out[stamps > off + 300_000_000]
                if tail.size >= 4800 and np.max(np.abs(tail[-4800:])) < 1e-3:
                    break
                assert time.monotonic() < deadline, "the note never died away"
            onsets = cap.onsets(after_ns=before - 1)
    assert len(onsets) == 1
    assert onsets[0] >= before                        # heard after it was played
    print(f"note_on -> heard on JACK: {(onsets[0] - before) / 1e6:.1f} ms")
    silent_before = audio_out[stamps < before]
    assert silent_before.size and np.max(np.abs(silent_before)) < 1e-3
    i = int(np.searchsorted(stamps, onsets[0]))
    tone = (audio_out[i + 4800:i + 4800 + 16384] * 32767).astype(np.int16)  # from 0.1 s on
    assert abs(cents(fundamental_hz(tone, 48000), midi_to_hz(69))) < 20
    assert np.max(np.abs(audio_out[-4800:])) < 1e-3   # silence after the release
