"""The ceiling on every real-time output, and what happens without the limiter library.

JACK's dummy backend runs FluidSynth's real jack driver (callback mode, our limiter on its
audio thread); two capture clients record the left and the right port on their own. The
file driver is ours (FluidSynth's has no callback mode). Without the compiled library the
station refuses to make any sound, with the fix named, as a user sees it from the CLI.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
import wave

import numpy as np
import pytest
from conftest import CONFIGS, EMULATED, station_command, station_config, write
from jack_fixtures import jack_server  # noqa: F401

from bench.jack import Capture
from station.config.station_schema import STATION
from station.core.errors import AudioError
from station.sound import limiter
from station.sound.analysis import peak
from station.sound.fluid_settings import AudioSettings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.theory import chord_notes
from station.sound.timbres import timbre

CEILING = -6.0
GAIN_MAX = STATION.fields["audio"].fields["gain"].max
BRIGHT = ("xylophone", "kalimba", "harp", "french_horn")    # the loudest in TimGM6mb
PADS = ("I", "ii", "iii", "IV", "V", "vi") * 2              # 12 pads of chords


def burst(synth) -> None:
    """Four players press all their 12 pads at once, full velocity, full reverb."""
    for ch, name in enumerate(BRIGHT):
        synth.set_timbre(ch, timbre(name))
        synth.set_reverb_send(ch, 1.0)
        for numeral in PADS:
            for note in chord_notes(numeral, "C", 4):
                synth.note_on(ch, note, 127)


def listen_to(cap: Capture, port: str) -> None:
    """Make ``cap`` record ``port`` alone: its mono mix (x + x) / 2 is that port exactly.
    (Capture.start connected left and right; JACK may not list that connection yet, so
    disconnect by name and let an existing connection be.)"""
    import jack
    other = "station:right" if port == "station:left" else "station:left"
    for ours in cap.inputs:
        with contextlib.suppress(jack.JackError):
            cap.client.disconnect(other, ours)
        with contextlib.suppress(jack.JackError):
            cap.client.connect(port, ours)


def recorded_for(cap: Capture, seconds: float) -> None:
    """Wait (deadline 20 s) until ``cap`` recorded ``seconds`` more: JACK's time, not the
    wall clock's (under load the dummy backend may run slow). Coarse steps: the capture's
    callback needs the GIL."""
    want = len(cap.recording()[0]) + int(seconds * cap.rate)
    deadline = time.monotonic() + 20
    while len(cap.recording()[0]) < want:
        assert time.monotonic() < deadline, "JACK stopped running the capture client"
        time.sleep(0.05)


def loud_burst_on(server: str, synth, port: str) -> np.ndarray:
    """What ``port`` played around a burst: 0.2 s before, 1 s of it, 0.2 s after."""
    with Capture(server, "station", seconds=5, name="capture") as cap:
        listen_to(cap, port)
        recorded_for(cap, 0.2)
        burst(synth)
        recorded_for(cap, 1.0)
        synth.all_notes_off(immediate=True)
        recorded_for(cap, 0.2)
        return cap.recording()[0].copy()


def test_the_jack_output_never_passes_the_ceiling_in_a_loud_burst(jack_server):
    audio = AudioSettings(driver="jack", device=jack_server.name, period_size=64, periods=2)
    with Synth(find_soundfont(None), audio=audio, gain=GAIN_MAX, ceiling_dbfs=CEILING) \
            as synth:
        assert synth.audio_driver_ok
        # one capture client at a time: fewer Python callbacks competing for the GIL
        recorded = [loud_burst_on(jack_server.name, synth, port)
                    for port in ("station:left", "station:right")]
        status = synth.limiter.status()
    ceiling = limiter.ceiling_linear(CEILING)
    for channel in recorded:
        assert channel.size > 48000, "a second and more was recorded"
        assert np.abs(channel).max() <= ceiling
        assert np.abs(channel).max() >= ceiling * 0.89, "loud: within 1 dB of the ceiling"
    assert status["loudest_input_dbfs"] > 20 and status["limited_blocks"] > 0, \
        "the limiter worked on the audio thread: the raw mix was far over full scale"


@pytest.mark.parametrize("name", ["live.raw", "live.wav"])
def test_the_file_driver_writes_limited_audio(tmp_path, name):
    out = tmp_path / name
    synth = Synth(find_soundfont(None), audio=AudioSettings(driver="file", device=str(out)),
                  gain=GAIN_MAX, ceiling_dbfs=CEILING)
    try:
        assert synth.audio_driver_ok
        burst(synth)
        time.sleep(0.6)
    finally:
        synth.close()
    if name.endswith(".wav"):
        with wave.open(str(out)) as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 48000)
            pcm = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    else:
        pcm = np.frombuffer(out.read_bytes(), dtype=np.int16)
    # The driver renders a period per period of wall time: 0.6 s gives ~0.6 s of audio.
    # Under pi-check's emulation rendering runs ~10x slower than the clock, so only "some
    # audio" can be asked there; the ceiling below is checked all the same.
    seconds = 0.05 if EMULATED else 0.4
    assert pcm.size >= 2 * 48000 * seconds, "written at about real time"
    limit = limiter.ceiling_linear(CEILING) * 32767
    assert limit * 0.89 <= peak(pcm) <= limit


def test_the_file_driver_reports_a_write_failure(tmp_path):
    full = "/dev/full"                      # every write fails with ENOSPC
    synth = Synth(find_soundfont(None), audio=AudioSettings(driver="file", device=full))
    try:
        deadline = time.monotonic() + 5
        while synth.audio_driver_ok and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not synth.audio_driver_ok, "the audio guard sees the output stopped"
    finally:
        synth.close()


# -- without the compiled limiter -----------------------------------------------------------

@pytest.fixture
def no_library(monkeypatch):
    monkeypatch.setattr(limiter, "_lib", None)
    real = limiter.importlib.util.find_spec
    monkeypatch.setattr(limiter.importlib.util, "find_spec",
                        lambda name, *a: None if name == "station.sound._limiter"
                        else real(name, *a))


def test_without_the_library_no_synth_is_made_and_the_fix_is_named(no_library):
    assert "./run.sh test" in limiter.problem()
    with pytest.raises(AudioError, match=r"not built.*startle.*apt-get install gcc"):
        Synth(find_soundfont(None))
    # only an offline render may go without a ceiling (for measurements)
    with pytest.raises(ValueError, match="always goes through the output ceiling"):
        Synth(find_soundfont(None), ceiling_dbfs=None,
              audio=AudioSettings(driver="file", device="/dev/null"))


HIDE = """\
import importlib.util as util
_real = util.find_spec
util.find_spec = lambda name, *a: None if name == "station.sound._limiter" else _real(name, *a)
"""


def test_without_the_library_the_station_refuses_to_play_in_plain_words(tmp_path, station_env):
    shim = write(tmp_path / "shim" / "sitecustomize.py", HIDE).parent
    env = dict(station_env, PYTHONPATH=str(shim))
    scenario = write(tmp_path / "s.yaml", f"station: {CONFIGS / 'station.yaml'}\n"
                     "clients: {1: alex}\nevents:\n"
                     "  - {at: 0.5, action: touch, board: 0x5A, electrode: 1}\n")
    runs = [["simulate", str(scenario), "--out", str(tmp_path / "out")],
            ["run", "--hardware", "sim", "--config", str(station_config(tmp_path))]]
    for args in runs:
        r = subprocess.run(station_command() + args, capture_output=True, text=True,
                           env=env, timeout=60)
        assert r.returncode == 5, (args, r.stderr)
        assert "not built" in r.stderr and "./run.sh test" in r.stderr
        assert "Traceback" not in r.stderr
    doctor = subprocess.run(station_command() + ["doctor"], capture_output=True, text=True,
                            env=env, timeout=60)
    assert "FIX   ceiling" in doctor.stdout and doctor.returncode == 1
