"""``station forget`` and retention: a client's data goes (and the station says how much);
sessions older than the retention period go; everyone else's data stays."""

import sqlite3
import subprocess
import time

from conftest import station_command
from journal_fixtures import make_journal, touch

from station.core.events import TOUCH, Event
from station.journal.pseudonym import pseudonym
from station.journal.retention import DAY_NS, purge_older_than
from station.journal.writer import Journal


def group_journal(path):
    """Session 1: alex alone (3 touches). Session 2: alex and sam (2 touches each)."""
    conn = sqlite3.connect(make_journal(path, []))   # creates the secret
    secret = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()[0]
    conn.close()
    alex, sam = pseudonym("alex", secret), pseudonym("sam", secret)
    s1 = [(0.0, "phase", dict(detail="main"))]
    for i in range(3):
        s1 += touch(i + 1.0, i, 0.2, client=alex)
    s2 = []
    for i in range(2):
        s2 += touch(i + 1.0, i, 0.2, client=alex) + touch(i + 1.5, i, 0.2, player=2,
                                                              client=sam)
    make_journal(path, [{"end": 10, "events": sorted(s1, key=lambda e: e[0])},
                        {"end": 10, "events": sorted(s2, key=lambda e: e[0]),
                         "players": [(1, "client"), (2, "client")]}])
    return alex, sam


def test_forget_removes_a_client_and_says_how_much(tmp_path):
    db = tmp_path / "j.db"
    alex, sam = group_journal(db)
    r = subprocess.run(station_command() + ["forget", "alex", "--db", str(db)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    # session 1 whole: phase + 3 x (touch, note_on, release, note_off) = 13;
    # session 2: alex's 2 x 4 = 8
    assert "deleted 1 session and 21 events" in r.stdout
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM events WHERE client=?", (alex,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM events WHERE client=?", (sam,)).fetchone()[0] == 8
    assert [r[0] for r in conn.execute("SELECT id FROM sessions")] == [2]
    assert conn.execute("SELECT action, sessions, events FROM housekeeping").fetchall() == \
        [("forget", 1, 21)]
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert alex.encode() not in db.read_bytes(), "secure_delete: no readable leftovers"
    again = subprocess.run(station_command() + ["forget", alex, "--db", str(db)],
                           capture_output=True, text=True, timeout=60)
    assert "holds no data of client" in again.stdout


def test_retention_deletes_only_sessions_older_than_the_limit(tmp_path):
    db = tmp_path / "j.db"
    j = Journal(db)
    j.record(Event("fault", 1, detail="board_lost"))            # outside any session
    for n in range(3):
        j.start_session(n * 10, [(1, "client")])
        j.record(Event(TOUCH, n * 10 + 1, player=1, client="c-00000001"))
        j.end_session(n * 10 + 5)
    j.close()
    conn = sqlite3.connect(db)
    now = time.time_ns()
    for sid, age_days in [(1, 40), (2, 31), (3, 2)]:
        conn.execute("UPDATE sessions SET started_unix_ns=? WHERE id=?",
                     (now - age_days * DAY_NS, sid))
    conn.commit()
    gone = purge_older_than(conn, 30, now_unix_ns=now)
    assert (gone.sessions, gone.events) == (2, 3)     # 2 touches + the old fault
    assert [r[0] for r in conn.execute("SELECT id FROM sessions")] == [3]
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1


def test_the_running_journal_applies_retention_but_keeps_its_open_session(tmp_path):
    db = tmp_path / "j.db"
    j = Journal(db)
    j.start_session(0, [(1, "client")])
    assert j.flush()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE sessions SET started_unix_ns=0")      # 1970: very old
    conn.commit()
    j.purge(30)
    assert j.flush()
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 1, "still open"
    j.end_session(5)
    j.start_session(10, [(1, "client")])
    j.purge(30)
    j.close()
    assert [r[0] for r in conn.execute("SELECT id FROM sessions")] == [2]


def sessions_started_at(path, days_ago):
    """A journal with one session per entry of ``days_ago`` (None: the clock read 1970)."""
    j = Journal(path)
    for n in range(len(days_ago)):
        j.start_session(n * 10, [(1, "client")])
        j.record(Event(TOUCH, n * 10 + 1, player=1, client="c-00000001"))
        j.end_session(n * 10 + 5)
    j.close()
    conn = sqlite3.connect(path)
    now = time.time_ns()
    for sid, age in enumerate(days_ago, 1):
        conn.execute("UPDATE sessions SET started_unix_ns=? WHERE id=?",
                     (0 if age is None else now - int(age * DAY_NS), sid))
    conn.commit()
    return conn, now


def test_retention_judges_a_session_by_the_journals_order_not_its_own_clock(tmp_path):
    # session 3 was recorded while the clock read 1970 (a Pi without a clock chip, before
    # the network set it): it happened after session 2, so it is at most 5 days old
    conn, now = sessions_started_at(tmp_path / "j.db", [40, 5, None, 1])
    gone = purge_older_than(conn, 30, now_unix_ns=now)
    assert (gone.sessions, gone.skipped) == (1, "")
    assert [r[0] for r in conn.execute("SELECT id FROM sessions")] == [2, 3, 4]


def test_retention_deletes_nothing_while_the_clock_is_behind_the_journal(tmp_path):
    conn, now = sessions_started_at(tmp_path / "j.db", [400, 300, 2])
    gone = purge_older_than(conn, 30, now_unix_ns=now - 365 * DAY_NS)   # the clock went back
    assert gone.sessions == 0 and "earlier than the newest session's start" in gone.skipped
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 3


def test_the_running_journal_pauses_retention_when_the_wall_clock_steps(tmp_path,
                                                                        monkeypatch):
    import station.journal.writer as writer
    db = tmp_path / "j.db"
    conn, now = sessions_started_at(db, [20, 10])
    j = Journal(db)
    real = time.time_ns
    monkeypatch.setattr(writer.time, "time_ns", lambda: real() + 3650 * DAY_NS)  # +10 years
    j.purge(30)
    assert j.flush()
    assert "retention paused: the wall clock moved" in j.health()["retention"]
    monkeypatch.setattr(writer.time, "time_ns", real)
    j.close()
    assert conn.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2, "nothing deleted"
