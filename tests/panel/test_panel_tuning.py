"""The Clients screen's "Tune from this session": the routes on a real daemon, and the
proposal, Accept and its guards on a journal of two minutes of tremor (simulated)."""

import random
import shutil

import pytest
from conftest import CONFIGS, wait_until, write
from panel_fixtures import Client, running_station

from station.config.profile import load_profile
from station.panel.clients import Clients
from station.panel.limits import BadRequest
from station.panel.reports import Reports
from station.panel.tuning import Tuning
from station.sim import motor, motor_eval


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    with running_station(tmp_path_factory, "panel-tune") as running:
        yield running


def test_the_routes_need_a_session_and_say_plainly_when_play_is_too_short(station):
    anonymous = Client(station.port)
    for path in ("/api/clients/alex/tune", "/api/clients/alex/tune/accept"):
        assert anonymous.call("POST", path, {})[0] == 401
    client = Client(station.port)
    assert client.login(station.pin)[0] == 200
    assert client.call("POST", "/api/clients/alex/tune", {"player": 1}, csrf=False)[0] == 403
    for k in range(4):                 # a few touches: a session, far too little play
        station.touch(k)
        station.release(k)
    wait_until(lambda: client.call("GET", "/api/sessions")[1].get("sessions"), station.proc)
    status, data = client.call("POST", "/api/clients/alex/tune", {"player": 1})
    assert status == 400 and "at least 60 s of play" in data["error"], data
    assert "Traceback" not in str(data)
    status, data = client.call("POST", "/api/clients/alex/tune", {"player": "one"})
    assert status == 400 and "'player' must be a player number" in data["error"]
    status, data = client.call("POST", "/api/clients/alex/tune/accept",
                               {"version": "x", "changes": {"octave": 3}})
    assert status == 400 and "not a setting a tuning proposal changes" in data["error"]


@pytest.fixture(scope="module")
def tremor(tmp_path_factory):
    """(Tuning, clients folder): 'lee' played two minutes of tremor without filters."""
    tmp = tmp_path_factory.mktemp("tremor")
    clients = tmp / "clients"
    clients.mkdir()
    shutil.copy(CONFIGS / "clients" / "lee.yaml", clients)
    pattern = motor.tremor(random.Random(9), 200)
    pattern.contacts = [c for c in pattern.contacts if c.t0 < 120 * 10**9]
    pattern.intended = [c for c in pattern.intended if c.t0 < 120 * 10**9]
    pattern.end_ns = max(c.t1 for c in pattern.contacts) + 10**9
    motor_eval.play(pattern, str(clients / "lee.yaml"), tmp / "out", 9)
    reports = Reports(tmp / "out" / "station.db", clients)
    return Tuning(reports, Clients(clients, ("lee",), 1.0)), clients


def test_propose_then_accept_keeps_the_previous_file(tremor):
    tuning, clients = tremor
    path = clients / "lee.yaml"
    before = path.read_text()
    p = tuning.propose("lee", {"player": 1})             # the newest session
    assert p["offered"] and p["client"] == "lee" and p["lost"] == 0
    assert set(p["changes"]) == {"release_grace_ms", "retrigger_ms"}
    assert p["proposed"]["notes"] < p["current"]["notes"] and p["contacts"] > 100
    assert "release_grace_ms: 0 -> " in p["text"] and len(p["reasons"]) == 5
    assert path.read_text() == before                   # a proposal changes nothing
    done = tuning.accept("lee", {"version": p["version"], "changes": p["changes"]})
    assert done["saved"] and done["touch"] == p["changes"] and done["kept"] == "lee.yaml.bak"
    assert path.with_name("lee.yaml.bak").read_text() == before
    text = path.read_text()
    assert text.startswith("# Example: Lee, a new client with a tremor")
    assert load_profile(path).touch["retrigger_ms"] == p["changes"]["retrigger_ms"]
    with pytest.raises(BadRequest) as old:               # accepted twice: the file moved on
        tuning.accept("lee", {"version": p["version"], "changes": p["changes"]})
    assert old.value.status == 409 and path.read_text() == text
    again = tuning.propose("lee", {"player": 1})        # the new settings already cover it
    assert again["changes"] == {} and not again["offered"]
    assert "was changed since this session was played" in again["text"]


def test_accept_refuses_what_a_proposal_never_holds(tremor):
    tuning, clients = tremor
    version = load_profile(clients / "lee.yaml").version
    for changes, words in (({"dwell_ms": 99999}, "touch.dwell_ms is 99999"),
                           ({"dwell_ms": "long"}, "a whole number of ms"),
                           ({"volume": 1.0}, "not a setting a tuning proposal changes"),
                           ({}, "say which touch: settings")):
        with pytest.raises(BadRequest) as bad:
            tuning.accept("lee", {"version": version, "changes": changes})
        assert words in str(bad.value), (changes, str(bad.value))
    with pytest.raises(BadRequest) as nobody:
        tuning.propose("lee", {"player": 3})
    assert "no client was seated at player 3" in str(nobody.value)
    with pytest.raises(BadRequest):
        tuning.propose("../etc", {"player": 1})
    write(clients / "stray.yaml", "name: Stray\n")
    with pytest.raises(BadRequest) as other:
        Tuning(tuning.reports, Clients(clients, (), 1.0)).propose("stray", {"player": 1})
    assert "the journal shows another client" in str(other.value)
