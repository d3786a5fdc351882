"""The clinic database's schema and roles on a real PostgreSQL: ``station clinic init``
is idempotent, and row-level security keeps each station to its own rows."""

import subprocess

import pytest
from clinic_fixtures import clinic_db, init_clinic, pg_cluster  # noqa: F401 (fixtures)
from conftest import station_command

from station.clinic.schema import VERSION


def station(*args):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=120)


def test_init_is_idempotent_as_the_cli_runs_it(pg_cluster, clinic_db):
    owner = pg_cluster.dsn(clinic_db)
    first = station("clinic", "init", "--database", owner, "--station", "room1",
                    "--station", "room2")
    assert first.returncode == 0, first.stderr
    assert f"schema version 0 -> {VERSION}" in first.stdout
    assert "stations added: room1, room2" in first.stdout
    again = station("clinic", "init", "--database", owner, "--station", "room1",
                    "--station", "room2")
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout and "Traceback" not in again.stderr
    with pg_cluster.connect(clinic_db) as pg:
        assert pg.execute("SELECT version FROM clinic.schema_version").fetchall() == \
            [(v,) for v in range(1, VERSION + 1)]
        assert pg.execute("SELECT station_id, role_name FROM clinic.stations ORDER BY 1"
                          ).fetchall() == [("room1", "clinic_station_room1"),
                                           ("room2", "clinic_station_room2")]


def test_an_unreachable_database_is_a_plain_error(tmp_path):
    r = station("clinic", "init", "--database", f"host={tmp_path} port=1 dbname=x "
                "connect_timeout=2", "--station", "room1")
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("station: the clinic database cannot be reached")
    assert "Traceback" not in r.stderr


def test_a_bad_station_id_is_refused_in_plain_words(pg_cluster, clinic_db):
    r = station("clinic", "init", "--database", pg_cluster.dsn(clinic_db), "--station",
                "Room 1; DROP")
    assert r.returncode == 1 and "is not a station id" in r.stderr
    assert "Traceback" not in r.stderr


ROW = ("INSERT INTO clinic.events (station_id, journal, row_id, t_ns, kind) "
       "VALUES (%s, 'j1', %s, 0, 'touch')")


def test_a_station_writes_only_its_own_rows(pg_cluster, clinic_db):
    import psycopg
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as a:
        a.execute(ROW, ("room1", 1))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            a.execute(ROW, ("room2", 2))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            a.execute("DELETE FROM clinic.events")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            a.execute("UPDATE clinic.events SET kind = 'x'")
        assert a.execute("SELECT count(*) FROM clinic.profiles").fetchone() == (0,)
    with pg_cluster.connect(clinic_db, "clinic_station_room2") as b:
        b.execute(ROW, ("room2", 1))
        # room1's row is invisible to room2: each reads back only its own
        assert b.execute("SELECT station_id FROM clinic.events").fetchall() == [("room2",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):   # shared: never deleted
            b.execute("DELETE FROM clinic.profiles")


def test_the_report_role_reads_every_room_and_writes_nothing(pg_cluster, clinic_db):
    import psycopg
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    for room in ("room1", "room2"):
        with pg_cluster.connect(clinic_db, f"clinic_station_{room}") as s:
            s.execute(ROW, (room, 1))
    with pg_cluster.connect(clinic_db, "clinic_reader") as r:
        assert r.execute("SELECT station_id FROM clinic.events ORDER BY 1").fetchall() == \
            [("room1",), ("room2",)]
        for sql in (ROW.replace("%s", "'room1'", 1).replace("%s", "9"),
                    "UPDATE clinic.sessions SET ended_ns = 1",
                    "DELETE FROM clinic.events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                r.execute(sql)


def test_a_role_that_is_no_station_cannot_write(pg_cluster, clinic_db):
    import psycopg
    init_clinic(pg_cluster, clinic_db, "room1")
    with pg_cluster.connect(clinic_db) as owner:
        owner.execute("CREATE ROLE clinic_station_ghost LOGIN IN ROLE clinic_stations")
    with pg_cluster.connect(clinic_db, "clinic_station_ghost") as g:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            g.execute(ROW, ("room1", 1))
