"""The timbre catalogue: names, errors, and every entry playing in Debian's TimGM6mb."""

from __future__ import annotations

import pytest

from station.core.errors import ConfigError, ProfileError
from station.sound.analysis import is_silent
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import (
    PERCUSSION_BANK,
    Timbre,
    load_catalogue,
    timbre,
    timbre_names,
)

REQUIRED = ["marimba", "soft_piano", "piano", "harp", "strings", "kalimba", "steel_drums", "choir",
            "vibraphone", "xylophone", "flute", "music_box", "celesta", "glockenspiel",
            "nylon_guitar", "pad_warm", "drums"]


@pytest.fixture(scope="module")
def synth():
    with Synth(find_soundfont("/usr/share/sounds/sf2/TimGM6mb.sf2")) as s:
        yield s


def test_required_timbres_are_in_the_catalogue():
    assert set(REQUIRED) <= set(timbre_names())


@pytest.mark.parametrize("spelling", ["soft_piano", "Soft Piano", "soft-piano", " SOFT  piano "])
def test_names_match_case_and_separators(spelling):
    assert timbre(spelling) == Timbre("soft_piano", 0, 4, False)


def test_drums_use_the_percussion_bank():
    drums = timbre("drums")
    assert drums.percussion and drums.bank == PERCUSSION_BANK
    assert not timbre("marimba").percussion and timbre("marimba").program == 12


def test_unknown_timbre_suggests_the_nearest_and_lists_choices():
    with pytest.raises(ProfileError) as info:
        timbre("marimbaa")
    message = str(info.value)
    assert "unknown timbre 'marimbaa': did you mean 'marimba'?" in message
    assert "choices:" in message and "soft_piano" in message


def test_catalogue_is_cached_but_returned_as_a_copy():
    first = load_catalogue()
    first.pop("marimba")
    assert "marimba" in load_catalogue()


@pytest.mark.parametrize("name", timbre_names())
def test_every_timbre_loads_and_sounds_in_timgm6mb(synth, name):
    chosen = timbre(name)
    synth.set_timbre(0, chosen)
    note = 38 if chosen.percussion else 64  # snare / E4
    synth.note_on(0, note, 100)
    assert not is_silent(synth.render(9600)), name
    synth.all_notes_off(immediate=True)
    synth.render(960)


@pytest.mark.parametrize("text, match", [
    ("timbres: {x: {program: 200}}", "program must be a whole number 0..127"),
    ("timbres: {x: {program: 1, percussion: true, bank: 0}}", "must use bank 128"),
    ("timbres: {x: {program: 1, colour: red}}", "unknown keys"),
    ("timbres: [1, 2]", "top-level 'timbres:'"),
    ("timbres:\n  x: {program: 1\n", r"\.yaml:\d+:\d+: YAML syntax error"),
])
def test_broken_catalogue_is_a_config_error(tmp_path, text, match):
    path = tmp_path / "timbres.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_catalogue(path)


def test_custom_catalogue_path(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("timbres:\n  Bell Tree: {program: 112}\n")
    assert timbre("bell tree", path) == Timbre("bell_tree", 0, 112, False)
