"""A session across a restart in the real journal: continued (its row opened again, the
next events in it, not reported as crashed) or closed at its last event."""

import sqlite3

from station.core.events import Event
from station.journal.resume_rows import (
    ResumableJournal,
    close_at_last_event,
    session_end,
)
from station.journal.writer import Journal

S = 1_000_000_000


def a_session(path, *, end: float | None):
    """Session 1: started at 0 s, a note at 2 s and 7 s; ended at ``end`` (None: left
    open, as by kill -9)."""
    j = Journal(path, station="test")
    sid = j.start_session(0, [(1, "client")], by="cli")
    j.record(Event("note", 2 * S, detail="hello"))
    j.record(Event("note", 7 * S, detail="still here"))
    if end is not None:
        j.end_session(int(end * S), "stop")
    assert j.flush()
    j.close()
    return sid


def rows(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_crashed_session_is_continued_and_not_reported_as_crashed(tmp_path):
    path = tmp_path / "j.db"
    sid = a_session(path, end=None)
    j = ResumableJournal(path, station="test")
    try:
        assert j.crashed == [sid]                      # closed at start, as always ...
        assert session_end(path, sid)["ended_by"] == "crash"
        j.continue_session(sid)                        # ... and opened again
        assert j.crashed == [] and j.session == sid and j.last_session == sid
        j.record(Event("resumed", 20 * S, detail="13.000"))
        assert j.flush()
        assert j.health()["crashed_sessions_closed"] == []
        j.end_session(30 * S, "cli")
        assert j.flush()
        assert j.start_session(40 * S, [(1, "client")]) == sid + 1
        assert j.flush()
    finally:
        j.close()
    assert rows(path, "SELECT id, ended_ns, ended_by FROM sessions") == [
        (sid, 30 * S, "cli"), (sid + 1, None, None)]
    assert rows(path, "SELECT session_id FROM events WHERE kind='resumed'") == [(sid,)]


def test_a_session_the_station_stopped_is_closed_at_its_last_event(tmp_path):
    path = tmp_path / "j.db"
    sid = a_session(path, end=12.0)
    assert session_end(path, sid) == {"started_ns": 0, "ended_ns": 12 * S, "ended_by": "stop",
                                      "last_ns": 7 * S}
    assert close_at_last_event(path, sid) == 7 * S
    ended, by, at = rows(path, "SELECT ended_ns, ended_by, ended_at FROM sessions")[0]
    assert (ended, by) == (7 * S, "stop") and at
    assert close_at_last_event(path, sid + 5) is None
    assert session_end(path, sid + 5) is None
