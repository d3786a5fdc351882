"""A real ``station run --hardware sim`` killed (kill -9) or stopped (SIGTERM) mid-session
and started again: within ``session.resume_window_min`` the same session goes on (same
plan phase, seats, turn mode, backing tempo, master volume; one journal session with a
``resumed`` gap); after the window the old session is closed at its last event and the
next session is a new one."""

import json
import signal
import sqlite3
import subprocess
import time

import pytest
from conftest import control, launch_sim_daemon, station_command, wait_for, wait_until
from daemon_fixtures import station_yaml

from station.core.errors import ControlError
from station.journal.live_state import state_path


def ask(sock, cmd, **args):
    reply = control(sock, cmd, **args)
    assert reply, f"{cmd}: no reply"
    return reply


def start(cfg, env):
    proc = launch_sim_daemon(cfg, env)
    sock = cfg.parent / "station.sock"
    wait_for(sock, proc)      # after kill -9 the old socket file is there: ask until answered

    def ready():
        try:
            return ask(sock, "status")["startup"] == "ready"
        except ControlError:
            return False
    wait_until(ready, proc, what="the station did not get ready")
    return proc, sock


def saved(cfg) -> dict:
    path = state_path(cfg.parent / "j" / "station.db")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def cli(cfg, env, *words):
    return subprocess.run(station_command() + [*words, "--config", str(cfg)],
                          capture_output=True, text=True, env=env, timeout=60)


def play_a_session(cfg, sock, proc) -> dict:
    """Plan standard, jo at player 3 and kim at 4, phase 3 (main: a pulse), round robin,
    master volume 0.6; wait until that state is on disk; return the status."""
    ask(sock, "plan", op="start", name="standard")
    assert ask(sock, "use_client", player=3, client="jo")["ok"]
    assert ask(sock, "use_client", player=4, client="kim")["ok"]
    ask(sock, "plan", op="next")
    ask(sock, "plan", op="next")
    ask(sock, "turn", op="mode", mode="round_robin")
    ask(sock, "volume", master=0.6)
    status = ask(sock, "status")
    assert status["plan"]["phase"] == "main" and status["plan"]["backing"]["style"] == "pulse"
    wait_until(lambda: (saved(cfg).get("plan") or {}).get("index") == 2
               and saved(cfg).get("master_volume") == 0.6
               and saved(cfg)["turns"]["mode"] == "round_robin", proc,
               what="the live state was not written")
    return status


def journal(cfg, sql):
    conn = sqlite3.connect(cfg.parent / "j" / "station.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_restart_within_the_window_resumes_the_same_session(how, tmp_path, station_env):
    cfg = station_yaml(tmp_path)
    proc, sock = start(cfg, station_env)
    try:
        before = play_a_session(cfg, sock, proc)
        sid = before["session"]["session"]
        proc.send_signal(how)
        proc.wait(timeout=20)
        proc, sock = start(cfg, station_env)
        wait_until(lambda: "backing" in ((ask(sock, "status")["resume"]["resumed"] or {})
                                         .get("restored") or []), proc,
                   what="the backing was not put back")
        after = ask(sock, "status")
        assert after["resume"]["decision"] == "resume"
        assert after["session"]["session"] == sid and after["session"]["active"]
        assert after["plan"]["plan"] == "standard" and after["plan"]["index"] == 2
        assert after["plan"]["phase"] == "main" == after["session"]["phase"]
        assert after["players"]["3"]["client"] == "jo"
        assert after["players"]["4"]["client"] == "kim"
        assert after["players"]["1"]["client"] == "alex"
        back, was = after["plan"]["backing"], before["plan"]["backing"]
        assert back["style"] == "pulse" and back["tempo_bpm"] == was["tempo_bpm"]
        assert back["ramp_to_bpm"] == was["ramp_to_bpm"] == 66
        assert after["turn_mode"] == "round_robin"
        assert ask(sock, "volume")["master_volume"] == 0.6
        # the phase's time goes on from where it was, without the gap
        assert after["plan"]["phase_elapsed_s"] < 30
        expected = [(sid,)]
        if how == signal.SIGTERM:          # the therapist's choice, from the command line
            out = cli(cfg, station_env, "session", "close-previous")
            assert out.returncode == 0, out.stderr
            assert f"session {sid} (resumed after the restart) is closed" in out.stdout
            assert ask(sock, "status")["session"]["session"] == sid + 1
            expected.append((sid + 1,))
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert journal(cfg, "SELECT id FROM sessions ORDER BY id") == expected
    gaps = journal(cfg, "SELECT session_id, t_ns, detail FROM events WHERE kind='resumed'")
    assert len(gaps) == 1 and gaps[0][0] == sid and float(gaps[0][2]) > 0
    # every event after the gap is later than every event before it: one timeline
    t_gap = gaps[0][1]
    last_before = journal(cfg, f"SELECT max(t_ns) FROM events WHERE session_id={sid} AND "
                               f"id < (SELECT id FROM events WHERE kind='resumed')")[0][0]
    assert last_before <= t_gap - int(float(gaps[0][2]) * 1e9) + 1_000_000
    phases = [r[0] for r in journal(cfg, "SELECT detail FROM events WHERE kind='phase'")]
    assert phases == ["welcome", "warm_up", "main"], "no second phase mark for the resume"
    assert "Traceback" not in proc.stderr.read()


def test_after_the_window_the_old_session_is_closed_and_a_new_one_starts(tmp_path,
                                                                          station_env):
    cfg = station_yaml(tmp_path, extra="session:\n  resume_window_min: 0.01\n")
    proc, sock = start(cfg, station_env)
    try:
        before = play_a_session(cfg, sock, proc)
        sid = before["session"]["session"]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        off = time.monotonic()                   # the window is 0.6 s of being off
        wait_until(lambda: time.monotonic() - off > 0.7, what="the window did not pass")
        proc, sock = start(cfg, station_env)
        after = ask(sock, "status")
        assert after["resume"]["decision"] == "fresh"
        assert after["resume"]["closed"] == sid and after["resume"]["resumed"] is None
        assert not after["session"]["active"] and after["plan"]["plan"] is None
        assert after["players"]["3"]["client"] is None, "the config's seats again"
        assert ask(sock, "volume")["master_volume"] == 1.0
        out = cli(cfg, station_env, "session", "close-previous")
        assert out.returncode != 0 and "Traceback" not in out.stderr
        assert "no session was resumed after the last restart" in out.stderr + out.stdout
        new = ask(sock, "session", op="start")["session"]
        assert new == sid + 1
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    ended, = journal(cfg, f"SELECT ended_ns FROM sessions WHERE id={sid}")[0]
    last, = journal(cfg, f"SELECT max(t_ns) FROM events WHERE session_id={sid}")[0]
    assert ended == last, "closed at its last event"
    assert journal(cfg, "SELECT count(*) FROM events WHERE kind='resumed'") == [(0,)]
    assert [r[0] for r in journal(cfg, "SELECT id FROM sessions ORDER BY id")] == [sid, new]
