"""Listeners and buttons have one owner each: a second is refused, never a silent take-over.

On the real station (``Rig``: the simulated chips, FluidSynth, a SQLite journal) as it is
composed by ``station.engine.compose``.
"""

import pytest
from conftest import CONFIGS

from station.core.events import PHASE, PRESS, UNPRESS, Event
from station.engine.registry import WiringError
from station.sim.motor_eval import Rig

MS = 1_000_000


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, clients={1: "alex"}, config_path=CONFIGS / "station.yaml")
    yield r
    r.close()


def test_the_composed_station_lists_its_listeners_in_order_and_one_owner_per_button(rig):
    engine = rig.station.engine
    assert engine.listeners.owners() == ["consent_gate", "sessions", "turns", "consent",
                                         "stuck", "lights", "backing", "echo", "plan",
                                         "session_key", "motor_eval"]
    owners = {b: engine.controls.owner(b) for b in ("next_turn", "all_quiet", "session",
                                                    "next_client")}
    assert owners == {"next_turn": "turns", "all_quiet": "turns", "session": "plan",
                      "next_client": "swaps"}


def test_a_second_owner_of_a_button_or_a_listener_name_is_refused(rig):
    engine = rig.station.engine
    with pytest.raises(WiringError, match="'session' button is owned by plan; sessions"):
        engine.register_control("session", "sessions", rig.station.sessions.toggle)
    with pytest.raises(WiringError, match="'lights' is already registered"):
        engine.add_listener("lights", print)
    # the refusals changed nothing: the plan runner still owns the button
    assert engine.controls.owner("session") == "plan"
    assert engine.listeners.owners().count("lights") == 1


def test_the_session_button_without_a_plan_toggles_the_session_as_it_always_did(rig):
    engine, sessions = rig.station.engine, rig.station.sessions
    rig.at(100 * MS)
    assert not sessions.active

    def tap(t_ms):
        rig.at(t_ms * MS)
        engine.handle(Event(PRESS, rig.clock.now_ns(), button="session"))
        rig.at((t_ms + 50) * MS)
        engine.handle(Event(UNPRESS, rig.clock.now_ns(), button="session"))
        rig.at((t_ms + 100) * MS)
    tap(200)
    assert sessions.active
    tap(400)
    assert not sessions.active


def test_listeners_run_in_order_first_goes_first_and_removal_stops_delivery(rig):
    engine = rig.station.engine
    order = []
    engine.add_listener("b", lambda e: order.append("b"))
    engine.add_listener("a", lambda e: order.append("a"), first=True)
    engine.add_listener("c", lambda e: order.append("c"))
    owners = engine.listeners.owners()
    assert owners[0] == "a" and owners[-2:] == ["b", "c"]
    engine.announce(Event(PHASE, rig.clock.now_ns(), detail="main"))
    assert order == ["a", "b", "c"]
    engine.remove_listener("b")
    engine.remove_listener("nobody")            # nothing registered: nothing happens
    engine.hold_listeners()
    engine.announce(Event(PHASE, rig.clock.now_ns(), detail="end"))
    assert order == ["a", "b", "c"]             # held: nothing new yet
    engine.release_listeners()
    assert order == ["a", "b", "c", "a", "c"]
    engine.add_listener("b", lambda e: None)    # the name is free again
