"""A scenario's physical world (station.sim.physics): hands at power-up, noise, drift;
and the chip faults a scenario can cause, seen by the station as the therapist sees them."""

import sqlite3

import pytest
from conftest import CONFIGS, write

from station.core.errors import ScenarioError
from station.sim.runner import Simulation, simulate
from station.sim.scenario import load_scenario

HEAD = f"station: {CONFIGS / 'station.yaml'}\nclients: {{1: alex, 2: sam}}\n"


def scenario(tmp_path, text: str, name: str = "s.yaml"):
    return load_scenario(write(tmp_path / name, HEAD + text))


def test_world_settings_are_checked_and_each_problem_named_with_its_line(tmp_path):
    with pytest.raises(ScenarioError) as err:
        scenario(tmp_path, """\
at_power_up:
  - {board: 0x60, electrode: 12, strength: 2}
  - {board: 0x5A, electrod: 3}
noise: {counts: -1, sed: 3}
drift: {counts: 20, period_s: 0, seed: 1.5}
events:
  - {at: 1.0, action: touch, board: 0x5A, electrode: 0}
""")
    text = str(err.value)
    path = str(tmp_path / "s.yaml")
    assert f"{path}:4: at_power_up[0]: board must be a touch board's address (MPR121: 0x5A" \
           in text
    assert "at_power_up[0]: electrode must be 0..11, not 12" in text
    assert "at_power_up[0]: strength must be a number above 0 and at most 1" in text
    assert f"{path}:5: at_power_up[1]: 'electrod' does not belong here (did you mean " \
           f"'electrode'?)" in text
    assert f"{path}:6: noise.counts must be a number, 0..50; not -1" in text
    assert "'sed' is not a noise setting (did you mean 'seed'?)" in text
    assert f"{path}:7: drift.period_s must be a number, at least 1; not 0" in text
    assert "drift.seed must be a whole number" in text


def test_world_settings_reach_the_chips(tmp_path):
    sc = scenario(tmp_path, """\
noise: {counts: 1.5, seed: 4}
drift: {counts: 12}
events:
  - {at: 1.0, action: touch, board: 0x5A, electrode: 0}
""")
    assert sc.world.noise == {"counts": 1.5, "seed": 4}
    assert sc.world.drift == {"counts": 12.0, "period_s": 600.0, "seed": 0}
    sim = Simulation(sc, tmp_path / "out")
    pads = sim.world.chip(0x5B).pads
    assert pads[3].sigma == 1.5 and 6 <= abs(pads[3].amp) <= 12
    sim.close()


def journal(db, kinds=("touch", "release", "note_on", "note_off")):
    conn = sqlite3.connect(db)
    try:
        marks = ",".join("?" * len(kinds))
        return conn.execute(f"SELECT kind, t_ns, board, electrode, detail FROM events "
                            f"WHERE kind IN ({marks}) ORDER BY id", kinds).fetchall()
    finally:
        conn.close()


def test_the_same_noisy_scenario_plays_the_same(tmp_path):
    text = """\
noise: {counts: 2.0, seed: 9}
drift: {counts: 30, period_s: 20, seed: 9}
events:
""" + "".join(f"  - {{at: {1 + i * 0.4:.1f}, action: touch, board: 0x5A, electrode: {i % 6}, "
              f"strength: 0.3}}\n  - {{at: {1.2 + i * 0.4:.1f}, action: release, board: "
              f"0x5A, electrode: {i % 6}}}\n" for i in range(20))
    runs = [simulate(scenario(tmp_path, text, f"n{k}.yaml"), tmp_path / f"o{k}")
            for k in (1, 2)]
    assert journal(runs[0]["db"]) == journal(runs[1]["db"])


def test_a_hand_resting_at_power_up_then_lifted_leaves_a_pad_that_sounds(tmp_path):
    # The chips take their first baseline with the hand on pad 3; it lifts at 1 s; the
    # next touch, 0.3 s later, is a note (the station re-took the baseline once the
    # data stood above it; the chip's own tracking would have needed ~1.5 s).
    summary = simulate(scenario(tmp_path, """\
at_power_up:
  - {board: 0x5A, electrode: 3, strength: 0.9}
events:
  - {at: 1.0, action: release, board: 0x5A, electrode: 3}
  - {at: 1.3, action: touch, board: 0x5A, electrode: 3, strength: 0.6}
  - {at: 1.6, action: release, board: 0x5A, electrode: 3}
"""), tmp_path / "out")
    rows = journal(summary["db"])
    assert [r[0] for r in rows] == ["touch", "note_on", "release", "note_off"]
    assert 1.3e9 < rows[0][1] < 1.31e9 and rows[0][3] == 3


def test_an_overcurrent_is_a_fault_the_therapist_sees_and_it_comes_back(tmp_path):
    sc = scenario(tmp_path, """\
events:
  - {at: 0.5, action: touch, board: 0x5B, electrode: 2}
  - {at: 1.0, action: overcurrent, board: 0x5B}
  - {at: 2.0, action: touch, board: 0x5B, electrode: 4}
  - {at: 2.3, action: release, board: 0x5B, electrode: 4}
  - {at: 3.0, action: overcurrent_fixed, board: 0x5B}
  - {at: 3.2, action: release, board: 0x5B, electrode: 2}
  - {at: 5.0, action: touch, board: 0x5B, electrode: 4}
  - {at: 5.3, action: release, board: 0x5B, electrode: 4}
end: 6.0
""")
    sim = Simulation(sc, tmp_path / "out")
    summary = sim.run()
    assert [f.split(": ", 1)[1] for f in summary["faults"]] == [
        "board_overcurrent 0x5b", "board_recovered 0x5b"]
    faults = journal(summary["db"], ("fault", "note_on", "note_off"))
    assert [(k, d) for k, _, _, _, d in faults if k == "fault"] == [
        ("fault", "board_overcurrent"), ("fault", "board_recovered")]
    stopped = [(k, t) for k, t, *_ in faults]
    # the held note ends when the board stops; nothing sounds while it is stopped; after
    # the repair it plays again
    assert [k for k, t in stopped if 1.0e9 <= t < 1.01e9] == ["fault", "note_off"]
    assert not [t for k, t in stopped if k == "note_on" and 1.01e9 < t < 4e9]
    assert [k for k, t in stopped if t > 5e9] == ["note_on", "note_off"]
    # player 2's light flashes the fault pattern meanwhile (the others do not)
    p2 = [v for t, name, v in sim.station.lights.history if name == "p2" and 1e9 < t < 3e9]
    assert 0.0 in p2 and 1.0 in p2
    assert not [v for t, name, v in sim.station.lights.history
                if name == "p1" and 1e9 < t < 3e9 and v == 0.0]
