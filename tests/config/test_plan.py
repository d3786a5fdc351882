"""Session plans are validated like profiles: every problem with file:line, the key path
and what is allowed; did-you-mean; NaN refused; the JSON Schema and the key table are
generated from the same definitions and checked current; a plan is found by name only."""

import json

import jsonschema
import pytest
import yaml
from conftest import CONFIGS, write

from station.config.plan import check_fits, load_plan, load_plan_file, plan_names
from station.config.plan_docs import GUIDE_PATH, SCHEMA_PATH, render_guide, schema_json
from station.config.plan_schema import BACKING, PHASE, PLAN
from station.core.errors import PlanError

PLANS = CONFIGS / "plans"
SHIPPED = sorted(PLANS.glob("*.yaml"))


def problems_of(tmp_path, text):
    path = write(tmp_path / "p.yaml", text)
    with pytest.raises(PlanError) as err:
        load_plan_file(path)
    return err.value.problems


def test_the_standard_plan_has_the_usual_shape():
    plan = load_plan("standard", PLANS)
    assert plan.phase_names == ["welcome", "warm_up", "main", "reflection", "goodbye"]
    welcome, warm, main, reflection, _ = plan.phases
    assert welcome.for_player(1)["music"] == {"mode": "song", "song": "welcome"}
    assert welcome.for_player(4) == welcome.for_player(1), "all: every player"
    assert warm.backing["style"] == "drone" and main.backing["tempo"] == "follow"
    assert reflection.for_player(2)["echo"]["transpose"] == 12
    assert welcome.suggested_s == 180.0 and not welcome.auto


def test_every_problem_is_reported_with_its_line_key_and_what_is_allowed(tmp_path):
    found = problems_of(tmp_path, """\
name: Bad
phases:
  - name: welcome
    suggested_min: .nan
    players:
      1: {music: {mode: song, song: welcom}, echo: {gap_ms: 50, timbre: vibrafone}}
  - name: main
    auto: true
    backing: {style: pulse, tempo_bpm: 60, ramp_to_bpm: 90, ramp_s: 10, volum: 0.3}
  - name: main
    turns: round_robbin
    backing: {style: drone, tempo_bpm: 60}
  - name: end
    players: {7: {timbre: harp}}
""")
    text = "\n".join(found)
    assert len(found) == 11, text
    assert all(line.startswith(str(tmp_path / "p.yaml") + ":") for line in found)
    assert ":4: phases[0].suggested_min is nan" in text and "not a number" in text
    assert ":6: phases[0].players[1].echo.gap_ms is 50; it must be a whole number from 300 " \
           "to 5000 ms" in text
    assert "did you mean 'vibraphone'?" in text
    assert ":6: phases[0].players[1].music.song: unknown song 'welcom': did you mean " \
           "'welcome'?" in text
    assert ":8: phases[1].auto: a phase can end by itself only after a length" in text
    assert ":9: phases[1].backing.volum is not a known key (did you mean 'volume'?)" in text
    assert "ramp_s must be at least 30" in text
    assert ":10: phases[2].name: 'main' is also the name of phases[1]" in text
    assert ":11: phases[2].turns is 'round_robbin' (did you mean 'round_robin'?)" in text
    assert "a drone has no beat, so tempo_bpm cannot apply" in text
    assert "phases[3].players[7] is 7; it must be a whole number from 1 to 6 or one of all" \
        in text


@pytest.mark.parametrize("text, expected", [
    ("phases: []\n", "phases needs at least 1 entries"),
    ("name: X\n", "phases is missing"),
    ("phases:\n  - {name: a, backing: {tempo_bpm: 90}}\n", "phases[0].backing.style is "
     "missing"),
    ("phases:\n  - {name: a, backing: {style: pulse, ramp_to_bpm: 70}}\n",
     "ramp_to_bpm and ramp_s go together"),
    ("phases:\n  - {name: a, backing: {style: pulse, pattern: [0, 7]}}\n",
     "pattern is for style ostinato only"),
    ("phases:\n  - {name: a, backing: {style: pulse, tempo_bpm: .inf}}\n", "not a number"),
    ("phases:\n  - {name: a, backing: {style: pulse, key: H}}\n", "unknown key 'H'"),
    ("phases:\n  - {name: " + "x" * 41 + "}\n", "at most 40 characters"),
    ("phases:\n  - name: a\n    players: {1: {music: {mode: scales}}}\n",
     "did you mean 'scale'?"),
])
def test_single_mistakes(tmp_path, text, expected):
    assert expected in "\n".join(problems_of(tmp_path, text))


def test_file_problems_say_where(tmp_path):
    with pytest.raises(PlanError, match=r"p.yaml:3:\d+: YAML syntax error"):
        load_plan_file(write(tmp_path / "p.yaml", "phases:\n  - name: a\n - name: b\n"))
    with pytest.raises(PlanError, match="the session plan is empty"):
        load_plan_file(write(tmp_path / "e.yaml", "# nothing\n"))
    with pytest.raises(PlanError, match="must be 'key: value' lines"):
        load_plan_file(write(tmp_path / "l.yaml", "- a\n- b\n"))


def test_a_plan_is_found_by_name_never_by_path(tmp_path):
    write(tmp_path / "plans" / "short.yaml", "phases: [{name: only}]\n")
    folder = tmp_path / "plans"
    assert load_plan("short", folder).phase_names == ["only"]
    assert plan_names(folder) == ["short"]
    for bad in ("../plans/short", "short.yaml", "/etc/passwd", ".hidden", ""):
        with pytest.raises(PlanError, match="is not a plan name"):
            load_plan(bad, folder)
    with pytest.raises(PlanError, match="there is no plan 'shrot'.*did you mean 'short'"):
        load_plan("shrot", folder)


def test_a_plan_that_does_not_fit_the_station_is_refused(tmp_path):
    plan = load_plan_file(write(tmp_path / "p.yaml", """\
phases:
  - {name: a, players: {5: {timbre: harp}}}
  - {name: b, turns: call_response, backing: {style: pulse, follow_player: 6}}
"""))
    with pytest.raises(PlanError) as err:
        check_fits(plan, {1: "client", 2: "client", 3: "client", 4: "client"}, False)
    text = str(err.value)
    assert "phase 'a' sets player 5, but this station has players 1, 2, 3, 4" in text
    assert "follows player 6" in text and "call_response" in text
    check_fits(plan, dict.fromkeys(range(1, 7), "client"), True)   # fits a bigger station


def test_the_committed_schema_and_key_table_are_current():
    assert SCHEMA_PATH.read_text() == schema_json(), "run: python -m station.config.plan_docs"
    text = GUIDE_PATH.read_text()
    assert text == render_guide(text), "run: python -m station.config.plan_docs"
    for key in PLAN.fields:
        assert f"| `{key}` |" in text
    for key in PHASE.fields:
        assert f"| `phases[N].{key}` |" in text
    for key in BACKING.fields:
        assert f"| `phases[N].backing.{key}` |" in text
    assert "| `phases[N].players.P.echo.gap_ms` |" in text


def as_json(path):
    return json.loads(json.dumps(yaml.safe_load(path.read_text())))   # player keys: strings


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_plans_validate_against_the_schema_and_the_loader(path):
    jsonschema.validate(as_json(path), json.loads(SCHEMA_PATH.read_text()))
    load_plan_file(path)


def test_the_schema_refuses_what_the_loader_refuses(tmp_path):
    schema = json.loads(SCHEMA_PATH.read_text())
    for bad in ("phases: [{name: a, backing: {style: swing}}]\n",
                "phases: [{name: a, players: {9: {}}}]\n",
                "phases: [{name: a, bakcing: {style: drone}}]\n",
                "phases: [{name: a, players: {1: {echo: {volume: 1.0}}}}]\n"):
        path = write(tmp_path / "b.yaml", bad)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(as_json(path), schema)
        with pytest.raises(PlanError):
            load_plan_file(path)
