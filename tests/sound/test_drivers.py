"""Audio drivers: what this FluidSynth has, a plain refusal of what it lacks, the
PulseAudio driver on a real PulseAudio server, and the daemon playing on JACK as a
user runs it (``station run --hardware sim``)."""

from __future__ import annotations

import os
import subprocess
import time

import pytest
from conftest import station_command, wait_until
from daemon_fixtures import station_yaml
from jack_fixtures import jack_server  # noqa: F401

from bench.jack import Capture
from station.core.errors import AudioError
from station.service.control import request
from station.sound.drivers import available_drivers, require_driver
from station.sound.fluid_settings import AudioSettings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth


def test_the_drivers_of_this_build_are_listed():
    have = available_drivers()
    assert "file" in have and "jack" in have     # every FluidSynth build has "file"
    assert list(have) == sorted(have)


def test_a_driver_this_build_lacks_is_named_with_what_it_has():
    with pytest.raises(AudioError) as err:
        require_driver("beos", "/etc/station/station.yaml")
    text = str(err.value)
    assert "'beos'" in text and "/etc/station/station.yaml" in text
    assert "audio.driver" in text and ", ".join(available_drivers()) in text
    assert err.value.exit_code == 5


def test_the_synth_refuses_a_missing_driver_before_opening_anything():
    with pytest.raises(AudioError, match="not part of the installed FluidSynth"):
        Synth(find_soundfont(None), audio=AudioSettings(driver="beos"))


@pytest.mark.skipif("pipewire" in available_drivers(), reason="this FluidSynth has pipewire")
def test_pipewire_without_the_driver_stops_the_daemon_with_advice(tmp_path, station_env):
    config = station_yaml(tmp_path, audio={"driver": "pipewire"})
    done = subprocess.run(station_command() + ["run", "--config", str(config), "--hardware",
                                               "sim"], env=station_env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 5, done.stderr
    assert "the audio driver 'pipewire'" in done.stderr and str(config) in done.stderr
    assert "driver: pulseaudio" in done.stderr and "pipewire-pulse" in done.stderr
    assert "Traceback" not in done.stderr and "refused the setting" not in done.stderr


def test_the_daemon_plays_a_simulated_touch_through_jack(tmp_path, station_env, jack_server):
    config = station_yaml(tmp_path, audio={"driver": "jack", "device": jack_server.name,
                                           "period_size": 64, "periods": 2})
    sock = tmp_path / "station.sock"
    proc = subprocess.Popen(station_command() + ["run", "--config", str(config),
                                                 "--hardware", "sim"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=station_env)
    try:
        def ready():
            try:
                return request(sock, "status")["startup"] == "ready"
            except Exception:
                return False
        wait_until(ready, proc, 60, "the daemon on JACK never became ready")
        with Capture(jack_server.name, "station", seconds=10) as cap:
            time.sleep(0.5)
            quiet_until = time.monotonic_ns()
            assert cap.onsets(after_ns=0) == []          # nothing plays before the touch
            request(sock, "sim", action="touch", address=0x5A, electrode=0)
            deadline = time.monotonic() + 10
            while not cap.onsets(after_ns=quiet_until) and time.monotonic() < deadline:
                time.sleep(0.05)
            onsets = cap.onsets(after_ns=quiet_until)
            request(sock, "sim", action="release", address=0x5A, electrode=0)
        assert len(onsets) == 1, "one touch, one sound on the station's JACK ports"
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "could not open the audio device" not in err and "Traceback" not in err


@pytest.fixture
def pulse_server(tmp_path, monkeypatch):
    """A real PulseAudio server (apt: pulseaudio) with one null sink, "station_test",
    on a socket of its own; PULSE_SERVER points this process's libpulse at it."""
    import shutil
    if not (shutil.which("pulseaudio") and shutil.which("parec")):
        pytest.skip("PulseAudio is not installed (./run.sh test installs pulseaudio)")
    sock = tmp_path / "pulse.sock"
    env = dict(os.environ, HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path))
    proc = subprocess.Popen(
        ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
         "-L", "module-null-sink sink_name=station_test rate=48000",
         "-L", f"module-native-protocol-unix socket={sock} auth-anonymous=1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_until(sock.exists, proc, 30, "the PulseAudio server did not start")
        monkeypatch.setenv("PULSE_SERVER", f"unix:{sock}")
        yield "station_test"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _sink_inputs() -> list[str]:
    done = subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_pulseaudio_driver_plays_into_the_sink_named_by_the_device(pulse_server):
    """The sink's own output is not checked here: this container's null sink runs its
    monitor far slower than real time (0.28 s heard in 2 s), so only the stream is."""
    audio = AudioSettings(driver="pulseaudio", device=pulse_server, period_size=64, periods=3)
    assert _sink_inputs() == []
    with Synth(find_soundfont(None), audio=audio, gain=0.5) as synth:
        assert synth.audio_driver_ok
        synth.note_on(0, 69, 100)
        streams = _sink_inputs()
        assert len(streams) == 1, "FluidSynth opened one stream on the server"
        sink_index = subprocess.run(["pactl", "list", "short", "sinks"], capture_output=True,
                                    text=True, timeout=30).stdout.split()[0]
        assert streams[0].split()[1] == sink_index, "... on the sink the device names"
    wait_until(lambda: _sink_inputs() == [], None, 10, "the stream outlived the synth")


def test_pulseaudio_with_a_sink_that_does_not_exist_is_refused(pulse_server):
    audio = AudioSettings(driver="pulseaudio", device="no_such_sink", period_size=64, periods=3)
    with pytest.raises(AudioError, match="could not open the audio device 'no_such_sink'"):
        Synth(find_soundfont(None), audio=audio)
