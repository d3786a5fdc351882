"""The ``station`` command as a user runs it (subprocesses), never a traceback."""

import json
import os
import signal
import sqlite3
import subprocess
from pathlib import Path

from conftest import (
    CONFIGS,
    control,
    launch_sim_daemon,
    station_command,
    station_config,
    wait_for,
    wait_until,
    write,
)


def station(*args, env=None, timeout=120):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=timeout)


def test_simulate_prints_a_json_summary_and_writes_wav_and_db(tmp_path):
    r = station("simulate", str(CONFIGS / "scenarios" / "demo.yaml"), "--out",
                str(tmp_path / "demo"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("{"), f"stdout: {r.stdout[:300]!r} stderr: {r.stderr[-600:]!r}"
    summary = json.loads(r.stdout)
    assert summary["notes"] > 40 and set(summary["players"]) >= {"1", "2"}
    assert (tmp_path / "demo" / "session.wav").stat().st_size > 48000 * 4 * 60
    assert (tmp_path / "demo" / "station.db").stat().st_mode & 0o077 == 0
    assert "Traceback" not in r.stderr


def test_a_malformed_scenario_is_exit_2_with_file_and_event_index(tmp_path):
    bad = write(tmp_path / "bad.yaml", "events:\n  - {at: 1, action: tuoch, board: 0x5A}\n"
                                       "  - {at: -1, action: touch, board: 0x5A, electrode: 3}\n")
    r = station("simulate", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 2
    assert "bad.yaml:2: event 0" in r.stderr and "did you mean 'touch'" in r.stderr
    assert "event 1" in r.stderr and "Traceback" not in r.stderr


def test_a_missing_scenario_file_is_a_plain_error(tmp_path):
    r = station("simulate", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "no such scenario" in r.stderr


def test_bad_station_config_refuses_to_start_with_a_distinct_code(tmp_path):
    cfg = write(tmp_path / "s.yaml", "boards: []\nplayers: [{player: 1, board: 0x5A}]\n")
    r = station("run", "--config", str(cfg), "--hardware", "sim", timeout=60)
    assert r.returncode == 3, r.stderr
    assert "s.yaml" in r.stderr and "not under 'boards'" in r.stderr


def sim_config(tmp_path) -> Path:
    return station_config(tmp_path)


def test_daemon_on_the_simulator_plays_answers_and_stops_cleanly_on_sigterm(tmp_path,
                                                                         station_env):
    cfg = sim_config(tmp_path)
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_for(sock, proc)
        assert os.stat(sock).st_mode & 0o777 == 0o660
        wait_until(lambda: control(sock, "status")["startup"] == "ready", proc,
                   what="never ready")                  # hands-off cue, calibration
        assert control(sock, "status")["players"]["1"]["client"] == "alex"
        control(sock, "sim", action="touch", address=0x5A, electrode=2)
        # the simulated chip sees the hand at its next sample (1 ms), in its own thread
        wait_until(lambda: control(sock, "status")["players"]["1"]["sounding"] == [2], proc,
                   5, "the touch never sounded")
        second = subprocess.run(station_command() + ["run", "--config", str(cfg), "--hardware",
                                                     "sim", "--no-audio"],
                                capture_output=True, text=True, env=station_env, timeout=60)
        assert second.returncode != 0 and "already running" in second.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not sock.exists()
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    kinds = [r[0] for r in db.execute("SELECT kind FROM events ORDER BY id")]
    assert kinds.count("note_on") == 1 and kinds.count("note_off") == 1, \
        "SIGTERM released the sounding note"
    ended = db.execute("SELECT ended_ns FROM sessions").fetchone()[0]
    assert ended is not None


def test_no_command_prints_help():
    r = station()
    assert r.returncode == 2 and "simulate" in r.stdout
