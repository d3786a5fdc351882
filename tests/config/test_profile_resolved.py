"""A profile is resolved when it is loaded: its motor filters per pad (PadRules), its
pad -> notes Mapping and its timbres; seating uses them as they are; and every default
lives in the profile schema alone (change one there and seating follows)."""

import ast
import dataclasses
from pathlib import Path

import pytest
from conftest import write

import station.access.rules as access_rules
import station.sound.mapping as sound_mapping
from station.access.rules import MS, PadRules
from station.config import profile_schema
from station.config.profile import load_profile
from station.config.profile_schema import MUSIC, TOUCH, defaults
from station.config.station import load_config
from station.engine.seat import Seat

ROOT = Path(__file__).resolve().parents[2]
# The modules that resolve or seat a profile: none may hold a default of its own.
CONSUMERS = ("station/access/rules.py", "station/access/chain.py", "station/access/pad.py",
             "station/access/chip.py", "station/sound/mapping.py", "station/config/profile.py",
             "station/engine/seat.py", "station/engine/plans.py")


def kim(tmp_path, text=""):
    return load_profile(write(tmp_path / "kim.yaml", "name: Kim\n" + text))


def seated(profile):
    seat = Seat(load_config().players[0])
    seat.take(profile, "c-00000001")
    return seat


def test_a_loaded_profile_carries_its_rules_mapping_and_timbres(tmp_path):
    p = kim(tmp_path, "sound: {per_pad: {2: {timbre: tubular_bells}}}\n"
                      "music: {key: D, scale: major, octave: 3}\n"
                      "touch: {dwell_ms: 80, hold: latch, long_touch_s: null,\n"
                      "        per_pad: {5: {dwell_ms: 0, sensitivity: 0.9}},\n"
                      "        pads: [0, 1, 5], groups: [[0, 1]]}\n")
    rules = p.resolved.rules
    assert rules.of(0) == PadRules(dwell_ns=80 * MS, grace_ns=0, retrigger_ns=0, hold="latch",
                                   note_ns=500 * MS, min_ns=0, max_ns=None, long_ns=None,
                                   sensitivity=0.5)
    assert rules.of(5) == dataclasses.replace(rules.of(0), dwell_ns=0, sensitivity=0.9)
    assert rules.enabled == frozenset({0, 1, 5}) and rules.groups == ((0, 1),)
    assert [p.resolved.mapping.notes_for(k) for k in range(3)] == [(50,), (52,), (54,)]
    assert p.resolved.timbre.name == "marimba"
    assert p.resolved.pad_timbres[2].name == "tubular_bells"


def test_seating_uses_the_loaded_values_without_resolving_again(tmp_path, monkeypatch):
    p = kim(tmp_path, "music: {mode: song, song: twinkle}\n"
                      "touch: {per_pad: {3: {retrigger_ms: 250}}}\n")

    def again(*args):
        raise AssertionError("seating resolved the profile again")
    monkeypatch.setattr(sound_mapping, "build_mapping", again)
    monkeypatch.setattr(access_rules, "resolve_touch", again)
    first, second = seated(p), seated(p)
    assert first.access.filter(3).rules is p.resolved.rules.of(3)
    assert first.access.filter(0).rules is p.resolved.rules.client
    assert first.timbre is p.resolved.timbre
    # song mode: each seat has its own place in the song over the one resolved table
    assert first.mapping.table is p.resolved.mapping.table
    step = first.mapping.notes_for(0)
    assert second.mapping.notes_for(0) == step and first.mapping.position == 1
    assert p.resolved.mapping.position == 0


@pytest.mark.parametrize("key, value, attribute, expected", [
    ("sensitivity", 0.3, "sensitivity", 0.3),
    ("dwell_ms", 120, "dwell_ns", 120 * MS),
    ("release_grace_ms", 60, "grace_ns", 60 * MS),
    ("retrigger_ms", 90, "retrigger_ns", 90 * MS),
    ("hold", "fixed", "hold", "fixed"),
    ("note_ms", 700, "note_ns", 700 * MS),
    ("min_note_ms", 40, "min_ns", 40 * MS),
    ("max_note_ms", 9000, "max_ns", 9000 * MS),
    ("long_touch_s", 12, "long_ns", 12_000 * MS),
])
def test_a_touch_default_changed_in_the_schema_is_what_seating_uses(
        tmp_path, monkeypatch, key, value, attribute, expected):
    field = TOUCH.fields[key]
    assert getattr(seated(kim(tmp_path)).access.filter(4).rules, attribute) != expected
    monkeypatch.setitem(TOUCH.fields, key, dataclasses.replace(field, default=value))
    p = kim(tmp_path, "touch: {per_pad: {4: {dwell_ms: 1}}}\n")
    assert getattr(seated(p).access.filter(0).rules, attribute) == expected
    if key != "dwell_ms":       # a per-pad key left out takes the client's (new) value
        assert getattr(seated(p).access.filter(4).rules, attribute) == expected


def test_music_and_timbre_defaults_changed_in_the_schema_are_what_seating_uses(
        tmp_path, monkeypatch):
    assert seated(kim(tmp_path)).mapping.notes_for(0) == (60,)      # C4
    for key, value in (("key", "D"), ("octave", 3), ("scale", "major")):
        monkeypatch.setitem(MUSIC.fields, key,
                            dataclasses.replace(MUSIC.fields[key], default=value))
    monkeypatch.setattr(profile_schema, "DEFAULT_TIMBRE", "harp")
    seat = seated(kim(tmp_path))
    assert [seat.mapping.notes_for(k) for k in range(3)] == [(50,), (52,), (54,)]
    assert seat.timbre.name == "harp"


def _constants(path: str) -> list:
    tree = ast.parse((ROOT / path).read_text())
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and not isinstance(n.value, bool)]


def test_the_defaults_appear_once_in_the_schema_and_nowhere_else():
    touch, music = defaults(TOUCH), defaults(MUSIC)
    distinctive = {v for v in (*touch.values(), *music.values(), profile_schema.DEFAULT_TIMBRE)
                   if isinstance(v, (int, float, str)) and not isinstance(v, bool)
                   and v not in (0, "all", "scale")}   # 0 is "off"; "scale" a mode's name
    assert {0.5, 500, 30, "momentary", "C", 4, "major_pentatonic", "marimba"} <= distinctive
    schema = _constants("station/config/profile_schema.py")
    for value in distinctive:
        assert value in schema, value
        for path in CONSUMERS:
            assert value not in _constants(path) or (path, value) in ALLOWED, (
                f"{path} holds the constant {value!r}, a default of the profile schema: "
                f"read it from the loaded profile instead")
    assert all(f.default is dataclasses.MISSING for f in dataclasses.fields(PadRules))


# A constant equal to a default but meaning something else: the hold mode "momentary"
# that pad.py releases on a lift; seat.py's quiet factor 0.5 and its lowest touch
# velocity 30.
ALLOWED = {("station/access/pad.py", "momentary"), ("station/engine/seat.py", 0.5),
           ("station/engine/seat.py", 30)}
