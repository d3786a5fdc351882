"""The journal file: schema migrations, private permissions, overflow never silent."""

import os
import sqlite3
import stat
import time

import pytest
from journal_fixtures import old_journal

from station.core.errors import JournalError
from station.core.events import TOUCH, Event
from station.journal.reader import open_journal
from station.journal.schema import VERSION
from station.journal.writer import Journal, connect


def v1_journal(path):
    """A journal as the first release wrote it (schema version 1), with one session."""
    old_journal(path, 1)


def test_a_version_1_journal_is_migrated_and_keeps_its_data(tmp_path):
    path = tmp_path / "old.db"
    v1_journal(path)
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == VERSION >= 3
    row = conn.execute("SELECT station, started_by, ended_by, started_unix_ns FROM sessions"
                       ).fetchone()
    assert row == ("old", "run", None, None)          # new columns, defaults for old rows
    assert conn.execute("SELECT pad FROM events").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM housekeeping").fetchone()[0] == 0
    conn.close()
    # and the station carries on writing into it: session ids continue after the old one
    j = Journal(path)
    assert j.start_session(0, [(1, "client")], by="cli") == 2
    j.record(Event(TOUCH, 10, player=1, pad=0))
    j.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM events WHERE session_id=2").fetchone()[0] == 1
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_journal_newer_than_the_station_is_refused_in_plain_words(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {VERSION + 1}")
    conn.close()
    with pytest.raises(JournalError, match="newer than this station"):
        open_journal(path)


def test_a_missing_journal_is_not_created_by_readers(tmp_path):
    with pytest.raises(JournalError, match="there is no journal here"):
        open_journal(tmp_path / "nothing.db")
    assert not (tmp_path / "nothing.db").exists()


def test_journal_folder_and_files_are_owner_only(tmp_path):
    os.umask(0o022)
    path = tmp_path / "private" / "deep" / "station.db"
    j = Journal(path)
    j.start_session(0, [(1, "client")])
    j.record(Event(TOUCH, 1, player=1))
    assert j.flush()
    for p in (path, path.with_name("station.db-wal")):
        assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    j.close()


def test_sessions_record_who_started_and_ended_them_and_the_wall_clock(tmp_path):
    j = Journal(tmp_path / "j.db", station="room-2")
    sid = j.start_session(5, [(1, "client"), (2, "therapist")], latency_ms=4.0, by="button")
    assert j.session == sid == 1
    j.end_session(9, by="idle")
    assert j.session is None
    j.close()
    conn = sqlite3.connect(tmp_path / "j.db")
    row = conn.execute("SELECT station, started_ns, ended_ns, latency_ms, started_by, "
                       "ended_by, started_unix_ns, ended_at FROM sessions").fetchone()
    assert row[:6] == ("room-2", 5, 9, 4.0, "button", "idle")
    assert row[6] > 1_600_000_000 * 10 ** 9 and row[7].endswith("+00:00")
    assert conn.execute("SELECT player, role FROM players ORDER BY player").fetchall() == \
        [(1, "client"), (2, "therapist")]


def test_a_full_queue_counts_and_journals_every_lost_event(tmp_path):
    path = tmp_path / "j.db"
    j = Journal(path, queue_size=4)
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")          # the writer now waits on its next write
    j.start_session(0, [(1, "client")])         # ... which is this one: it holds the writer
    for i in range(40):
        j.record(Event(TOUCH, i, player=1, pad=i % 12))
    lost = j.health()["lost"]
    assert lost >= 40 - 4 and not j.health()["ok"]
    blocker.rollback()
    blocker.close()
    assert j.flush()
    j.close()
    conn = sqlite3.connect(path)
    kept = conn.execute("SELECT count(*) FROM events WHERE kind='touch'").fetchone()[0]
    noted = [r[0] for r in conn.execute("SELECT detail FROM events WHERE kind='fault'")]
    assert kept + lost == 40
    assert sum(int(d.split(":")[1]) for d in noted if d.startswith("journal_lost:")) == lost


def test_a_bug_in_the_writer_is_reported_and_the_writer_keeps_writing(tmp_path, monkeypatch):
    import station.journal.retention as retention

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in retention")
    monkeypatch.setattr(retention, "purge_older_than", broken)
    j = Journal(tmp_path / "j.db")
    j.start_session(0, [(1, "client")])
    j.purge(float("nan"))                          # what a NaN in the config once did
    j.record(Event(TOUCH, 1, player=1, detail=["not", "a", "value"]))   # unbindable
    j.record(Event(TOUCH, 2, player=1, pad=2**70))                      # too large
    j.record(Event(TOUCH, 3, player=1, pad=3))
    assert j.flush()
    health = j.health()
    assert health["writing"] and j._thread.is_alive()
    assert health["lost"] == 2 and not health["ok"], "the two bad rows are counted, not hidden"
    j.record(Event(TOUCH, 4, player=1, pad=4))
    j.close()
    conn = sqlite3.connect(tmp_path / "j.db")
    assert [r[0] for r in conn.execute("SELECT pad FROM events WHERE kind='touch' ORDER BY "
                                       "id")] == [3, 4]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_or_stalled_writer_is_reported(tmp_path, monkeypatch):
    import station.journal.writer as writer
    monkeypatch.setattr(writer, "STALL_S", 0.3)
    path = tmp_path / "j.db"
    j = Journal(path)
    assert j.health()["writing"]
    blocker = sqlite3.connect(path, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")          # the writer now hangs in its next write
    j.record(Event(TOUCH, 1, player=1))
    j.record(Event(TOUCH, 2, player=1))
    deadline = time.monotonic() + 10
    while j.health()["writing"]:
        assert time.monotonic() < deadline, "a hung writer was never reported"
        time.sleep(0.05)
    assert "has not written anything for" in j.health()["error"]
    blocker.rollback()
    blocker.close()
    assert j.flush() and j.health()["writing"]
    j.close()

    k = Journal(tmp_path / "k.db")

    def die():
        raise SystemExit("gone")                 # nothing inside the writer catches this
    k._cycle = die
    k.record(Event(TOUCH, 1, player=1))
    k._thread.join(timeout=5)
    health = k.health()
    assert not health["writing"] and not health["ok"]
    assert "the journal writer has stopped (SystemExit('gone'))" in health["error"]
    assert "restart the station" in health["error"].lower()


def test_an_idle_writer_woken_by_a_touch_is_not_a_hung_disk(tmp_path, monkeypatch):
    """Idle longer than the stall limit, then touches: the status must not cry 'hung
    disk' while the writer wakes (it timed the stall from before its wait for work)."""
    import station.journal.writer as writer
    monkeypatch.setattr(writer, "STALL_S", 0.2)
    j = Journal(tmp_path / "j.db")
    j.record(Event(TOUCH, 1, player=1))
    assert j.flush()
    time.sleep(0.4)                          # idle: twice the (scaled-down) stall limit
    seen = []
    for k in range(50):
        j.record(Event(TOUCH, 2 + k, player=1))
        seen.append(j.health()["writing"])    # at once, before the writer has woken
    assert all(seen), f"{seen.count(False)} of 50 checks called an idle writer hung"
    assert j.flush() and j.health()["ok"]
    j.close()


def test_close_leaves_the_connection_to_a_writer_still_at_work(tmp_path, monkeypatch):
    """A batch that outlasts close()'s wait (a big one on a loaded machine, a hung disk):
    closing the connection under the writer crashed the whole process in SQLite
    (SIGSEGV). close() returns, and the connection stays the writer's."""
    import threading

    from station.journal import writer
    j = writer.Journal(tmp_path / "j.db", station="test")
    busy, release = threading.Event(), threading.Event()
    write = j._pending.write

    def slow_write():
        busy.set()
        release.wait(30)
        return write()
    monkeypatch.setattr(j._pending, "write", slow_write)
    monkeypatch.setattr(writer, "STALL_S", 0.05)
    j.record(Event(TOUCH, 1, player=1, pad=0))
    assert busy.wait(10), "the writer never began its batch"
    j.close()
    assert j._thread.is_alive()
    assert j._conn.execute("SELECT count(*) FROM events").fetchone() == (0,)   # still open
    release.set()
    j._thread.join(10)
    assert not j._thread.is_alive()
    assert j._conn.execute("SELECT count(*) FROM events").fetchone() == (1,)
    j._conn.close()
