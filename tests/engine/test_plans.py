"""Session plans on the simulated station (real engine, FluidSynth, journal, mock pins): the
session button steps through phases, the journal shows them in order, a phase's music
override keeps the client's motor filters, a swap during a phase gets the phase's music,
turn modes per phase, the light cue and auto phases."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import CONFIGS, write

from station.core.details import BackingStart, BackingStop, Turn
from station.sim.runner import Simulation
from station.sim.scenario import load_scenario
from station.sound.songs import load_song

GROUP = CONFIGS / "scenarios" / "group-station.yaml"

PLAN = """\
name: Test plan
phases:
  - name: welcome
    players:
      all: {music: {mode: song, song: welcome}}
  - name: warm_up
    backing: {style: drone, volume: 0.3}
  - name: main
    turns: therapist
    players:
      2: {timbre: harp}
  - name: goodbye
"""


def station(tmp_path, base=CONFIGS / "station.yaml"):
    text = base.read_text()
    text = text.replace("clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("clients_dir: ../clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("plans_dir: plans", f"plans_dir: {tmp_path / 'plans'}")
    text = text.replace("plans_dir: ../plans", f"plans_dir: {tmp_path / 'plans'}")
    return write(tmp_path / "station.yaml", text)


def run(tmp_path, events, end, plan=PLAN, clients="{1: alex, 2: sam}", base=None,
        samples=()):
    write(tmp_path / "plans" / "test.yaml", plan)
    config = station(tmp_path, base or CONFIGS / "station.yaml")
    text = (f"station: {config}\n" + (f"clients: {clients}\n" if clients else "")
            + "events:\n" + "\n".join(f"  - {e}" for e in events) + f"\nend: {end}\n")
    sim = Simulation(load_scenario(write(tmp_path / "s.yaml", text)), tmp_path / "out",
                     sample_lights=tuple(samples))
    seen = []
    sim.station.engine.add_listener("test", seen.append)
    summary = sim.run()
    return sim, summary, seen, sqlite3.connect(tmp_path / "out" / "station.db")


def tap_button(at, button="session", hold=0.1):
    return [f"{{at: {at}, action: press, button: {button}}}",
            f"{{at: {at + hold:.2f}, action: release, button: {button}}}"]


def notes(seen, player):
    return [e.note for e in seen if e.kind == "note_on" and e.player == player]


def test_the_session_button_steps_through_the_phases_and_the_journal_has_them_in_order(
        tmp_path):
    events = ["{at: 0.5, action: plan_start, plan: test}"]
    for at in (2.0, 4.0, 6.0):
        events += tap_button(at)
    events += tap_button(8.0, hold=1.5)                   # held: the session ends
    sim, summary, seen, db = run(tmp_path, events, end=11)
    phases = db.execute("SELECT session_id, t_ns, detail FROM events WHERE kind='phase' "
                        "ORDER BY t_ns").fetchall()
    assert [p[2] for p in phases] == ["welcome", "warm_up", "main", "goodbye"]
    assert [p[1] / 1e9 for p in phases] == pytest.approx([0.5, 2.1, 4.1, 6.1])
    assert len({p[0] for p in phases}) == 1, "one session"
    sessions = db.execute("SELECT ended_ns, ended_by FROM sessions").fetchall()
    assert sessions == [(9_000_000_000, "button")], "held for hold_s (1 s): the session ended"
    assert [p["phase"] for p in summary["phases"]] == ["welcome", "warm_up", "main", "goodbye"]
    backing = [e.detail for e in seen if e.kind == "backing"]
    assert backing == [BackingStart("drone", "A", "plan:warm_up"), BackingStop("phase")], \
        "the drone of warm_up only"


def test_next_after_the_last_phase_ends_the_plan_and_the_session(tmp_path):
    events = ["{at: 0.5, action: plan_start, plan: test}"] + \
        [f"{{at: {t}, action: plan_next}}" for t in (1.0, 1.5, 2.0, 2.5)]
    sim, summary, seen, db = run(tmp_path, events, end=3)
    assert db.execute("SELECT ended_ns, ended_by FROM sessions").fetchall() == \
        [(2_500_000_000, "plan")]
    assert sim.station.music.plan.status(0)["plan"] is None


def test_a_welcome_song_on_one_switch_then_the_clients_own_music_again(tmp_path):
    events = ["{at: 0.5, action: plan_start, plan: test}"]
    for k in range(4):                                    # player 1's own arcade button
        events += tap_button(1.0 + k * 0.5, button="p1_switch")
    events += tap_button(3.5)                             # next phase: warm_up
    events += ["{at: 4.0, action: touch, board: 0x5A, electrode: 0}",
               "{at: 4.3, action: release, board: 0x5A, electrode: 0}"]
    sim, summary, seen, db = run(tmp_path, events, end=5)
    song = [n for step in load_song("welcome").steps for n in step]
    assert notes(seen, 1) == song[:4] + [69], "the song, then alex's own A4 on pad 0"


def test_a_phase_keeps_the_clients_motor_filters(tmp_path):
    # ex-brushing needs a 150 ms dwell: in the song phase a 50 ms brush stays silent and
    # does not advance the song; a real touch plays its first note
    events = ["{at: 0.5, action: plan_start, plan: test}",
              "{at: 1.0, action: touch, board: 0x5A, electrode: 2}",
              "{at: 1.05, action: release, board: 0x5A, electrode: 2}",
              "{at: 2.0, action: touch, board: 0x5A, electrode: 2}",
              "{at: 2.4, action: release, board: 0x5A, electrode: 2}"]
    sim, summary, seen, db = run(tmp_path, events, end=3, clients="{1: ex-brushing}")
    assert notes(seen, 1) == [load_song("welcome").steps[0][0]]
    assert [e.detail for e in seen if e.kind == "suppressed"] == ["dwell"]


def test_a_client_seated_during_a_phase_gets_the_phase_music(tmp_path):
    events = ["{at: 0.5, action: plan_start, plan: test}",
              "{at: 1.0, action: use_client, player: 2, client: jo}",
              "{at: 1.5, action: touch, board: 0x5B, electrode: 5}",
              "{at: 1.8, action: release, board: 0x5B, electrode: 5}",
              "{at: 2.0, action: plan_stop}",
              "{at: 2.5, action: touch, board: 0x5B, electrode: 0}",
              "{at: 2.8, action: release, board: 0x5B, electrode: 0}"]
    sim, summary, seen, db = run(tmp_path, events, end=3)
    first = load_song("welcome").steps[0][0]
    assert notes(seen, 2) == [first, 50], "jo sang the welcome song, then her own D3"


def test_phase_turn_modes_timbres_and_the_mode_before_the_plan(tmp_path):
    events = ["{at: 0.5, action: plan_start, plan: test}",
              "{at: 1.0, action: plan_next}", "{at: 1.5, action: plan_next}",   # main
              "{at: 2.5, action: plan_stop}"]
    sim, summary, seen, db = run(tmp_path, events, end=3, clients=None, base=GROUP)
    modes = [e.detail for e in seen if e.kind == "turn_start" and e.detail.reason == "mode"]
    assert modes[:2] == [Turn("mode", "therapist"), Turn("mode", "round_robin")], \
        "therapist mode in main, the station's round robin again after the plan"
    timbres = db.execute("SELECT t_ns, detail FROM events WHERE kind='timbre' AND player=2 "
                         "AND t_ns > 0 ORDER BY t_ns").fetchall()
    assert timbres == [(1_500_000_000, "0:46:harp"), (2_500_000_000, "0:4:soft_piano")]
    assert sim.station.engine.seats[2].timbre.name == "soft_piano", "sam's own sound back"


def test_suggested_length_gives_a_light_cue_and_auto_moves_on(tmp_path):
    plan = """\
phases:
  - {name: hello, suggested_min: 0.1}
  - {name: play, suggested_min: 0.1, auto: true}
  - {name: bye, suggested_min: 0.1, auto: true}
"""
    samples = (2.0, 7.0, 8.0, 17.0)
    events = ["{at: 0.5, action: plan_start, plan: test}",
              "{at: 16.0, action: plan_next}"]
    sim, summary, seen, db = run(tmp_path, events, end=30, plan=plan, samples=samples)
    assert summary["refused_plans"] == []
    lights = sim.light_samples
    assert lights[2.0]["p1"] == 1.0, "a seated client's light is on"
    cue = [lights[t]["p1"] for t in (7.0, 8.0)]              # 6 s in: every light swells
    assert all(0.05 <= v <= 0.6 for v in cue) and cue[0] != cue[1]
    assert lights[7.0]["p3"] == lights[7.0]["p1"], "every light, seated or not"
    assert lights[17.0]["p1"] == 1.0 and lights[17.0]["p3"] == 0.0, "9 s, then as before"
    phases = db.execute("SELECT t_ns, detail FROM events WHERE kind='phase' ORDER BY t_ns")
    assert [(t / 1e9, d) for t, d in phases] == [(0.5, "hello"), (16.0, "play"),
                                                 (22.0, "bye")]
    assert db.execute("SELECT ended_ns, ended_by FROM sessions").fetchone() == \
        (28_000_000_000, "plan"), "the last auto phase ended the session"


def test_a_plan_that_does_not_fit_is_refused_and_the_session_goes_on(tmp_path):
    plan = "phases:\n  - {name: a, turns: call_response}\n"
    events = ["{at: 0.5, action: plan_start, plan: test}",
              "{at: 0.6, action: plan_start, plan: nosuch}",
              "{at: 1.0, action: touch, board: 0x5A, electrode: 0}",
              "{at: 1.2, action: release, board: 0x5A, electrode: 0}"]
    sim, summary, seen, db = run(tmp_path, events, end=2, plan=plan)
    assert len(summary["refused_plans"]) == 2
    assert "call_response, which needs a player with 'role: therapist'" in \
        summary["refused_plans"][0]
    assert "there is no plan 'nosuch'" in summary["refused_plans"][1]
    assert summary["players"]["1"]["notes"] == 1
