"""``station session start|stop|phase|note|rate`` against a real daemon on the simulator;
``rate`` is also the panel's command path (control command ``session``, op ``rate``)."""

import contextlib
import signal
import sqlite3
import subprocess

from conftest import launch_sim_daemon, station_command, station_config, wait_until

from station.service.control import request


def station(*args, env=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


@contextlib.contextmanager
def daemon(tmp_path, env):
    """A sim daemon without automatic sessions; yields (config path, socket); stops it
    with SIGTERM (exit 0) at the end."""
    cfg = str(station_config(tmp_path, extra="session: {auto_start: false}\n"))
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, env)
    try:
        wait_until(sock.exists, proc, what="daemon did not come up")
        yield cfg, sock
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_session_commands_reach_the_running_station_and_the_journal(tmp_path, station_env):
    with daemon(tmp_path, station_env) as (cfg, _):
        r = station("session", "note", "too", "early", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "no session yet to add this note to" in r.stderr
        r = station("session", "start", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "session 1 is running" in r.stdout, r.stderr
        r = station("session", "phase", "warm-up", "--config", cfg, env=station_env)
        assert "phase warm-up" in r.stdout, r.stderr
        r = station("session", "note", "smiled", "at", "the", "harp", "--config", cfg,
                    env=station_env)
        assert r.returncode == 0, r.stderr
        r = station("session", "stop", "--config", cfg, env=station_env)
        assert "no session is running" in r.stdout, r.stderr
        # therapists write notes after the session: it joins the session that just ended
        r = station("session", "note", "calmer", "after", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "note added to session 1 (it has ended)" in r.stdout, \
            r.stderr
        r = station("session", "note", "x", "--session", "9", "--config", cfg,
                    env=station_env)
        assert r.returncode == 1 and "there is no session 9" in r.stderr
        r = station("session", "stop", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "nothing to stop" in r.stderr
        r = station("session", "phase", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "needs a phase name" in r.stderr
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    assert db.execute("SELECT id, started_by, ended_by FROM sessions").fetchall() == \
        [(1, "cli", "cli")]
    assert db.execute("SELECT kind, detail FROM events WHERE session_id=1 AND kind IN "
                      "('phase', 'note') ORDER BY id").fetchall() == \
        [("phase", "warm-up"), ("note", "smiled at the harp"), ("note", "calmer after")]
    end, late = db.execute("SELECT s.ended_ns, e.t_ns FROM sessions s JOIN events e ON "
                           "e.session_id = s.id AND e.detail = 'calmer after'").fetchone()
    assert late == end, "a note written after the session is marked at its end"


def test_a_seated_clients_goal_is_rated_from_the_cli_and_the_socket(tmp_path, station_env):
    with daemon(tmp_path, station_env) as (cfg, sock):
        r = station("session", "rate", "steady", "+1", "--config", cfg, env=station_env)
        assert r.returncode != 0 and "no session to rate yet" in r.stderr
        assert station("session", "start", "--config", cfg, env=station_env).returncode == 0
        # alex (player 1) has the goals steady and turns; sam (player 2) reach and reply
        r = station("session", "rate", "steady", "+1", "--config", cfg, env=station_env)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == ("rated alex's goal 'steady' (Keeps a steady beat within a "
                                    "phrase) at +1 (steady for most phrases) in session 1.")
        r = station("session", "rate", "steady", "5", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "a goal level is -2, -1, 0, +1 or +2" in r.stderr
        r = station("session", "rate", "stedy", "1", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "alex (player 1): steady, turns" in r.stderr
        r = station("session", "rate", "reach", "--config", cfg, env=station_env)
        assert r.returncode == 1 and "needs the goal and the level" in r.stderr
        # what the panel reads (the seated clients' goals) and sends ({goal, level})
        goals = request(sock, "session", op="status")["goals"]
        assert [g["id"] for g in goals["2"]["goals"]] == ["reach", "reply"]
        assert goals["1"]["client"] == "alex" and goals["1"]["ratable"] is True
        result = request(sock, "session", op="rate", goal="reply", level=-2)
        assert result["rated"]["client"] == "sam" and result["rated"]["level"] == -2
        assert station("session", "stop", "--config", cfg, env=station_env).returncode == 0
        r = station("session", "rate", "jo:explore", "2", "--config", cfg, env=station_env)
        assert r.returncode == 0 and "in session 1" in r.stdout, r.stderr
    db = sqlite3.connect(tmp_path / "j" / "station.db")
    rows = db.execute("SELECT session_id, player, goal, level FROM ratings ORDER BY id"
                      ).fetchall()
    assert rows == [(1, 1, "steady", 1), (1, 2, "reply", -2), (1, None, "explore", 2)]
    assert all(c.startswith("c-") for (c,) in db.execute("SELECT client FROM ratings"))
