"""``station journal recover`` against what it may be given: a journal reached through a
symbolic link (its WAL too), a database that is not a station journal, a crafted database
that would keep it busy, and a signal mid-way; and the instance lock, which holds for the
journal *file*, by whatever path a second station reaches it. The CLI runs as a
subprocess; the journals are real SQLite files."""

import os
import shutil
import signal
import sqlite3
import subprocess

import pytest
from conftest import launch_sim_daemon, station_command, wait_until
from daemon_fixtures import station_yaml
from test_integrity import big_journal

from station.core.errors import JournalError
from station.core.events import TOUCH, Event
from station.journal.recover import recover
from station.journal.writer import Journal
from station.service.control import request

S = 1_000_000_000


def run_recover(src, dst, *extra, timeout=60):
    return subprocess.run(station_command() + ["journal", "recover", str(src), "--out",
                                               str(dst), *extra],
                          capture_output=True, text=True, timeout=timeout)


def journal_with_wal(path):
    """A journal whose last session is only in its -wal (a copy of a running station's)."""
    big_journal(path, sessions=2, touches=50)
    j = Journal(path, station="test")
    j.start_session(900 * S, [(1, "client")], by="cli")
    for i in range(30):
        j.record(Event(TOUCH, 900 * S + i, player=1, pad=i % 12))
    j.end_session(950 * S, "cli")
    j.flush(timeout=10)
    copy = path.with_name("copy.db")           # as if taken while the writer held it open
    shutil.copyfile(path, copy)
    shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    j.close()
    return copy


def test_recover_reads_a_journal_and_its_wal_through_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    real = journal_with_wal(tmp_path / "real" / "station.db")
    assert os.path.getsize(f"{real}-wal") > 0
    link = tmp_path / "link.db"
    link.symlink_to(real)
    direct = recover(real, tmp_path / "direct.db")
    through = recover(link, tmp_path / "through.db")
    assert through.rows == direct.rows and through.rows["sessions"] == 3


def foreign(path, events_sql="CREATE TABLE events (id INTEGER PRIMARY KEY, what TEXT)"):
    conn = sqlite3.connect(path)
    conn.execute(events_sql)
    conn.execute("CREATE TABLE sessions (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("make", [
    lambda p: foreign(p),
    lambda p: foreign(p, "CREATE VIEW events AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                         "SELECT i + 1 FROM n) SELECT i AS id FROM n"),
    lambda p: p.write_bytes(b"just some text, not a database\n" * 10) and p,
])
def test_a_file_that_is_not_a_station_journal_is_refused(tmp_path, make):
    src = tmp_path / "other.db"
    make(src)
    out = run_recover(src, tmp_path / "new.db")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "not a station journal" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "new.db").exists()
    assert not [p for p in tmp_path.iterdir() if "recovering" in p.name]


def test_recover_is_bounded_in_time_and_cleans_up(tmp_path):
    src = tmp_path / "station.db"
    big_journal(src, sessions=40, touches=2000)
    out = run_recover(src, tmp_path / "new.db", "--time-limit", "0.05")
    assert out.returncode == 1, out.stdout + out.stderr
    assert "time limit" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "new.db").exists()
    assert not [p for p in tmp_path.iterdir() if "recovering" in p.name]


def test_a_signal_mid_way_stops_recover_and_cleans_up(tmp_path):
    src = tmp_path / "station.db"
    big_journal(src, sessions=60, touches=3000)
    proc = subprocess.Popen(station_command() + ["journal", "recover", str(src), "--out",
                                                 str(tmp_path / "new.db")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_until(lambda: any("recovering" in p.name for p in tmp_path.iterdir()), proc,
               what="recover never began writing")
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode not in (0, 70) and "Traceback" not in err, err
    assert not (tmp_path / "new.db").exists()
    assert not [p for p in tmp_path.iterdir() if "recovering" in p.name]


def test_one_journal_file_one_station_whatever_the_path(tmp_path, station_env):
    cfg = station_yaml(tmp_path)
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(lambda: sock.exists() and request(sock, "status").get("startup") ==
                   "ready", proc)
        journal = tmp_path / "j" / "station.db"
        (tmp_path / "via").symlink_to(tmp_path / "j")            # a linked folder
        os.link(journal, tmp_path / "hard.db")                     # the same file, new name
        (tmp_path / "soft.db").symlink_to(journal)                 # a linked file
        for i, other in enumerate((tmp_path / "via" / "station.db", tmp_path / "hard.db",
                                   tmp_path / "soft.db")):
            second = tmp_path / f"second{i}.yaml"
            second.write_text(cfg.read_text()
                              .replace(str(journal), str(other))
                              .replace(str(sock), str(tmp_path / f"second{i}.sock")))
            out = subprocess.run(station_command() + ["run", "--config", str(second),
                                                      "--hardware", "sim", "--no-audio"],
                                 capture_output=True, text=True, env=station_env, timeout=60)
            assert out.returncode == 1, (other, out.stderr)
            assert "already running on the journal" in out.stderr
        request(sock, "stop")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_recover_refuses_in_process_too(tmp_path):
    with pytest.raises(JournalError, match="not a station journal"):
        recover(foreign(tmp_path / "f.db"), tmp_path / "n.db")
