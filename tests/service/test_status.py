"""``station status``: the plain-words view of a running daemon's health, and what it
says when no daemon runs. (The live end-to-end run is in test_daemon_signals.py.)"""

import subprocess

from conftest import station_command
from daemon_fixtures import drive, make_daemon, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.service.status import status_text


def test_status_of_a_station_with_a_lost_board_and_no_sound(tmp_path, mock_pins):
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    try:
        start(d)
        drive(d, s_to_ns(0.009))
        world(d).touch(0x5A, 1)              # seen at the chip's sample at 10 ms
        drive(d, s_to_ns(60))
        world(d).release(0x5A, 1)
        world(d).unplug(0x5C)
        drive(d, s_to_ns(3725.01))
        s = d.status()
        assert s["uptime_s"] == 3725.0 and s["last_touch_s_ago"] == 3725.0
        text = status_text(s)
    finally:
        d.close()
    assert "up 1 h 2 min" in text
    assert "0x5c NOT ANSWERING (board_lost)" in text and "0x5a online" in text
    assert "1 (client): alex" in text and "3 (client): (nobody seated)" in text
    assert "Last touch: 1 h 2 min ago" in text
    assert "Audio: off" in text and "Journal: ok" in text
    assert "board 0x5c does not answer: check its cable" in text


def test_status_text_for_an_audio_failure_and_a_journal_problem():
    s = {"station": "room-1", "hardware": "pi", "uptime_s": 5, "startup": "ready",
         "boards": {}, "players": {}, "last_touch_s_ago": None,
         "journal": {"ok": False, "error": "disk full", "lost": 3, "path": "/j.db"},
         "audio": {"state": "failed", "error": "the sound card '1' is not connected",
                   "attempts": 4}}
    text = status_text(s)
    assert "Audio: NOT PLAYING: the sound card '1' is not connected; retrying (4 attempts" \
        in text
    assert "Journal: PROBLEM: disk full" in text and "Last touch: never" in text
    assert "To fix:" in text and "All is well." not in text


def test_status_without_a_running_station_is_exit_6_in_plain_words(tmp_path, station_env):
    r = subprocess.run(station_command() + ["status", "--socket", str(tmp_path / "none.sock")],
                       capture_output=True, text=True, env=station_env, timeout=60)
    assert r.returncode == 6
    assert "the station is not running" in r.stderr and "Traceback" not in r.stderr


def test_status_names_an_overcurrent_board_and_a_pad_out_of_range(tmp_path, mock_pins):
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    try:
        world(d).short(0x5B, 4)              # player 2's pad 4: its wire touches ground
        start(d)
        drive(d, s_to_ns(1))
        world(d).overcurrent(0x5C)
        drive(d, s_to_ns(3))
        s = d.status()
        text = status_text(s)
    finally:
        d.close()
    assert s["boards"]["0x5b"] == {"online": True, "last_fault": None, "out_of_range":
                                   [{"electrode": 4, "player": 2, "pad": 4}]}
    assert s["boards"]["0x5c"]["last_fault"] == "board_overcurrent"
    assert "0x5c STOPPED (over-current)" in text and "0x5b online, 1 pad(s) out of range" in text
    assert "board 0x5c stopped on an over-current at its REXT pin" in text
    assert "pad 5 of player 2 (board 0x5b, electrode 4) cannot be measured" in text  # 1-12
    assert "All is well." not in text
