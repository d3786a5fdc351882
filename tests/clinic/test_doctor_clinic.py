"""``station doctor`` with a clinic: section: the password file, and the running station's
replication state (it never connects itself)."""

import os

from clinic_fixtures import clinic_config

from station.service.doctor import Machine, check_all


def clinic_check(cfg, status=None):
    checks = {c.name: c for c in check_all(cfg, Machine(daemon_status=lambda c: status))}
    return checks["clinic"]


def test_the_doctor_shows_the_replication_state_of_the_running_station(tmp_path):
    cfg = clinic_config(tmp_path, "host=db.clinic dbname=clinic", "room2")
    assert clinic_check(cfg).info
    ok = clinic_check(cfg, {"clinic": {"connected": True, "pending": 3, "error": None}})
    assert ok.ok and ok.found == "station room2: connected, 3 row(s) pending"
    down = clinic_check(cfg, {"clinic": {"connected": False, "pending": 120,
                                         "error": "the clinic database cannot be reached"}})
    assert not down.ok and "120 row(s) wait in the journal" in down.found
    assert "station clinic status" in down.fix


def test_the_doctor_refuses_a_password_file_others_can_read(tmp_path):
    secret = tmp_path / "clinic.pw"
    secret.write_text("pw\n")
    os.chmod(secret, 0o640)
    cfg = clinic_config(tmp_path, "host=db.clinic dbname=clinic", "room2",
                        "  password_file: clinic.pw\n")
    check = clinic_check(cfg)
    assert not check.ok and "can be read by others" in check.found


def test_the_doctor_names_a_shared_profile_refused_as_a_stale_edit(tmp_path):
    cfg = clinic_config(tmp_path, "host=db.clinic dbname=clinic", "room2")
    status = {"clinic": {"connected": True, "pending": 0, "error": None,
                         "conflicts": {"profile/alex": {"version": 3, "by": "room1"}}}}
    checks = {c.name: c for c in check_all(cfg, Machine(daemon_status=lambda c: status))}
    assert checks["clinic"].ok
    stale = checks["clinic shared"]
    assert not stale.ok and "profile/alex" in stale.found and "--base" in stale.fix
