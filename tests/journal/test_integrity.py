"""A damaged journal is refused in plain words and rescued by ``station journal recover``
without being changed; sessions a crash left open are closed at the next start."""

import hashlib
import os
import sqlite3
import subprocess

import pytest
from conftest import station_command, station_config

from station.core.errors import JournalError
from station.core.events import TOUCH, Event
from station.journal.recover import recover
from station.journal.reader import open_journal
from station.journal.writer import Journal

S = 1_000_000_000


def big_journal(path, sessions=12, touches=400):
    j = Journal(path, station="test")
    alias = j.pseudonym("alex")
    for s in range(sessions):
        j.start_session(s * 100 * S, [(1, "client")], by="cli")
        for i in range(touches):
            j.record(Event(TOUCH, s * 100 * S + i * 10**7, player=1, client=alias,
                           pad=i % 12, detail="x" * 24))
        j.end_session(s * 100 * S + 50 * S, "cli")
    j.close()                                   # checkpointed: everything in the main file
    return alias


def damage(path):
    """Overwrite one leaf page of the events table (not its first bytes: the page header
    survives, its cells point into garbage), as a failing SD card does."""
    conn = sqlite3.connect(path)
    pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name='events' AND "
                                        "pagetype='leaf' ORDER BY pageno")]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    page = pages[len(pages) // 2]
    with open(path, "r+b") as f:
        f.seek((page - 1) * size + 8)
        f.write(bytes((i * 37 + 11) % 256 for i in range(size - 8)))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_damaged_journal_is_refused_by_the_station_and_by_readers(tmp_path):
    db = tmp_path / "j" / "station.db"
    big_journal(db)
    damage(db)
    before = digest(db)
    for opening in (lambda: Journal(db), lambda: open_journal(db)):
        with pytest.raises(JournalError) as e:
            opening()
        assert "the journal is damaged" in str(e.value)
        assert f"station journal recover {db} --out NEW.db" in str(e.value)
    cfg = station_config(tmp_path)
    r = subprocess.run(station_command() + ["run", "--config", str(cfg), "--hardware", "sim",
                                            "--no-audio"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 1 and "the journal is damaged" in r.stderr
    assert "Traceback" not in r.stderr
    assert digest(db) == before, "refusing never writes into the damaged file"


def test_recover_copies_what_can_be_read_and_never_touches_the_original(tmp_path):
    db = tmp_path / "station.db"
    alias = big_journal(db)
    damage(db)
    before = digest(db)
    new = tmp_path / "rescued.db"
    r = subprocess.run(station_command() + ["journal", "recover", str(db), "--out", str(new)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "copied 12 sessions and" in r.stdout and "could not be read" in r.stdout
    assert digest(db) == before and not os.path.exists(f"{db}-wal")
    conn = sqlite3.connect(new)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    kept = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    assert 0.8 * 12 * 400 < kept < 12 * 400, "most rows are back, the damaged ones are not"
    assert conn.execute("SELECT count(*) FROM sessions WHERE ended_by='cli'").fetchone()[0] \
        == 12
    assert Journal(new).pseudonym("alex") == alias, "the pseudonym secret came along"
    assert os.stat(new).st_mode & 0o777 == 0o600
    again = subprocess.run(station_command() + ["journal", "recover", str(db), "--out",
                                                str(new)], capture_output=True, text=True,
                           timeout=60)
    assert again.returncode == 1 and "would overwrite it" in again.stderr   # never overwrites


def test_events_whose_session_header_was_lost_get_a_stub_session(tmp_path):
    db = tmp_path / "station.db"
    big_journal(db, sessions=2, touches=10)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("DELETE FROM sessions WHERE id=2")          # as if its page were lost
    conn.commit()
    conn.close()
    done = recover(db, tmp_path / "new.db")
    assert done.stubs == 1 and done.rows["events"] == 20
    conn = sqlite3.connect(tmp_path / "new.db")
    assert conn.execute("SELECT started_by FROM sessions WHERE id=2").fetchone()[0] == \
        "recovered"
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_sessions_left_open_by_a_crash_are_closed_at_their_last_event(tmp_path):
    db = tmp_path / "station.db"
    j = Journal(db)
    j.start_session(5 * S, [(1, "client")])
    j.record(Event(TOUCH, 7 * S, player=1))
    j.record(Event(TOUCH, 9 * S, player=1))
    assert j.flush()
    j.start_session(20 * S, [(1, "client")])                 # the first one ends here
    assert j.flush()
    # the process dies here: nothing closes session 2 (an empty one)
    again = Journal(db)
    assert again.crashed == [2] and again.health()["crashed_sessions_closed"] == [2]
    again.close()
    rows = sqlite3.connect(db).execute("SELECT id, ended_ns, ended_by, started_unix_ns, "
                                       "ended_at FROM sessions ORDER BY id").fetchall()
    assert rows[0][1:3] == (20 * S, "run")
    assert rows[1][1:3] == (20 * S, "crash"), "an empty session ends where it started"
    assert rows[1][4] is not None
