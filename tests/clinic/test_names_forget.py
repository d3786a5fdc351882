"""Clinic-wide pseudonyms and ``station forget`` in the clinic, on a real PostgreSQL.

A client who plays in two rooms has one pseudonym in the clinic database (one history),
although each room's journal has its own; the report role cannot read the key. ``station
forget`` on one station deletes the client's rows of every room in the clinic and leaves
a tombstone, so no room sends them again; while the clinic cannot be reached the request
waits on the station and is applied by the next push."""

import os
import stat
import subprocess

import pytest
from clinic_fixtures import clinic_config, clinic_db, init_clinic, make_day, pg_cluster  # noqa: F401
from conftest import station_command

from station.journal.writer import Journal

psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed (the 'clinic' extra)")


def station(*args):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=120)


def room(tmp_path, cluster, db, sid, extra_name=None):
    """A room's journal (alex and one client the station cannot name) and its config."""
    base = tmp_path / sid
    base.mkdir(exist_ok=True)
    cfg = clinic_config(base, cluster.dsn(db, f"clinic_station_{sid}"), sid)
    journal = base / "j" / "station.db"
    journal.parent.mkdir(exist_ok=True)
    j = Journal(journal, station=sid)
    alex = j.pseudonym("alex")
    j.close()
    make_day(journal, sessions=2, touches=5, station=sid, clients=(alex, "c-0000beef"))
    return cfg, journal, alex


def clients_in(pg, sid):
    return {c for (c,) in pg.execute("SELECT DISTINCT client FROM clinic.events WHERE "
                                     "station_id = %s AND client IS NOT NULL", (sid,))}


@pytest.fixture
def two_rooms(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    one, two = (room(tmp_path, pg_cluster, clinic_db, s) for s in ("room1", "room2"))
    for cfg, journal, _ in (one, two):
        r = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
        assert r.returncode == 0, r.stderr
    with pg_cluster.connect(clinic_db) as owner:
        yield one, two, owner


def test_a_client_has_one_pseudonym_in_every_room(two_rooms, pg_cluster, clinic_db):
    (_c1, _j1, alex1), (_c2, _j2, alex2), owner = two_rooms
    assert alex1 != alex2                     # each journal keeps its own
    (key,) = owner.execute("SELECT value FROM clinic.keys").fetchone()
    from station.journal.pseudonym import pseudonym
    clinic_alex = pseudonym("alex", key)
    assert clients_in(owner, "room1") == clients_in(owner, "room2") \
        == {clinic_alex, "c-0000beef"}       # a client it cannot name keeps the journal's
    with pg_cluster.connect(clinic_db, "clinic_reader") as reader:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("SELECT value FROM clinic.keys")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as st:
        assert st.execute("SELECT value FROM clinic.keys").fetchone() == (key,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            st.execute("DELETE FROM clinic.events")


def test_forget_reaches_every_room_of_the_clinic(two_rooms, tmp_path):
    (cfg1, j1, _), (cfg2, j2, alex2), owner = two_rooms
    before = owner.execute("SELECT count(*) FROM clinic.events").fetchone()[0]
    r = station("forget", "alex", "--config", str(cfg1))
    assert r.returncode == 0, r.stderr
    assert "forgotten in the clinic database too" in r.stdout
    assert clients_in(owner, "room1") == clients_in(owner, "room2") == {"c-0000beef"}
    assert owner.execute("SELECT count(*) FROM clinic.events").fetchone()[0] < before
    assert owner.execute("SELECT station_id FROM clinic.forgotten").fetchall() \
        == [("room1",)] * 2                  # the clinic's and room 1's journal pseudonym
    # room 2's journal still holds alex (its therapist forgets there): a new journal of
    # room 2 sends everything again, and the tombstone keeps alex's rows out
    import shutil
    import sqlite3
    fresh = tmp_path / "room2" / "fresh.db"
    shutil.copy(j2, fresh)                     # as if a new journal of room 2
    c = sqlite3.connect(fresh)
    c.execute("UPDATE meta SET value = 'f00dfeedf00dfeed' WHERE key = 'uid'")
    c.commit()
    c.close()
    r = station("clinic", "push", "--db", str(fresh), "--config", str(cfg2))
    assert r.returncode == 0, r.stderr
    assert "kept on the station" in r.stdout
    assert clients_in(owner, "room2") == {"c-0000beef"}
    assert alex2 not in clients_in(owner, "room2")


def test_forget_while_offline_waits_and_is_applied_by_the_next_push(two_rooms, tmp_path,
                                                                    pg_cluster, clinic_db):
    (cfg1, j1, _), _two, owner = two_rooms
    offline = cfg1.with_name("offline.yaml")            # the same station, link down
    offline.write_text(cfg1.read_text().replace(
        pg_cluster.dsn(clinic_db, "clinic_station_room1"), f"host={tmp_path} port=1 dbname=x"))
    r = station("forget", "alex", "--config", str(offline))
    assert r.returncode == 0, r.stderr
    assert "waits on this station" in r.stdout and "Traceback" not in r.stderr
    queue = j1.parent / "clinic" / "forget.queue"
    r = station("clinic", "status", "--config", str(offline))
    assert r.returncode == 1 and "forget requests waiting for the link: 1" in r.stdout
    assert stat.S_IMODE(os.stat(queue).st_mode) == 0o600
    assert len(clients_in(owner, "room1")) == 2          # not yet: the link is down
    r = station("clinic", "push", "--db", str(j1), "--config", str(cfg1))
    assert r.returncode == 0, r.stderr
    assert clients_in(owner, "room1") == clients_in(owner, "room2") == {"c-0000beef"}
    assert not queue.read_text().strip().splitlines()[1:]       # nothing waits any more


def test_ids_given_again_after_a_forget_still_reach_the_clinic(tmp_path, pg_cluster,
                                                                 clinic_db):
    """The forgotten client's rows were the journal's newest: SQLite gives their ids to
    the next rows. Once the clinic forgot them too, the replicator resumes from what the
    database holds and sends the new rows under those ids."""
    from station.clinic.forget import forget_now
    from station.clinic.link import Link
    from station.clinic.replicator import push
    from station.journal.retention import forget_client
    from station.journal.store import connect
    init_clinic(pg_cluster, clinic_db, "room1")
    journal = tmp_path / "j.db"
    j = Journal(journal, station="room1")
    alex = j.pseudonym("alex")
    j.close()
    make_day(journal, sessions=1, touches=3, clients=("c-0000beef", alex))
    jconn = connect(journal)
    with jconn:                                   # alex touches last: the newest rows
        jconn.executemany("INSERT INTO events (session_id, t_ns, kind, player, client) "
                          "VALUES (1, ?, 'touch', 2, ?)", [(10**12 + n, alex) for n in range(5)])
    link = Link(tmp_path / "clinic", lambda: ["alex"], every_s=0)     # every cycle looks
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as pg:
        link.connected(pg)
        link.cycle(pg, jconn)
        done = push(jconn, pg, "room1", link=link)
        newest = jconn.execute("SELECT max(id) FROM events").fetchone()[0]
        forget_client(jconn, "alex")                     # the station forgets first
        top = jconn.execute("SELECT max(id) FROM events").fetchone()[0]
        assert top < newest                               # alex's rows were the newest
        with jconn:
            jconn.executemany("INSERT INTO events (session_id, t_ns, kind, client) VALUES "
                              "(1, ?, 'note', NULL)", [(n,) for n in range(newest - top)])
        forget_now(pg, {"pseudonyms": [alex], "profile": "alex"}, link.key)
        assert link.cycle(pg, jconn) is True             # the tombstone: resume afresh
        push(jconn, pg, "room1", cursor=None, link=link)
        held = [r for (r,) in pg.execute("SELECT row_id FROM clinic.events ORDER BY row_id")]
        mine = [r for (r,) in jconn.execute("SELECT id FROM events ORDER BY id")]
        assert held == mine and done.rows > 0
    jconn.close()
