"""Reports across rooms: ``station export --clinic`` and ``station report --clinic`` read
PostgreSQL with the same metric code as one station's report, so the clinic's metrics
are exactly the sum of the rooms' own."""

import csv
import subprocess

from clinic_fixtures import (  # noqa: F401 (fixtures)
    clinic_config,
    clinic_db,
    init_clinic,
    make_day,
    pg_cluster,
)
from conftest import station_command


def station(*args):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=180)


def metrics(path):
    """The metrics rows without the session number (the clinic numbers sessions anew)."""
    with open(path, newline="") as f:
        return sorted(tuple(r[1:]) for r in list(csv.reader(f))[1:])


def test_the_clinic_report_is_the_sum_of_the_rooms_reports(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    rooms = {"room1": ("c-aaaaaaaa", "c-bbbbbbbb"), "room2": ("c-cccccccc", "c-dddddddd")}
    own = []
    for room, clients in rooms.items():
        journal = make_day(tmp_path / f"{room}.db", sessions=2, touches=12, station=room,
                           clients=clients)
        cfg = clinic_config(tmp_path / room, pg_cluster.dsn(clinic_db, f"clinic_station_{room}"),
                            room)
        r = station("clinic", "push", "--db", str(journal), "--config", str(cfg))
        assert r.returncode == 0, r.stderr
        out = tmp_path / f"{room}.csv"
        r = station("export", "--db", str(journal), "--format", "metrics", "-o", str(out))
        assert r.returncode == 0, r.stderr
        own += metrics(out)
    reader = pg_cluster.dsn(clinic_db, "clinic_reader")
    out = tmp_path / "clinic.csv"
    r = station("export", "--clinic", reader, "--format", "metrics", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "of 4 session(s)" in r.stdout
    assert metrics(out) == sorted(own) and len(own) > 8
    html = tmp_path / "clinic.html"
    r = station("report", "--clinic", reader, "--pseudonyms", "-o", str(html))
    assert r.returncode == 0, r.stderr
    text = html.read_text()
    assert all(c in text for clients in rooms.values() for c in clients)


def test_a_stations_own_role_reads_only_its_own_room(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    for room in ("room1", "room2"):
        journal = make_day(tmp_path / f"{room}.db", sessions=1, touches=3, station=room)
        cfg = clinic_config(tmp_path / room, pg_cluster.dsn(clinic_db, f"clinic_station_{room}"),
                            room)
        assert station("clinic", "push", "--db", str(journal), "--config",
                       str(cfg)).returncode == 0
    r = station("export", "--clinic", "--config", str(tmp_path / "room1" / "station.yaml"),
                "--format", "metrics", "-o", str(tmp_path / "own.csv"))
    assert r.returncode == 0, r.stderr
    assert "of 1 session(s)" in r.stdout


def test_a_clinic_report_without_a_database_is_a_plain_error(tmp_path):
    r = station("report", "--clinic", f"host={tmp_path} port=1 dbname=clinic", "-o",
                str(tmp_path / "r.html"))
    assert r.returncode == 1 and "cannot be reached" in r.stderr
    assert "Traceback" not in r.stderr
