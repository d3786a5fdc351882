"""Panel edits of a client profile: comments kept, checked before writing, never lost."""

import os
import stat

import pytest
from conftest import CONFIGS

from station.config import profile_edit
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


def test_a_broken_file_says_where_and_a_failed_write_loses_nothing(tmp_path, kim, monkeypatch):
    broken = tmp_path / "sam.yaml"
    broken.write_text("name: Sam\nsound: [\n")
    with pytest.raises(ProfileError, match=r"sam.yaml:\d+"):
        edit_profile(broken, {"volume": 0.2})
    # The new file cannot be made (here: its temporary name is taken, as a read-only
    # folder would refuse it for the station's user): nothing changes.
    taken = tmp_path / ".kim.yaml.taken.tmp"
    taken.mkdir()
    monkeypatch.setattr(profile_edit, "temp_name", lambda path: taken)
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


# -- concurrent edits, owner and layout (issue 23) ----------------------------------------------
import threading  # noqa: E402

WITH_GOALS = """\
# Lee: started in March.
name: Lee
sound: {timbre: kalimba, volume: 0.6}   # soft
music:
    key: G        # four-space indents, as her therapist types them
    scale: major_pentatonic
goals:
    -   id: wait
        text: Waits for their turn in the group, even when the others
            play loudly and the room is busy
        metric: suppressed_pct
        direction: lower
    - id: reply
      text: >-
        Answers the therapist's call
        within a few seconds
      metric: response_latency_median_s
      direction: lower
consent: {date: 2024-01-15, journal: true, audio: true, research_export: true}
"""


def test_two_tablets_saving_one_version_exactly_one_wins(kim):
    seen = file_version(kim.read_bytes())
    start = threading.Barrier(8)
    results = []

    def save(volume):
        start.wait()
        try:
            edit_profile(kim, {"volume": volume}, version=seen)
            results.append(("saved", volume))
        except ProfileChanged as exc:
            results.append(("409", exc))
        except Exception as exc:                       # "File exists" before the fix
            results.append(("error", exc))
    threads = [threading.Thread(target=save, args=(0.1 + i / 100,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    saved = [v for kind, v in results if kind == "saved"]
    assert len(saved) == 1 and len([r for r in results if r[0] == "409"]) == 7, results
    assert load_profile(kim).sound["volume"] == saved[0]
    refused = next(exc for kind, exc in results if kind == "409")
    assert refused.current == {"volume": saved[0]} and f"volume {saved[0]}" in str(refused)
    assert refused.version == file_version(kim.read_bytes())
    assert not list(kim.parent.glob(".*.tmp"))


def test_an_edit_keeps_the_files_owner_group_and_mode(kim):
    if os.geteuid() != 0:
        pytest.skip("only root can give the file another owner to keep")
    os.chown(kim, 1234, 5678)
    os.chmod(kim, 0o664)
    edit_profile(kim, {"volume": 0.3})
    st = os.stat(kim)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 5678, 0o664)
    backup = os.stat(kim.with_name("kim.yaml.bak"))
    assert (backup.st_uid, backup.st_gid) == (1234, 5678)


def test_an_edit_keeps_the_layout_of_goals_and_wrapped_lines(tmp_path):
    path = tmp_path / "lee.yaml"
    path.write_text(WITH_GOALS)
    edit_profile(path, {"volume": 0.35, "timbre": "harp", "scale": "major"})
    expected = WITH_GOALS.replace("{timbre: kalimba, volume: 0.6}",
                                  "{timbre: harp, volume: 0.35}") \
        .replace("scale: major_pentatonic", "scale: major")
    assert path.read_text() == expected
    profile = load_profile(path)
    assert profile.sound["volume"] == 0.35 and [g["id"] for g in profile.goals] == ["wait", "reply"]


def test_a_key_the_file_lacks_is_added_in_its_own_indentation(tmp_path):
    path = tmp_path / "lee.yaml"
    path.write_text(WITH_GOALS)
    edit_profile(path, {"dwell_ms": 90, "key": "D"})
    text = path.read_text()
    assert "    key: D        # four-space indents" in text
    assert text.count("\n") == WITH_GOALS.count("\n") + 2        # touch: and dwell_ms: only
    assert "play loudly and the room is busy" in text and "-   id: wait" in text
    assert load_profile(path).touch["dwell_ms"] == 90
