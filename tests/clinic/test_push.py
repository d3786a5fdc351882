"""``station clinic push`` and ``status`` on a real PostgreSQL and real journals: every row
arrives exactly once and in order, a running session's end follows, a new journal file of
the same station is not mistaken for the old one, and failures are plain words."""

import os
import subprocess
import time

import pytest
from clinic_fixtures import (  # noqa: F401 (fixtures)
    S,
    clinic_config,
    clinic_db,
    clinic_rows,
    init_clinic,
    journal_rows,
    make_day,
    pg_cluster,
)
from conftest import station_command

from station.clinic.replicator import push
from station.clinic.settings import ClinicError, ClinicSettings
from station.core.events import Event
from station.journal.outbox import pending, read_state
from station.journal.store import connect
from station.journal.writer import Journal


def station(*args, env=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=120, env=env)


def room_config(tmp_path, cluster, db, station_id="room1", extra=""):
    return clinic_config(tmp_path, cluster.dsn(db, f"clinic_station_{station_id}"),
                         station_id, extra)


def test_push_twice_sends_every_row_exactly_once(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    journal = make_day(tmp_path / "room1.db", sessions=3, touches=30)
    cfg = room_config(tmp_path, pg_cluster, clinic_db, extra="  batch_rows: 97\n")
    first = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
    assert first.returncode == 0, first.stderr
    rows = journal_rows(journal)
    total = sum(len(v) for v in rows.values())
    assert f"sent {total} row(s)" in first.stdout
    assert clinic_rows(pg_cluster, clinic_db, "room1") == rows
    again = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
    assert again.returncode == 0, again.stderr
    assert "sent 0 row(s)" in again.stdout and "already had everything" in again.stdout
    assert clinic_rows(pg_cluster, clinic_db, "room1") == rows
    status = station("clinic", "status", "--db", str(journal), "--config", str(cfg))
    assert status.returncode == 0, status.stderr
    assert "clinic database: connected (station room1)" in status.stdout
    assert "rows pending: 0" in status.stdout


def test_a_running_sessions_end_follows_and_ratings_arrive(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    settings = ClinicSettings(pg_cluster.dsn(clinic_db, "clinic_station_room1"), "room1")
    j = Journal(tmp_path / "j.db", station="room1")
    pg = pg_cluster.connect(clinic_db, "clinic_station_room1")
    jconn = connect(tmp_path / "j.db")
    try:
        sid = j.start_session(0, [(1, "client")], by="cli")
        j.record(Event("touch", S, player=1, client="c-12345678", pad=1))
        assert j.flush()
        assert push(jconn, pg, settings.station_id).rows == 2
        assert pg.execute("SELECT ended_ns FROM clinic.sessions").fetchall() == [(None,)]
        j.record(Event("phase", 2 * S, detail="main"))
        j.rate(sid, 3 * S, 1, "c-12345678", "reach", 2)
        j.end_session(4 * S, "cli")
        assert j.flush()
        done = push(jconn, pg, settings.station_id)
        assert (done.rows, done.ends) == (2, 1)
        assert pg.execute("SELECT ended_ns, ended_by FROM clinic.sessions").fetchall() == \
            [(4 * S, "cli")]
        assert pg.execute("SELECT client, goal, level FROM clinic.ratings").fetchall() == \
            [("c-12345678", "reach", 2)]
        assert pending(jconn, read_state(jconn, "room1")["cursor"])[0] == 0
    finally:
        j.close()
        jconn.close()
        pg.close()


def test_a_new_journal_of_the_same_station_is_not_taken_for_the_old(tmp_path, pg_cluster,
                                                                     clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    cfg = room_config(tmp_path, pg_cluster, clinic_db)
    old = make_day(tmp_path / "old.db", sessions=1, touches=5)
    new = make_day(tmp_path / "new.db", sessions=1, touches=7)     # ids start at 1 again
    for journal in (old, new):
        r = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
        assert r.returncode == 0, r.stderr
    held = clinic_rows(pg_cluster, clinic_db, "room1")
    assert len(held["events"]) == len(journal_rows(old)["events"]) + \
        len(journal_rows(new)["events"])


def test_a_station_pushing_as_another_rooms_role_is_refused(tmp_path, pg_cluster,
                                                            clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    journal = make_day(tmp_path / "j.db", sessions=1, touches=3)
    # the config says room2, but the role it logs in with is room1's
    cfg = clinic_config(tmp_path, pg_cluster.dsn(clinic_db, "clinic_station_room1"), "room2")
    r = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
    assert r.returncode == 1 and "row-level security" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    with pg_cluster.connect(clinic_db) as owner:
        assert owner.execute("SELECT count(*) FROM clinic.events").fetchone() == (0,)
    status = station("clinic", "status", "--db", str(journal), "--config", str(cfg))
    assert "last error" in status.stdout and "row-level security" in status.stdout


def test_an_unreachable_database_leaves_everything_pending(tmp_path):
    journal = make_day(tmp_path / "j.db", sessions=1, touches=3)
    cfg = clinic_config(tmp_path, f"host={tmp_path} port=1 dbname=clinic", "room1")
    r = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
    assert r.returncode == 1, r.stderr
    assert "the clinic database cannot be reached" in r.stderr and "Traceback" not in r.stderr
    status = station("clinic", "status", "--db", str(journal), "--config", str(cfg))
    assert status.returncode == 1
    total = sum(len(v) for v in journal_rows(journal).values())
    assert "not reachable" in status.stdout and f"rows pending: {total}" in status.stdout


def test_a_config_without_a_clinic_section_is_a_plain_error(tmp_path):
    from conftest import station_config
    journal = make_day(tmp_path / "j.db", sessions=1, touches=1)
    r = station("clinic", "push", "--db", str(journal), "--config",
                str(station_config(tmp_path)))
    assert r.returncode == 3 and "has no clinic: section" in r.stderr, r.stderr


def test_a_password_file_others_can_read_is_refused(tmp_path):
    secret = tmp_path / "clinic.pw"
    secret.write_text("s3cret\n")
    os.chmod(secret, 0o644)
    settings = ClinicSettings("host=x", "room1", password_file=secret)
    with pytest.raises(ClinicError, match="can be read by others") as refused:
        settings.params()
    assert "chmod 600" in str(refused.value) and "s3cret" not in str(refused.value)
    os.chmod(secret, 0o600)
    assert settings.params()["password"] == "s3cret"


@pytest.mark.parametrize("database", ["host=db dbname=clinic password=hunter2",
                                      "postgresql://room1:hunter2@db/clinic"])
def test_a_password_in_the_config_is_refused(tmp_path, database):
    cfg = clinic_config(tmp_path, database, "room1")
    r = station("clinic", "status", "--config", str(cfg))
    assert r.returncode == 3 and "never write one in the station config" in r.stderr
    assert "hunter2" not in r.stderr


def test_status_says_how_old_the_oldest_pending_row_is(tmp_path):
    journal = make_day(tmp_path / "j.db", sessions=1, touches=2)
    conn = connect(journal)
    try:
        n, oldest = pending(conn, read_state(conn, "room1")["cursor"])
    finally:
        conn.close()
    assert n == sum(len(v) for v in journal_rows(journal).values())
    assert 0 <= time.time_ns() - oldest < 120 * S    # the session started just now
