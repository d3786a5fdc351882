"""Goal ratings in the journal: schema 3 from schema 2, rating rules, forgetting."""

import sqlite3

import pytest
from conftest import write
from journal_fixtures import old_journal

from station.config.profile import load_profile
from station.core.errors import ConsentError, StationError
from station.journal.reader import open_journal, ratings
from station.journal.ratings import parse_level, rate_goal
from station.journal.retention import forget_client, purge_older_than
from station.journal.writer import Journal, connect

GOALS = """\
goals:
  - {id: reach, text: Reaches out, levels: {0: sometimes, 2: always}}
  - {id: wait, text: Waits for the turn}
"""


def test_a_version_2_journal_gains_ratings_and_local_time_and_keeps_its_data(tmp_path):
    path = old_journal(tmp_path / "old.db", 2)       # the previous release's schema
    conn = connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
    assert conn.execute("SELECT utc_offset_min, tz, started_by FROM sessions").fetchone() \
        == (None, None, "run")
    assert conn.execute("SELECT pad FROM events").fetchone()[0] == 3
    conn.close()
    j = Journal(path)
    sid = j.start_session(0, [(1, "client")], by="cli")
    j.rate(sid, 10, 1, "c-aaaaaaaa", "reach", 1)
    j.rate(1, 20, 1, "c-aaaaaaaa", "reach", -1)      # an old session, rated afterwards
    j.close()
    conn = open_journal(path)
    assert ratings(conn) == [(1, "c-aaaaaaaa", "reach", -1), (2, "c-aaaaaaaa", "reach", 1)]
    offset, tz = conn.execute("SELECT utc_offset_min, tz FROM sessions WHERE id=2").fetchone()
    assert isinstance(offset, int) and tz
    with pytest.raises(sqlite3.IntegrityError):      # the table itself refuses a bad level
        conn.execute("INSERT INTO ratings(session_id, t_ns, client, goal, level, rated_at) "
                     "VALUES (1, 0, 'c-a', 'x', 3, 'now')")
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.fixture
def station(tmp_path):
    folder = tmp_path / "clients"
    write(folder / "kim.yaml", "name: Kim\n" + GOALS +
          "consent: {date: 2024-01-01, journal: true}\n")
    write(folder / "sam.yaml", "name: Sam\n" + GOALS)
    write(folder / "robin.yaml", "name: Robin\n" + GOALS +
          "consent: {date: 2024-01-01, journal: false}\n")
    j = Journal(tmp_path / "j.db")
    yield j, (lambda cid: load_profile(cid, folder))
    j.close()


def test_a_goal_of_a_seated_client_is_rated_in_the_running_session(station, tmp_path):
    j, load = station
    seats = {1: (load("kim"), "client"), 4: (load("sam"), "therapist")}
    sid = j.start_session(0, [(1, "client"), (4, "therapist")])
    out = rate_goal(j, seats, "reach", "+2", 5)
    assert out == {"goal": "reach", "client": "kim", "player": 1, "level": 2, "session": sid,
                   "text": "Reaches out", "level_text": "always"}
    rate_goal(j, seats, "reach", 0, 6)                 # rated again: the later one counts
    j.end_session(7)
    rate_goal(j, seats, "wait", "-1", 8)               # after the session: that session
    j.flush()
    conn = open_journal(tmp_path / "j.db")
    who = j.pseudonym("kim")
    assert ratings(conn) == [(sid, who, "reach", 0), (sid, who, "wait", -1)]


def test_ratings_say_plainly_what_is_wrong(station):
    j, load = station
    seats = {1: (load("kim"), "client"), 2: (load("sam"), "client"),
             3: (load("robin"), "client")}
    j.start_session(0, [(1, "client")])
    with pytest.raises(StationError, match="-2, -1, 0, \\+1 or \\+2"):
        rate_goal(j, seats, "reach", "3", 1)
    with pytest.raises(StationError, match="no seated client has the goal 'reahc'.*kim "
                                           "\\(player 1\\): reach, wait"):
        rate_goal(j, seats, "reahc", 1, 1)
    with pytest.raises(StationError, match="belongs to kim \\(player 1\\) and sam \\(player "
                                           "2\\).*kim:reach"):
        rate_goal(j, {1: seats[1], 2: seats[2]}, "reach", 1, 1)
    assert rate_goal(j, {1: seats[1], 2: seats[2]}, "reach", 1, 1, player=2)["client"] == \
        "sam"
    assert rate_goal(j, {}, "sam:wait", 1, 1, load=load)["player"] is None
    with pytest.raises(ConsentError, match="robin did not consent to the journal"):
        rate_goal(j, {3: seats[3]}, "reach", 1, 1)
    assert [parse_level(x) for x in ("-2", "+1", 0, " 2 ")] == [-2, 1, 0, 2]


def test_forgetting_a_client_or_old_sessions_deletes_their_ratings(tmp_path):
    j = Journal(tmp_path / "j.db")
    kim, sam = j.pseudonym("kim"), j.pseudonym("sam")
    s1 = j.start_session(0, [(1, "client")])
    j.rate(s1, 1, 1, kim, "reach", 1)
    j.rate(s1, 1, 2, sam, "reach", 0)
    j.end_session(2)
    s2 = j.start_session(3, [(1, "client")])
    j.rate(s2, 4, 1, sam, "wait", 2)
    j.close()
    conn = open_journal(tmp_path / "j.db")
    forget_client(conn, "kim")
    assert {r[1] for r in ratings(conn)} == {sam}
    conn.execute("UPDATE sessions SET started_unix_ns = 0 WHERE id = ?", (s1,))
    conn.commit()
    purge_older_than(conn, 1)
    assert ratings(conn) == [(s2, sam, "wait", 2)]
