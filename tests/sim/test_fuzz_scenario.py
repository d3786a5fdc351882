"""Fuzzing scenarios: any edit of a valid scenario loads or is refused with a
ScenarioError naming the file and the line; a short one that loads also plays to the
end on the simulator (its refusals, like an unknown board, are plain errors too)."""

import yaml
from conftest import CONFIGS
from fuzz_strategies import EXAMPLES, FUZZ, LINE, YAMLISH, dump, edited, plain
from hypothesis import event, given, settings
from hypothesis import strategies as st

from station.core.errors import StationError
from station.sim.runner import simulate
from station.sim.scenario import load_scenario

DEMO = yaml.safe_load((CONFIGS / "scenarios" / "demo.yaml").read_text())
GROUP = yaml.safe_load((CONFIGS / "scenarios" / "group.yaml").read_text())


def short(data: dict) -> dict:
    """A few seconds of a shipped scenario, with its station config given by path."""
    out = dict(data, events=[e for e in data["events"] if e["at"] < 8][:14], end=9.0)
    out["station"] = str(CONFIGS / "scenarios" / data["station"]) if "station" in data \
        else str(CONFIGS / "station.yaml")
    return out


BASES = [short(DEMO), short(GROUP)]


@FUZZ
@given(data=edited(BASES[0], max_edits=3) | edited(BASES[1], max_edits=3))
def test_any_edit_of_a_scenario_loads_or_is_refused_with_its_line(tmp_path, data):
    path = tmp_path / "s.yaml"
    path.write_text(dump(data))
    try:
        load_scenario(path)
    except StationError as exc:      # a ScenarioError, or the station config it names
        assert plain(str(exc), path) or "station" in str(exc), str(exc)
        if isinstance(data, dict) and "problem(s) in this scenario" in str(exc):
            assert LINE.search(str(exc)), str(exc)


ARG = {
    "board": st.sampled_from([0x5A, 0x5B, 0x5C, 0x5D]),
    "electrode": st.integers(0, 11),
    "strength": st.floats(0.05, 1.0),
    "button": st.sampled_from(["next_turn", "all_quiet", "session", "next_client",
                               "p1_switch", "p2_switch", "p5_switch", "nope"]),
    "player": st.integers(1, 6),
    "client": st.sampled_from(["alex", "sam", "jo", "kim", "leader", "nobody", "ex-tremor",
                               "profiles/too-loud.yaml"]),
    "mode": st.sampled_from(["free", "round_robin", "therapist", "call_response"]),
    "name": st.sampled_from(["warm-up", "main", "", "x" * 50]),
    "text": st.sampled_from(["calm today", "", "x" * 3000]),
}


OTHER = st.sampled_from(["welcome", "goodbye", "drone", "pulse", "ostinato", "nope", 0,
                         60, 0.5, 120, "C", "minor", True, None])   # plans, backing, ...


@st.composite
def playable(draw):
    """A scenario that loads: random actions with plausible (not always fitting) args."""
    from station.sim.scenario import ACTIONS
    events = []
    for _ in range(draw(st.integers(1, 12))):
        action = draw(st.sampled_from(sorted(ACTIONS)))
        need, may = ACTIONS[action]
        keys = list(need) + [k for k in may if draw(st.booleans())]
        if action == "release" and not ({"board", "electrode"} <= set(keys)
                                        or "button" in keys):
            keys += ["board", "electrode"]
        event = {"at": round(draw(st.floats(0, 6)), 3), "action": action}
        event.update({k: draw(ARG.get(k, OTHER)) for k in keys})
        events.append(event)
    station = draw(st.sampled_from([CONFIGS / "station.yaml",
                                    CONFIGS / "scenarios" / "group-station.yaml"]))
    clients = draw(st.dictionaries(st.integers(1, 6), ARG["client"], max_size=3))
    return {"station": str(station), "clients": clients, "events": events, "end": 7.0}


@settings(FUZZ, max_examples=max(10, EXAMPLES // 4))
@given(data=playable())
def test_a_short_scenario_that_loads_plays_or_is_refused_plainly(tmp_path, data):
    path = tmp_path / "s.yaml"
    path.write_text(dump(data))
    try:
        scenario = load_scenario(path)
    except StationError:
        return
    if scenario.end_ns > 12_000_000_000:
        return                          # long ones only cost time, not coverage
    try:
        summary = simulate(scenario, tmp_path / "out")
        event("played")
    except StationError as exc:
        assert plain(str(exc), path) or str(scenario.station) in str(exc), str(exc)
        return
    assert summary["seconds"] == scenario.end_ns / 1e9


@FUZZ
@given(text=YAMLISH)
def test_yaml_shaped_garbage_is_not_a_scenario(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(text)
    try:
        load_scenario(path)
    except StationError as exc:
        assert plain(str(exc), path), str(exc)
