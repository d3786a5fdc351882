"""The daemon's pulse on a real JACK server (dummy backend): a smoke test of the path.

Only what a slow or busy machine still guarantees is asserted: the daemon starts on
JACK's driver, plays a pulse that a second JACK client hears, journals the beats, and
stops cleanly. How steady the beats are in real time depends on whether the machine
gives JACK its deadlines (a virtual CPU may xrun thousands of times a minute whatever the
station does), so that figure is measured by ``make bench`` (bench/pulse.py) and only
printed here. That beats land on exact blocks through FluidSynth's sequencer is checked
on a clock the test controls: tests/sim/test_sequencer_pulse.py.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess

import numpy as np
import pytest
from conftest import station_command, station_config, wait_until

from bench.jack import JackServer, jackd_path
from bench.pulse import FrameCapture, clean_deviations, onset_frames
from station.service.control import request

pytestmark = pytest.mark.realtime
RATE, PERIOD = 48000, 64


@pytest.fixture
def jack():
    if jackd_path() is None:
        pytest.skip("jackd is not installed (./run.sh test installs jackd2)")
    server = JackServer(rate=RATE, period=PERIOD).start()
    yield server
    server.stop()


def test_the_daemon_plays_a_pulse_on_jack_that_is_heard_and_journaled(tmp_path, station_env,
                                                                       jack):
    cfg = station_config(tmp_path, extra="daemon: {hands_off_s: 0.0, chime: false}\n")
    text = cfg.read_text().replace("driver: alsa", "driver: jack").replace(
        "device: default", f"device: {jack.name}").replace("periods: 3", "periods: 2")
    cfg.write_text(text)
    sock = tmp_path / "station.sock"
    proc = subprocess.Popen(station_command() + ["run", "--config", str(cfg), "--hardware",
                                                 "sim"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=station_env)
    try:
        wait_until(sock.exists, proc, seconds=60, what="the daemon did not come up on JACK")
        assert request(sock, "status")["audio"]["state"] == "playing"
        with FrameCapture(jack.name, "station", seconds=120) as cap:
            b = request(sock, "backing", op="start", style="pulse", tempo_bpm=120)
            assert b["tempo_bpm"] == 120 and b["style"] == "pulse"
            wait_until(lambda: request(sock, "backing", op="status")["beats"] >= 4, proc,
                       seconds=90, what="4 beats did not come")
            request(sock, "backing", op="stop")
            audio, _ = cap.recording()
            frames = cap.frame_times[:cap._n].copy()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, proc.stderr.read()[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    heard = onset_frames(audio)
    assert len(heard) >= 1 and np.abs(audio).max() > 0.01, "the capture heard no beat"
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    journaled = db.execute("SELECT count(*) FROM events WHERE kind='beat'").fetchone()[0]
    db.close()
    assert journaled >= 4
    dev = clean_deviations(heard, frames)       # reported, never asserted: the machine's
    print(f"{len(heard)} beats heard, {journaled} journaled, {jack.xruns()} xruns; "
          f"deviation from the period in xrun-free intervals (frames): {dev}")
