"""The Session screen's plan and rating routes against a station that lacks the commands
(an older daemon): the real command path (``ControlServer.call``) with only the handlers
such a station had, answering plain 409s, never a 500."""

import pytest
from conftest import CONFIGS

from station.config.station import load_config
from station.panel.actions import Actions
from station.panel.limits import BadRequest
from station.panel.reports import Reports
from station.service.control import ControlServer


@pytest.fixture
def older(tmp_path):
    """Panel actions over a station that has status and session (start, stop, phase,
    note, status) but neither plans nor goal ratings."""
    server = ControlServer(tmp_path / "station.sock", lambda job: job())
    sessions = {"session": None, "active": False}

    def session(op, name=None, text=None):          # no goal, level or player: no rating
        if op == "start":
            sessions.update(session=1, active=True)
        return dict(sessions)
    server.handlers["status"] = lambda: {"players": {"1": {"client": "alex", "name": "Alex"}}}
    server.handlers["session"] = session
    config = load_config(CONFIGS / "station.yaml")
    return Actions(config, server.call, None, Reports(tmp_path / "j.db", CONFIGS / "clients"),
                   None)


def answer(actions, method, path, data=None):
    handler, params = actions.route(method, path)
    try:
        return 200, handler(data or {}, **params)
    except BadRequest as exc:
        return exc.status, str(exc)


@pytest.mark.parametrize("method, path, data", [
    ("GET", "/api/plan", None), ("GET", "/api/plans", None),
    ("POST", "/api/plan", {"op": "start", "name": "demo"}), ("POST", "/api/plan", {"op": "next"}),
])
def test_a_station_without_plans_answers_409_in_plain_words(older, method, path, data):
    status, words = answer(older, method, path, data)
    assert status == 409, words
    assert words == "this station has no 'plan' command: it runs an older version; update " \
                    "the station to use this."


def test_a_station_without_goal_ratings_shows_none_and_refuses_with_409(older):
    assert answer(older, "GET", "/api/goals") == (200, {"players": [], "session": None,
                                                        "active": False})
    answer(older, "POST", "/api/session", {"op": "start"})
    status, words = answer(older, "POST", "/api/rate", {"goal": "steady", "level": 1,
                                                        "player": 1})
    assert status == 409 and "does not rate goals" in words
    assert older.layout()["features"]["plan"] is False
