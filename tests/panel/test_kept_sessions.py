"""Sign-ins kept across a restart: the tablet stays signed in within the idle window, the
file holds no cookie and is private, the downtime counts as idle, sign-out is kept too."""

import json
import logging
import os
import stat

import pytest

from station.panel.auth import Gate
from station.panel.keep import FILE_NAME, SAVE_EVERY_S, kept_path, token_key
from station.panel.pin import pin_path, store_pin


class Clock:
    def __init__(self, t):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture
def files(tmp_path):
    journal = tmp_path / "state" / "station.db"
    return store_pin(pin_path(journal), "482913"), kept_path(journal)


def gate(files, mono, wall, idle_s=600):
    """A Gate as the daemon builds it: the monotonic clock starts anew at each start."""
    return Gate(files[0], idle_s=idle_s, now=mono, kept=files[1], wall=wall)


def test_a_restart_keeps_the_sign_in_and_the_file_is_private(files):
    wall = Clock(1_700_000_000.0)
    first = gate(files, Clock(50.0), wall)
    s = first.login("482913")
    kept = files[1]
    assert kept.name == FILE_NAME and kept.parent == files[0].parent
    assert stat.S_IMODE(os.stat(kept).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(kept.parent).st_mode) == 0o700
    text = kept.read_text()
    assert s.token not in text and token_key(s.token) in text   # the cookie is not on disk
    wall.t += 120                                   # down two minutes, then a new process
    again = gate(files, Clock(3.0), wall)
    back = again.session(s.token)
    assert back is not None and back.csrf == s.csrf   # the page's CSRF token still works
    assert again.csrf_ok(back, s.csrf) and again.alive(s.token)
    assert again.session("made-up") is None


def test_the_time_down_counts_as_idle_and_sign_out_is_kept(files):
    wall, mono = Clock(1_700_000_000.0), Clock(10.0)
    first = gate(files, mono, wall, idle_s=300)
    stays, leaves, idles = (first.login("482913") for _ in range(3))
    first.logout(leaves.token)
    wall.t += 200
    mono.t += 200
    assert first.session(stays.token)               # activity, 200 s in: not yet written
    assert json.loads(files[1].read_text())["panel_sessions"][token_key(stays.token)][
        "last"] == pytest.approx(wall.t - 200)
    wall.t += SAVE_EVERY_S
    mono.t += SAVE_EVERY_S
    assert first.session(stays.token)               # written now: at most every 30 s
    saved = json.loads(files[1].read_text())["panel_sessions"]
    assert saved[token_key(stays.token)]["last"] == pytest.approx(wall.t)
    assert token_key(leaves.token) not in saved
    wall.t += 200                                   # idles: 430 s idle, stays: 200 s
    again = gate(files, Clock(1.0), wall, idle_s=300)
    assert again.session(stays.token) is not None
    assert again.session(idles.token) is None and again.session(leaves.token) is None
    assert again.status()["signed_in"] == 1


def test_a_clock_set_back_does_not_make_a_session_younger(files):
    wall = Clock(1_700_000_000.0)
    s = gate(files, Clock(0.0), wall, idle_s=60).login("482913")
    wall.t -= 3600
    mono = Clock(5.0)
    again = gate(files, mono, wall, idle_s=60)
    assert again.session(s.token)
    mono.t += 61
    assert again.session(s.token) is None


def test_a_damaged_or_foreign_file_costs_only_the_survival(files, caplog):
    files[1].parent.mkdir(exist_ok=True)
    files[1].write_text("my own notes, not the station's\n")
    with caplog.at_level(logging.WARNING, logger="station.panel"):
        g = gate(files, Clock(0.0), Clock(1e9))
        s = g.login("482913")                       # sign-in works in memory
    assert g.session(s.token) is not None
    assert files[1].read_text() == "my own notes, not the station's\n"    # never overwritten
    assert "cannot be read" in caplog.text and "cannot be kept" in caplog.text
    assert "Traceback" not in caplog.text
