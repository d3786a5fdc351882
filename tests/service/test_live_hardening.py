"""Against a running station (``station run --hardware sim`` in a subprocess): the
simulator cannot replace its journal, ``forget`` of a client who is playing loses
nothing, and a disk that refuses writes is shown by status, doctor and the lights."""

import os
import resource
import sqlite3
import subprocess

import pytest
from conftest import CONFIGS, launch_sim_daemon, station_command, station_config, wait_until

from station.service.control import request


def station(*args, env, timeout=120):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.fixture
def live(tmp_path, station_env):
    """A ready sim daemon: (config, socket, journal, process)."""
    cfg = station_config(tmp_path, extra="daemon: {hands_off_s: 0, chime: false}\n")
    sock, db = tmp_path / "station.sock", tmp_path / "j" / "station.db"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(sock.exists, proc)
        wait_until(lambda: request(sock, "status")["startup"] == "ready", proc)
        yield cfg, sock, db, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=20)


def tap(sock, electrode, board=0x5A):
    """A finger's tap: held until the station has seen the touch (the simulated chip, like
    the MPR121, reports a touch at its next sample, so a touch and release sent back to
    back over the socket could fall between two samples and never be seen)."""
    before = request(sock, "status")["last_touch_ns"]
    request(sock, "sim", action="touch", address=board, electrode=electrode)
    wait_until(lambda: request(sock, "status")["last_touch_ns"] != before,
               what="the station never saw the touch")
    request(sock, "sim", action="release", address=board, electrode=electrode)


def count(db, sql, args=()):
    conn = sqlite3.connect(db, timeout=5)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def test_simulate_into_the_live_journals_folder_is_refused(live, station_env, tmp_path):
    cfg, sock, db, proc = live
    tap(sock, 1)
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 1, proc)
    r = station("simulate", str(CONFIGS / "scenarios" / "demo.yaml"), "--out", str(db.parent),
                env=station_env)
    assert r.returncode == 1 and "holds the journal of a running station" in r.stderr
    assert not (db.parent / "session.wav").exists()
    tap(sock, 2)                                    # the station journals on, unharmed
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 2, proc)
    assert request(sock, "status")["journal"]["ok"]


def test_forget_of_a_client_who_is_playing_ends_their_session_and_loses_nothing(
        live, station_env):
    cfg, sock, db, proc = live
    for e in range(3):
        tap(sock, e)                                # alex plays; a session opens
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 3, proc)
    r = station("forget", "alex", "--config", str(cfg), env=station_env)
    assert r.returncode == 0, r.stderr
    assert "forgot client alex: deleted" in r.stdout
    for e in range(4):
        tap(sock, e)                                # alex plays on (a new session)
    tap(sock, 5, board=0x5B)                        # and sam
    status = request(sock, "status")
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 5, proc)
    j = request(sock, "status")["journal"]
    assert j["ok"] and j["lost"] == 0 and j["error"] is None, j
    assert status["session"]["active"]
    proc.terminate()
    assert proc.wait(timeout=20) == 0
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("SELECT count(*) FROM events WHERE session_id IS NULL AND kind="
                        "'touch'").fetchone()[0] == 0, "every later touch is in a session"
    ended = conn.execute("SELECT id, ended_by FROM sessions ORDER BY id").fetchall()
    assert ended == [(1, "forget"), (2, "stop")], \
        "alex's session ended before the deletion; the next one was written whole"
    assert conn.execute("SELECT action FROM housekeeping").fetchall() == [("forget",)]
    alex = conn.execute("SELECT count(*) FROM events WHERE session_id=1 AND client IS NOT "
                        "NULL AND client <> (SELECT client FROM events WHERE player=2 AND "
                        "client IS NOT NULL LIMIT 1)").fetchone()[0]
    assert alex == 0, "nothing of alex is left in the forgotten session"
    assert conn.execute("SELECT count(*) FROM events WHERE session_id=2 AND kind='touch'"
                        ).fetchone()[0] == 5


def test_a_disk_that_refuses_writes_shows_in_status_doctor_and_the_lights(live, station_env):
    cfg, sock, db, proc = live
    tap(sock, 1)
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 1, proc)
    size = max(os.path.getsize(p) for p in (db, f"{db}-wal"))
    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))
    try:
        for e in range(40):                         # enough rows to outgrow the WAL
            tap(sock, e % 12)
        wait_until(lambda: not request(sock, "status")["journal"]["ok"], proc,
                   what="the refused writes never showed in status")
        r = station("status", "--config", str(cfg), env=station_env)
        assert r.returncode == 0 and "Journal: PROBLEM: cannot write the journal" in r.stdout
        wait_until(lambda: all(li["pattern"] == "journal" for li in
                               request(sock, "status")["lights"].values()), proc,
                   what="the lights never showed the journal pattern")
        r = station("doctor", "--config", str(cfg), env=station_env)
        assert r.returncode == 1 and "FIX   journal writer" in r.stdout
        assert "NOT writing" in r.stdout
    finally:
        resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY,
                                                            resource.RLIM_INFINITY))
    wait_until(lambda: request(sock, "status")["journal"]["ok"], proc,
               what="writing never resumed")
    wait_until(lambda: count(db, "SELECT count(*) FROM events WHERE kind='touch'") == 41, proc)
    wait_until(lambda: not any(li["pattern"] == "journal" for li in
                               request(sock, "status")["lights"].values()), proc)
    def faults():
        conn = sqlite3.connect(db, timeout=5)
        try:
            return [r[0] for r in conn.execute("SELECT detail FROM events WHERE kind='fault' "
                                               "ORDER BY id")]
        finally:
            conn.close()
    wait_until(lambda: faults()[-1:] == ["journal_writing"], proc)
    assert "journal_not_writing:disk_error" in faults(), "journaled once it could be"
