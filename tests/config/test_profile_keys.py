"""One declaration of the keys the panel may change (station.config.profile_keys): the
edit, the panel's values and its choices show the same names in the same order, with the
ranges of the profile schema."""

import re
from pathlib import Path

import pytest

from station.config.profile_edit import EDITABLE, check_changes, edit_profile
from station.config.profile_keys import EDITABLE_KEYS, choices
from station.config.profile_schema import PROFILE
from station.core.errors import ProfileError
from station.panel.clients import Clients
from station.sound.theory import KEYS

NAMES = [k.name for k in EDITABLE_KEYS]
STATIC = Path(__file__).resolve().parents[2] / "station" / "panel" / "static"


def test_every_key_names_a_key_of_the_profile_schema():
    assert NAMES == ["timbre", "volume", "key", "scale", "sensitivity", "dwell_ms",
                     "release_grace_ms", "retrigger_ms"]
    for k in EDITABLE_KEYS:
        assert k.key in PROFILE.fields[k.section].fields, k.name
        assert k.offer in ("timbres", "keys", "scales", "range")


def test_the_edit_and_the_panel_show_the_declared_names_in_order(tmp_path):
    (tmp_path / "kim.yaml").write_text("name: Kim\nsound: {timbre: harp}\n")
    clients = Clients(tmp_path, ("kim",), max_volume=0.8)
    detail = clients.detail("kim")
    assert list(EDITABLE) == NAMES
    assert list(detail["choices"]) == NAMES
    assert list(detail["settings"]) == NAMES
    assert detail["settings"]["timbre"] == "harp" and detail["settings"]["dwell_ms"] == 0


def test_ranges_come_from_the_schema_and_the_volume_from_the_station_cap():
    offered = choices(max_volume=0.8)
    touch = PROFILE.fields["touch"].fields
    assert offered["volume"] == {"min": 0.0, "max": 0.8, "units": "0..1"}
    assert offered["dwell_ms"] == {"min": touch["dwell_ms"].min, "max": touch["dwell_ms"].max,
                                   "units": "ms"}
    assert offered["key"] == list(KEYS) and "major_pentatonic" in offered["scale"]
    assert any(t["name"] == "marimba" for t in offered["timbre"])


def test_a_key_outside_the_declaration_is_refused_naming_the_declared_ones(tmp_path):
    with pytest.raises(ProfileError) as err:
        check_changes({"octave": 5})
    assert str(err.value) == ("'octave' cannot be changed here; the panel changes "
                              + ", ".join(NAMES) + ". Edit the file for the rest.")
    path = tmp_path / "kim.yaml"
    path.write_text("name: Kim\n")
    with pytest.raises(ProfileError, match="a whole number of ms"):
        edit_profile(path, {"retrigger_ms": 1.5})


def test_the_panel_script_lists_no_editable_key_by_hand():
    script = (STATIC / "panel.js").read_text()
    for line in script.splitlines():
        listed = re.findall(r'"(' + "|".join(NAMES) + r')"', line)
        assert len(listed) < 2, f"panel.js lists editable keys by hand: {line.strip()}"


def test_the_panel_form_has_an_input_for_every_declared_key():
    page = (STATIC / "index.html").read_text()
    form = page.split('<form id="settings-form">')[1].split("</form>")[0]
    named = re.findall(r'<(?:input|select) name="([a-z_]+)"', form)
    assert sorted(named) == sorted(NAMES), (
        "station/panel/static/index.html's settings form must have an input or select per "
        "key of station/config/profile_keys.py (laid out as the screen reads best)")
