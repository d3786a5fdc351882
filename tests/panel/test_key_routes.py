"""The Session screen's key control: ``/api/session_key`` through the real command path
(``ControlServer.call``) to a simulated station's session key; plain 400s for bad input and
the station's refusals, a 409 from a station without the command, never a 500."""

import sys
from pathlib import Path

import pytest
from conftest import CONFIGS

from station.config.station import load_config
from station.panel.actions import Actions
from station.panel.limits import BadRequest
from station.panel.reports import Reports
from station.service.control import ControlServer
from station.sim.runner import Simulation
from station.sim.scenario import load_scenario

sys.path.insert(0, str(Path(__file__).parents[1] / "sim"))
from test_session_music import scenario


@pytest.fixture
def station(tmp_path):
    sim = Simulation(load_scenario(scenario(tmp_path, ["{at: 0.1, action: note, text: a}"],
                                            2, clients="{1: alex, 2: sam}")), tmp_path / "out")
    sim.station.start()
    yield sim
    sim.close()


def actions_for(tmp_path, handlers):
    server = ControlServer(tmp_path / "station.sock", lambda job: job())
    server.handlers.update(handlers)
    return Actions(load_config(CONFIGS / "station.yaml"), server.call, None,
                   Reports(tmp_path / "j.db", CONFIGS / "clients"), None)


def answer(actions, method, path, data=None):
    handler, params = actions.route(method, path)
    try:
        return 200, handler(data or {}, **params)
    except BadRequest as exc:
        return exc.status, str(exc)


def test_set_follow_and_refusals(tmp_path, station):
    actions = actions_for(tmp_path, {"session_key": station.station.music.session_key_command})
    status, now = answer(actions, "GET", "/api/session_key")
    assert status == 200 and now["key"] is None and now["clashes"] == []
    status, now = answer(actions, "POST", "/api/session_key",
                         {"op": "set", "root": "A", "mode": "major"})
    assert status == 200 and now["words"] == "A major"
    assert [c["player"] for c in now["clashes"]] == [2]    # sam's C major: C, F, G
    assert now["clashes"][0]["notes"] == ["C", "F", "G"]
    status, now = answer(actions, "POST", "/api/session_key", {"op": "follow", "player": 2})
    assert status == 200 and now["clashes"] == [] and now["following"] == [2]
    status, words = answer(actions, "POST", "/api/session_key",
                           {"op": "set", "root": "A", "mode": "majr"})
    assert status == 400 and "did you mean 'major'" in words
    status, words = answer(actions, "POST", "/api/session_key", {"op": "follow",
                                                                 "player": "two"})
    assert status == 400 and "player number" in words
    status, words = answer(actions, "POST", "/api/session_key", {"op": "follow", "player": 4})
    assert status == 400 and words == "No client is seated at player 4."
    status, words = answer(actions, "POST", "/api/session_key", {"op": "dance"})
    assert status == 400 and "must be one of set, follow, status" in words


def test_a_station_without_the_command_answers_409(tmp_path):
    older = actions_for(tmp_path, {"status": dict})
    status, words = answer(older, "GET", "/api/session_key")
    assert status == 409 and "no 'session_key' command" in words
