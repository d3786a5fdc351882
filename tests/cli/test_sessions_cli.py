"""``station session start|stop|phase|note`` against a real daemon on the simulator."""

import signal
import sqlite3
import subprocess

from conftest import launch_sim_daemon, station_command, station_config, wait_until


def station(*args, env=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


def test_session_commands_reach_the_running_station_and_the_journal(tmp_path, station_env):
    cfg = str(station_config(tmp_path, extra="session: {auto_start: false}\n"))
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
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
