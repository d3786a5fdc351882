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


def test_a_release_cut_by_an_interrupt_keeps_the_rest_in_order():
    from station.engine.registry import Listeners
    got: list = []
    listeners = Listeners()
    listeners.add("log", lambda e: got.append(e.detail))
    listeners.hold()
    for d in ("a", "b", "c"):
        listeners.emit(Event(PHASE, 0, detail=d))
    assert listeners.release(interrupt=lambda: True) is False
    assert got == ["a"]                         # at least one goes, then it stops
    listeners.emit(Event(PHASE, 0, detail="d"))  # still held: queued behind b and c
    assert got == ["a"]
    assert listeners.release(interrupt=lambda: False) is True
    assert got == ["a", "b", "c", "d"]


def test_a_read_that_comes_while_the_listeners_run_sounds_before_they_finish(rig):
    """The journal and the lights never delay the next read: a touch queued while the
    listeners handle the previous one is sounded before the rest of them run."""
    station, engine = rig.station, rig.station.engine
    rig.at(20 * MS)
    order = []
    real_note_on = station.notes.inner.note_on

    def note_on(channel, note, velocity):
        order.append(("sound", None))
        return real_note_on(channel, note, velocity)
    station.notes.inner.note_on = note_on
    came = []

    def listener(event):
        order.append((event.kind, event.pad))
        if event.kind == "touch" and not came:      # a second edge arrives meanwhile
            came.append(event)
            station.put(Event("touch", event.t_ns, board=event.board, electrode=0))
    engine.add_listener("probe", listener)
    rig.world.touch(0x5A, 6)
    rig.at(30 * MS)
    # pad 6's sound, its touch to the listeners, then the read that came meanwhile is
    # sounded before pad 6's note_on event reaches them; then the new touch is logged
    assert order == [("sound", None), ("touch", 6), ("sound", None), ("note_on", 6),
                     ("touch", 0), ("note_on", 0)]
