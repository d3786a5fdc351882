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
