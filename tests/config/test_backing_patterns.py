"""Backing pattern files are validated like plans: file, line, key, what is wrong and a
did-you-mean; and the backing settings that name a pattern are checked too."""

import pytest
from conftest import CONFIGS, write

from station.config.backing_patterns import load_pattern, load_pattern_file, pattern_names
from station.config.plan_schema import BACKING
from station.core.errors import PlanError
from station.core.schema import validate


def problems_of(tmp_path, text):
    path = write(tmp_path / "bad.yaml", text)
    with pytest.raises(PlanError) as err:
        load_pattern_file(path)
    return path, str(err.value), err.value.problems


def test_the_shipped_patterns_are_valid():
    names = pattern_names(CONFIGS / "backings")
    assert len(names) >= 8
    for name in names:
        assert load_pattern(name, CONFIGS / "backings")["id"] == name


def test_a_misspelt_key_and_timbre_name_their_line_and_the_likely_word(tmp_path):
    path, text, problems = problems_of(tmp_path, "style: progression\n"
                                       "practice: holding\n"
                                       "chords: [I, IV, V, I]\n"
                                       "timbre: marimbaa\n"
                                       "strke: [1, 3]\n")
    assert str(path) in text
    assert any(p.startswith(f"{path}:4: timbre") and "did you mean 'marimba'" in p
               for p in problems), problems
    assert any(p.startswith(f"{path}:5: ") and "strke" in p and "strike" in p
               for p in problems), problems


def test_a_chord_that_is_not_a_numeral_and_a_bad_note(tmp_path):
    path, _, problems = problems_of(tmp_path, "style: call\npractice: dialogue\nphrases:\n"
                                    "  - [[1, 1], [2]]\n")
    assert any(p.startswith(f"{path}:4: phrases[0][1]") for p in problems), problems
    path, _, problems = problems_of(tmp_path, "style: progression\npractice: x\n"
                                    "chords: [I, IIII]\n")
    assert any(p.startswith(f"{path}:3: chords[1]") and "roman numeral" in p
               for p in problems), problems


def test_rules_between_keys_say_what_to_change(tmp_path):
    _, _, problems = problems_of(tmp_path, "style: bass\npractice: grounding\n"
                                 "chords: [I, V]\nline: [1, 5, 8]\n")
    assert any("one step per beat" in p for p in problems), problems
    _, _, problems = problems_of(tmp_path, "style: call\npractice: x\n")
    assert any("needs phrases" in p for p in problems), problems
    _, _, problems = problems_of(tmp_path, "style: progression\npractice: x\n"
                                 "chords: [I]\nline: [1, 5, 1, 5]\n")
    assert any("line is not for a progression" in p for p in problems), problems
    _, _, problems = problems_of(tmp_path, "stlye: call\n")
    assert any("style" in p for p in problems), problems


def test_a_missing_pattern_or_another_style_is_refused_in_plain_words():
    with pytest.raises(PlanError, match="did you mean 'pop_four'"):
        load_pattern("pop_fuor", CONFIGS / "backings")
    with pytest.raises(PlanError, match="is a call pattern, not progression: use style: call"):
        load_pattern("call_steps", CONFIGS / "backings", "progression")
    with pytest.raises(PlanError, match="no backing pattern"):
        load_pattern("../plans/standard", CONFIGS / "backings")


@pytest.mark.parametrize("args,words", [
    ({"style": "progression"}, "name it, like pattern: cadence"),
    ({"style": "pulse", "pattern": "cadence"}, "for style progression, bass or call"),
    ({"style": "call", "pattern": [0, 7]}, "name it"),
    ({"style": "bass", "pattern": "root fifth"}, "it must be a list"),
])
def test_backing_settings_that_name_a_pattern(args, words):
    problems = []
    validate(args, BACKING, ("backing",), problems)
    assert any(words in msg for _, msg in problems), problems


def test_backing_settings_with_a_pattern_and_meet_bars_validate():
    problems = []
    out = validate({"style": "call", "pattern": "call_steps", "meet_bars": 4}, BACKING,
                   ("backing",), problems)
    assert problems == [] and out["pattern"] == "call_steps" and out["meet_bars"] == 4
