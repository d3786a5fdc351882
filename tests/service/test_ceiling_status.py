"""``station status`` and ``station doctor`` say whether the loudness ceiling is active and
how hard it worked; the daemon's synth is built with the config's ceiling."""

from __future__ import annotations

import numpy as np
from daemon_fixtures import drive, make_daemon, start, station_yaml, world

from station.core.clock import VirtualClock, s_to_ns
from station.service.doctor import Machine, check_all
from station.service.status import status_text
from station.sound.analysis import peak
from station.sound.limiter import ceiling_linear

BASE = {"station": "room-1", "hardware": "sim", "uptime_s": 5, "startup": "ready",
        "boards": {}, "players": {}, "last_touch_s_ago": None,
        "journal": {"ok": True, "written": 0, "path": "/j.db"},
        "audio": {"state": "playing", "driver": "alsa", "device": "hw:0", "latency_ms": 4.0}}


def test_status_says_when_the_ceiling_turned_loud_playing_down(tmp_path, mock_pins):
    config = station_yaml(tmp_path, audio={"gain": 10.0, "ceiling_dbfs": -12})
    d = make_daemon(config, VirtualClock())
    audio: list = []
    try:
        start(d)
        drive(d, s_to_ns(0.5), audio=audio)
        quiet = status_text(d.status())
        for electrode in range(12):                  # a whole hand on every pad at once
            world(d).touch(0x5A, electrode)
        drive(d, s_to_ns(2.0), audio=audio)
        s = d.status()
    finally:
        d.close()
    assert "Loudness ceiling -12 dBFS: never reached." in quiet
    assert s["ceiling"]["active"] and s["ceiling"]["dbfs"] == -12.0
    assert s["ceiling"]["lookahead_ms"] == 0.75
    assert "Loudness ceiling -12 dBFS: reached; the loudest moment was turned down by" \
        in status_text(s)
    assert peak(np.concatenate(audio)) <= ceiling_linear(-12) * 32767


def test_status_text_names_a_ceiling_that_is_not_active_as_a_problem():
    text = status_text(dict(BASE, ceiling={"active": False, "error": "closed"}))
    assert "Loudness ceiling: NOT ACTIVE (closed)." in text
    assert "the loudness ceiling is off" in text and "All is well." not in text
    fine = status_text(dict(BASE, ceiling={"active": True, "dbfs": -6.0, "limited_blocks": 0}))
    assert "All is well." in fine


def test_doctor_reports_the_ceiling_of_the_config(tmp_path):
    config = station_yaml(tmp_path, audio={"ceiling_dbfs": -9.5})
    checks = {c.name: c for c in check_all(config, Machine(root=tmp_path))}
    assert checks["ceiling"].ok
    assert "no sample goes above -9.5 dBFS" in checks["ceiling"].found
