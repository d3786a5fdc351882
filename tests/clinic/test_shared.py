"""Shared profiles and plans on a real PostgreSQL: an edit from the version the database
holds goes through, one from an older version is refused with who changed what since,
and every version is kept as a history row that no room can forge or delete."""

import psycopg
import pytest
from clinic_fixtures import clinic_db, init_clinic, pg_cluster  # noqa: F401 (fixtures)

from station.clinic.shared import Conflict, fetch, history, publish

ALEX = "name: Alex\nsound: {timbre: harp}\n"


def test_an_edit_from_an_older_version_is_refused_with_what_changed(pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as one, \
            pg_cluster.connect(clinic_db, "clinic_station_room2") as two:
        first = publish(one, "profile", "alex", ALEX, None, "therapist kim")
        assert first.version == 1
        seen = fetch(two, "profile", "alex")
        assert (seen.version, seen.body) == (1, ALEX)
        second = publish(two, "profile", "alex", ALEX.replace("harp", "marimba"), 1,
                         "therapist jo")
        assert second.version == 2
        with pytest.raises(Conflict) as refused:       # room 1 still edits version 1
            publish(one, "profile", "alex", ALEX.replace("Alex", "Alex B."), 1, "kim")
        assert "changed since version 1 by therapist jo" in str(refused.value)
        assert "-sound: {timbre: harp}" in refused.value.diff
        assert "+sound: {timbre: marimba}" in refused.value.diff
        assert fetch(one, "profile", "alex").body == ALEX.replace("harp", "marimba")
        with pytest.raises(Conflict):                   # a second "new" alex
            publish(one, "profile", "alex", ALEX, None, "kim")
        assert [(v, who, room) for v, who, _at, room in history(one, "profile", "alex")] \
            == [(1, "therapist kim", "room1"), (2, "therapist jo", "room2")]


def test_no_room_can_forge_or_erase_the_history(pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1")
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as one:
        publish(one, "plan", "calm", "name: Calm\n", None, "kim")
        for sql in ("INSERT INTO clinic.history (kind, name, version, body, changed_by) "
                    "VALUES ('plan', 'calm', 9, '', 'x')",
                    "DELETE FROM clinic.history", "DELETE FROM clinic.plans",
                    "UPDATE clinic.plans SET plan_id = 'other'"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                one.execute(sql)
    with pg_cluster.connect(clinic_db, "clinic_reader") as reader:
        assert reader.execute("SELECT kind, name, version, station_id FROM clinic.history"
                              ).fetchall() == [("plan", "calm", 1, "room1")]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            publish(reader, "plan", "calm", "x", 1, "reader")


def test_a_profile_is_shared_and_a_stale_edit_refused_from_the_cli(tmp_path, pg_cluster,
                                                                   clinic_db):
    import subprocess

    from clinic_fixtures import clinic_config
    from conftest import CONFIGS, station_command
    init_clinic(pg_cluster, clinic_db, "room1")
    cfg = clinic_config(tmp_path, pg_cluster.dsn(clinic_db, "clinic_station_room1"), "room1")
    alex = (CONFIGS / "clients" / "alex.yaml").read_text()

    def station(*args):
        return subprocess.run(station_command() + ["clinic", "profile", *args, "--config",
                                                   str(cfg)], capture_output=True, text=True,
                              timeout=60)
    r = station("publish", "alex", "--by", "kim")
    assert r.returncode == 0 and "as version 1" in r.stdout, r.stderr
    with pg_cluster.connect(clinic_db, "clinic_station_room1") as pg:   # another room's edit
        publish(pg, "profile", "alex", alex + "# louder on Tuesdays\n", 1, "jo")
    r = station("publish", "alex", "--base", "1", "--by", "kim")
    assert r.returncode == 1 and "changed since version 1 by jo" in r.stderr, r.stderr
    assert "+# louder on Tuesdays" in r.stderr and "Traceback" not in r.stderr
    r = station("show", "alex")
    assert r.returncode == 0 and r.stdout.startswith("alex: version 2, by jo")
    assert "version 1: kim (room1)" in r.stdout and "# louder on Tuesdays" in r.stdout
    r = station("publish", "nobody")
    assert r.returncode != 0 and "Traceback" not in r.stderr
