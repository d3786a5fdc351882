"""Panel edits of a client profile: comments kept, checked before writing, never lost."""

import os
import stat

import pytest
from conftest import CONFIGS

from station.config.profile import load_profile
from station.config.profile_edit import ProfileChanged, edit_profile, file_version
from station.core.errors import ProfileError

COMMENTED = """\
# Kim: first sessions, light touch.   <- the therapist's own words
name: Kim
sound:
  timbre: kalimba      # she smiled at this one
  volume: 0.5
music: {mode: scale, key: G, scale: major_pentatonic}   # G suits her voice
touch:
  dwell_ms: 80         # brushing was a problem in week 2
  per_pad:
    5: {sensitivity: 0.8}
"""


@pytest.fixture
def kim(tmp_path):
    path = tmp_path / "kim.yaml"
    path.write_text(COMMENTED)
    os.chmod(path, 0o640)
    return path


def test_an_edit_changes_the_values_and_keeps_every_comment(kim):
    profile = edit_profile(kim, {"volume": 0.35, "timbre": "harp", "key": "D",
                                 "dwell_ms": 150, "retrigger_ms": 120, "sensitivity": 0.6})
    text = kim.read_text()
    for comment in ("the therapist's own words", "she smiled at this one",
                    "G suits her voice", "brushing was a problem in week 2"):
        assert comment in text
    assert "timbre: harp" in text and "volume: 0.35" in text and "key: D" in text
    assert "dwell_ms: 150" in text and "5: {sensitivity: 0.8}" in text
    assert profile.version == file_version(kim.read_bytes())
    again = load_profile(kim)
    assert (again.sound["volume"], again.music["key"], again.touch["dwell_ms"],
            again.touch["retrigger_ms"], again.touch["sensitivity"]) == (0.35, "D", 150, 120, 0.6)
    assert again.touch["per_pad"][5]["sensitivity"] == 0.8
    assert stat.S_IMODE(os.stat(kim).st_mode) == 0o640          # the file's own permissions
    assert kim.with_name("kim.yaml.bak").read_text() == COMMENTED  # the previous version


def test_missing_sections_are_added(tmp_path):
    path = tmp_path / "jo.yaml"
    path.write_text("name: Jo   # only a name so far\n")
    edit_profile(path, {"release_grace_ms": 200})
    assert load_profile(path).touch["release_grace_ms"] == 200
    assert "# only a name so far" in path.read_text()


@pytest.mark.parametrize("changes, words", [
    ({"volume": 3}, "sound.volume is 3"),
    ({"timbre": "marimbaa"}, "did you mean 'marimba'"),
    ({"key": "H"}, "music"),
    ({"dwell_ms": -5}, "touch.dwell_ms is -5"),
])
def test_a_change_the_station_would_refuse_is_not_written(kim, changes, words):
    with pytest.raises(ProfileError) as e:
        edit_profile(kim, changes)
    assert words in str(e.value)
    assert kim.read_text() == COMMENTED and not kim.with_name("kim.yaml.bak").exists()


@pytest.mark.parametrize("changes, words", [
    ({}, "say what to change"),
    ({"octave": 5}, "cannot be changed here"),
    ({"volume": float("nan")}, "real number"),
    ({"volume": True}, "must be a number"),
    ({"dwell_ms": 1.5}, "whole number"),
    ({"timbre": ["harp"]}, "must be a timbre name"),
    ({"timbre": "x" * 80}, "1 to 64 characters"),
])
def test_the_shape_of_changes_is_checked_first(kim, changes, words):
    with pytest.raises(ProfileError, match=words):
        edit_profile(kim, changes)
    assert kim.read_text() == COMMENTED


def test_an_edit_made_meanwhile_is_never_overwritten(kim):
    seen = file_version(kim.read_bytes())
    kim.write_text(COMMENTED.replace("volume: 0.5", "volume: 0.4"))   # someone else's edit
    with pytest.raises(ProfileChanged, match="changed by someone else"):
        edit_profile(kim, {"volume": 0.3}, version=seen)
    assert "volume: 0.4" in kim.read_text()
    edit_profile(kim, {"volume": 0.3}, version=file_version(kim.read_bytes()))
    assert "volume: 0.3" in kim.read_text()


def test_a_broken_file_says_where_and_a_failed_write_loses_nothing(tmp_path, kim):
    broken = tmp_path / "sam.yaml"
    broken.write_text("name: Sam\nsound: [\n")
    with pytest.raises(ProfileError, match=r"sam.yaml:\d+"):
        edit_profile(broken, {"volume": 0.2})
    # The new file cannot be made (here: its temporary name is taken, as a read-only
    # folder would refuse it for the station's user): nothing changes.
    (tmp_path / f".kim.yaml.{os.getpid()}.tmp").mkdir()
    with pytest.raises(ProfileError, match="cannot write here"):
        edit_profile(kim, {"volume": 0.2})
    assert kim.read_text() == COMMENTED


def test_every_shipped_profile_survives_a_round_trip(tmp_path):
    for source in sorted((CONFIGS / "clients").glob("*.yaml")):
        path = tmp_path / source.name
        path.write_bytes(source.read_bytes())
        before = load_profile(path)
        after = edit_profile(path, {"volume": 0.25})
        assert after.sound["volume"] == 0.25
        assert (after.music, dict(after.touch)) == \
            (before.music, before.touch), source.name
        kept = [ln for ln in source.read_text().splitlines() if ln.lstrip().startswith("#")]
        assert all(ln.strip() in path.read_text() for ln in kept), source.name
