"""The audio device fails or vanishes: the station notices, silences, keeps journaling,
and reopens it with growing waits (1, 2, 4 ... s) — real FluidSynth drivers throughout:
the ``file`` driver (its folder is the "device" that vanishes) and a bogus ALSA card."""

import ctypes
import shutil

import pytest
from daemon_fixtures import drive, make_daemon, rows, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.sound.audio_guard import AudioGuard, FluidErrorHook, device_problem
from station.sound.fluid_settings import AudioSettings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth


@pytest.fixture
def file_daemon(tmp_path, mock_pins):
    device = tmp_path / "card" / "out.raw"
    device.parent.mkdir()
    cfg = station_yaml(tmp_path, audio={"driver": "file", "device": str(device)})
    d = make_daemon(cfg, VirtualClock(), audio=True)
    start(d)
    yield d, device
    d.close()


def test_the_audio_device_vanishes_the_journal_goes_on_and_it_is_reopened(file_daemon,
                                                                       tmp_path):
    d, device = file_daemon
    guard = d.audio
    drive(d, s_to_ns(2))
    assert guard.state == "playing" and d.station.synth.audio_driver_ok
    shutil.rmtree(device.parent)                  # the USB sound card is pulled out
    drive(d, s_to_ns(3))
    assert guard.state == "failed" and "gone" in guard.error
    lost_at = d.clock.now_ns()
    world(d).touch(0x5A, 3)                       # playing on: heard by nobody, but logged
    drive(d, s_to_ns(3.2))
    world(d).release(0x5A, 3)
    drive(d, s_to_ns(10))
    assert guard.attempts == 3                    # tried after 1, 2 and 4 s: all failed
    device.parent.mkdir()                         # the card is back
    drive(d, s_to_ns(20))
    assert guard.state == "playing" and guard.recoveries == 1 and device.exists()
    assert d.status()["audio"]["state"] == "playing"
    d.station.journal.flush()
    log = [(k, det) for k, p, b, e, det in rows(tmp_path / "j" / "station.db")]
    lost = next(i for i, r in enumerate(log) if (r[1] or "").startswith("audio_lost"))
    back = log.index(("fault", "audio_recovered"))
    kinds = [k for k, _ in log[lost:back]]
    assert "note_on" in kinds and "note_off" in kinds, "the journal went on without sound"
    assert d.status()["audio"]["failures"] == 1 and lost_at < d.clock.now_ns()


def test_failed_reopen_attempts_back_off_exponentially_to_the_limit(tmp_path):
    sf = find_soundfont()
    synth = Synth(sf, audio=AudioSettings(driver="alsa", device="hw:9"), open_audio=False)
    faults = []
    try:
        guard = AudioGuard(synth, faults.append, retry_max_s=8,
                           probe=lambda driver, device: None)   # always try the real open
        assert guard.state == "failed"
        times = []
        for _ in range(7):
            t = guard.next_deadline()
            times.append(t)
            guard.tick(t)
        gaps = [(b - a) / 1e9 for a, b in zip(times, times[1:])]
        assert gaps == [2, 4, 8, 8, 8, 8]
        assert guard.attempts == 7 and guard.state == "failed"
        assert "hw:9" in guard.error and not faults    # never opened: nothing recovered
    finally:
        synth.close()


def test_fluidsynth_audio_errors_in_its_log_mark_the_device_lost(tmp_path):
    device = tmp_path / "out.raw"
    synth = Synth(find_soundfont(), audio=AudioSettings(driver="file", device=str(device)))
    hook = FluidErrorHook()
    faults = []
    try:
        guard = AudioGuard(synth, faults.append, hook=hook)
        guard.tick(guard.next_deadline())
        assert guard.state == "playing"
        lib = ctypes.CDLL(hook._lib._name)
        lib.fluid_log(1, b"Error writing audio: device disconnected")  # as the driver does
        guard.tick(guard.next_deadline())
        assert guard.state == "failed" and "device disconnected" in guard.error
        guard.tick(guard.next_deadline())              # the file can be opened again
        assert guard.state == "playing"
        assert [f.detail.name for f in faults] == ["audio_lost", "audio_recovered"]
    finally:
        hook.close()
        synth.close()


def test_device_problem_reads_proc_asound(tmp_path):
    asound = tmp_path / "asound"
    assert "no sound card" in device_problem("alsa", "default", asound)
    asound.mkdir()
    (asound / "cards").write_text("--- no soundcards ---\n")
    assert "no sound card" in device_problem("alsa", "hw:0", asound)
    (asound / "cards").write_text(" 0 [Headphones ]: bcm2835_headpho - bcm2835 Headphones\n")
    (asound / "card0").mkdir()
    (asound / "Headphones").symlink_to(asound / "card0")
    assert device_problem("alsa", "hw:0", asound) is None
    assert device_problem("alsa", "hw:CARD=Headphones,DEV=0", asound) is None
    assert device_problem("alsa", "default", asound) is None
    assert "'1'" in device_problem("alsa", "plughw:1,0", asound)
    assert device_problem("pulseaudio", "default", asound) is None
