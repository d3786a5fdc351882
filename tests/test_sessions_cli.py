"""``station session start|stop|phase|note`` against a real daemon on the simulator."""

import signal
import sqlite3
import subprocess
import time

from conftest import CONFIGS, station_command, write


def station(*args, env=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


def test_session_commands_reach_the_running_station_and_the_journal(tmp_path, station_env):
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("journal: out/station.db", f"journal: {tmp_path / 'j' / 'station.db'}")
    text += f"control_socket: {tmp_path / 'station.sock'}\nsession: {{auto_start: false}}\n"
    cfg = str(write(tmp_path / "station.yaml", text))
    sock = tmp_path / "station.sock"
    proc = subprocess.Popen(station_command() + ["run", "--config", cfg, "--hardware", "sim",
                                                 "--no-audio"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=station_env)
    try:
        deadline = time.monotonic() + 30       # waiting for a process to come up, not timing
        while not sock.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "daemon did not come up"
            time.sleep(0.05)
        r = station("session", "note", "too", "early", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "no session is running" in r.stderr
        r = station("session", "start", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "session 1 is running" in r.stdout, r.stderr
        r = station("session", "phase", "warm-up", "--config", cfg, env=station_env)
        assert "phase warm-up" in r.stdout, r.stderr
        r = station("session", "note", "smiled", "at", "the", "harp", "--config", cfg,
                    env=station_env)
        assert r.returncode == 0, r.stderr
        r = station("session", "stop", "--config", cfg, env=station_env)
        assert "no session is running" in r.stdout, r.stderr
        r = station("session", "stop", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "nothing to stop" in r.stderr
        r = station("session", "phase", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "needs a phase name" in r.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    assert db.execute("SELECT id, started_by, ended_by FROM sessions").fetchall() == \
        [(1, "cli", "cli")]
    assert db.execute("SELECT kind, detail FROM events WHERE session_id=1 AND kind IN "
                      "('phase', 'note') ORDER BY id").fetchall() == \
        [("phase", "warm-up"), ("note", "smiled at the harp")]
