"""Faults on the simulator, end to end through the daemon's station, engine and journal:
a board unplugged and plugged back, a stuck electrode, a bad client profile."""

import pytest
from daemon_fixtures import drive, make_daemon, rows, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.core.errors import ProfileError
from station.core.events import FAULT


@pytest.fixture
def daemon(tmp_path, mock_pins, request):
    params = getattr(request, "param", {})
    d = make_daemon(station_yaml(tmp_path, **params), VirtualClock())
    start(d)
    drive(d, s_to_ns(0.01))      # the boards' first samples (no hand at power-up here)
    yield d
    d.close()


def sounding(d, player):
    return sorted(d.station.engine.seats[player].sounding)


def test_unplugged_board_stops_its_notes_the_others_play_on_and_it_comes_back(daemon,
                                                                            tmp_path):
    d, w = daemon, world(daemon)
    drive(d, s_to_ns(1))
    w.touch(0x5A, 2)
    w.touch(0x5B, 3)
    drive(d, s_to_ns(1.5))
    assert sounding(d, 1) == [2] and sounding(d, 2) == [3]
    w.unplug(0x5A)                               # player 1's cable comes out mid-note
    drive(d, s_to_ns(1.7))                       # the 0.1 s heartbeat read finds it gone
    assert sounding(d, 1) == [] and sounding(d, 2) == [3]
    assert d.status()["boards"]["0x5a"] == {"online": False, "last_fault": "board_lost",
                                           "out_of_range": []}
    assert d.status()["lights"]["p1"]["pattern"] == "fault"
    assert d.status()["lights"]["p2"]["pattern"] != "fault"
    w.touch(0x5B, 5)                             # player 2 keeps playing
    drive(d, s_to_ns(2.0))
    assert sounding(d, 2) == [3, 5]
    w.plug(0x5A)                                 # back in: re-probed within a second
    drive(d, s_to_ns(3.5))
    assert d.status()["boards"]["0x5a"]["online"]
    assert d.status()["lights"]["p1"]["pattern"] != "fault"
    w.touch(0x5A, 4)                             # re-initialised: it plays again
    drive(d, s_to_ns(4.0))
    assert sounding(d, 1) == [4]
    d.station.journal.flush()
    log = rows(tmp_path / "j" / "station.db")
    lost = log.index(("fault", None, 0x5A, None, "board_lost"))
    assert ("note_off", 1) in [r[:2] for r in log[lost:lost + 4]], "its note stopped"
    after = log[lost:]
    assert ("note_on", 2) in [r[:2] for r in after], "player 2 played on"
    back = after.index(("fault", None, 0x5A, None, "board_recovered"))
    assert ("note_on", 1) in [r[:2] for r in after[back:]], "player 1 plays again"


@pytest.mark.parametrize("daemon", [{"daemon": {"stuck_limit_s": 5}}], indirect=True)
def test_a_stuck_electrode_is_recalibrated_its_note_released_and_logged(daemon, tmp_path):
    d, w = daemon, world(daemon)
    drive(d, s_to_ns(1))
    w.stick(0x5B, 7)                             # reads touched whatever anyone does
    drive(d, s_to_ns(2))
    assert sounding(d, 2) == [7]
    drive(d, s_to_ns(5.9))
    assert sounding(d, 2) == [7]                 # not yet: the limit is 5 s
    drive(d, s_to_ns(6.5))
    assert sounding(d, 2) == [] and d.station.stuck.count == 1
    assert not w.touched_mask(0x5B) >> 7 & 1     # the new baseline ended the touch
    w.touch(0x5B, 7)                             # and the pad works again
    drive(d, s_to_ns(7))
    assert sounding(d, 2) == [7]
    d.station.journal.flush()
    log = rows(tmp_path / "j" / "station.db")
    stuck = [r for r in log if r[0] == FAULT and (r[4] or "").startswith("stuck_electrode")]
    assert stuck == [("fault", 2, 0x5B, 7, "stuck_electrode:5s")]
    i = log.index(stuck[0])
    assert ("note_off", 2) in [r[:2] for r in log[i:i + 4]]


@pytest.mark.parametrize("daemon", [{"daemon": {"stuck_limit_s": 3}}], indirect=True)
def test_a_hand_that_never_lifts_still_gets_its_note_released_once(daemon, tmp_path):
    d, w = daemon, world(daemon)
    drive(d, s_to_ns(1))
    w.touch(0x5C, 1, strength=1.0)               # player 3: nobody seated, still guarded
    w.touch(0x5A, 1, strength=1.0)
    drive(d, s_to_ns(4.5))
    assert sounding(d, 1) == []
    assert d.station.stuck.count == 2
    drive(d, s_to_ns(20))                        # acts once per episode, not every 3 s
    assert d.station.stuck.count == 2


def test_a_bad_profile_never_stops_the_station_and_the_last_good_one_plays(daemon, tmp_path):
    d, w = daemon, world(daemon)
    bad = tmp_path / "broken.yaml"
    bad.write_text("name: Broken\nsound: {timbre: marimbaa, volume: 7}\n")
    with pytest.raises(ProfileError):
        d.station.use_client(1, str(bad))
    assert d.status()["players"]["1"]["client"] == "alex"
    w.touch(0x5A, 0)
    drive(d, s_to_ns(1))
    assert sounding(d, 1) == [0]
    d.station.journal.flush()
    refused = [r for r in rows(tmp_path / "j" / "station.db") if r[0] == "profile"
               and (r[4] or "").startswith("refused")]
    assert len(refused) == 1 and refused[0][1] == 1


def test_a_bad_profile_at_start_up_leaves_the_seat_empty_and_the_station_running(
        tmp_path, mock_pins):
    import shutil

    from conftest import CONFIGS
    folder = tmp_path / "clients"
    folder.mkdir()
    (folder / "alex.yaml").write_text("name: Alex\nmusic: {mode: scael}\n")   # a typo
    shutil.copy(CONFIGS / "clients" / "sam.yaml", folder)
    cfg = station_yaml(tmp_path, clients_dir=folder)
    d = make_daemon(cfg, VirtualClock())
    try:
        start(d)
        assert d.status()["players"]["1"]["client"] is None
        assert d.status()["players"]["2"]["client"] == "sam"
        drive(d, s_to_ns(0.01))
        world(d).touch(0x5B, 0)
        drive(d, s_to_ns(1))
        assert sounding(d, 2) == [0]
    finally:
        d.close()


def test_a_bad_station_config_refuses_to_start_with_exit_3_and_says_where(tmp_path,
                                                                        station_env):
    import subprocess

    from conftest import station_command
    cfg = station_yaml(tmp_path, daemon={"stuck_limt_s": 30, "stall_limit_s": 0})
    r = subprocess.run(station_command() + ["run", "--config", str(cfg), "--hardware", "sim",
                                            "--no-audio"],
                       capture_output=True, text=True, env=station_env, timeout=60)
    assert r.returncode == 3, r.stderr
    assert "station.yaml:" in r.stderr and "did you mean 'stuck_limit_s'" in r.stderr
    assert "daemon.stall_limit_s" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "station.sock").exists()
