"""The session key's pure parts, against values worked out by hand: songs moved degree by
degree, key: session resolved, clashes, and the scenario action's validation."""

import pytest
from conftest import write

from station.core.errors import ScenarioError
from station.sim.scenario import load_scenario
from station.sound.keys import SessionKey, clash, fit_steps, follow_music
from station.sound.mapping import build_mapping
from station.sound.songs import load_song

C, A, AM = SessionKey("C"), SessionKey("A"), SessionKey("A", "minor")


def test_songs_move_degree_by_degree_within_a_tritone():
    # C4 E4 G4 B4 in C major -> A: down three semitones (nearer than up nine)
    assert fit_steps(((60,), (64,), (67,), (71,)), C, A) == ((57,), (61,), (64,), (68,))
    # into A minor the third and the seventh turn minor: A3 C4 E4 G4
    assert fit_steps(((60,), (64,), (67,), (71,)), C, AM) == ((57,), (60,), (64,), (67,))
    assert fit_steps(((60, 64, 67),), C, SessionKey("F#")) == ((66, 70, 73),)   # up 6
    assert fit_steps(((61,),), C, A) == ((58,),)          # a chromatic note: by the roots
    song = load_song("welcome")
    assert song.key == ("C", "major")
    moved = build_mapping({"mode": "song", "song": "welcome", "key": "C", "octave": 4}, A)
    assert all(n % 12 in A.pitch_classes for step in moved.table for n in step)
    assert len([n for step in song.steps for n in step if n % 12 not in A.pitch_classes]) == 8


def test_key_session_takes_the_root_and_turns_a_major_scale_minor():
    music = {"mode": "scale", "key": "session", "scale": "major_pentatonic", "octave": 4}
    assert follow_music(music, None)["key"] == "C"
    assert follow_music(music, AM) == {**music, "key": "A", "scale": "minor_pentatonic"}
    assert follow_music(music, A)["scale"] == "major_pentatonic"
    assert follow_music({**music, "key": "D"}, A)["key"] == "D"      # its own key stays
    assert build_mapping(music, SessionKey("D")).notes_for(0) == (62,)


def test_a_clash_lists_the_notes_the_session_scale_lacks():
    sam = {"mode": "scale", "key": "C", "scale": "major"}
    assert clash(sam, SessionKey("E")) == ["C", "D", "F", "G"]
    assert clash(sam, C) == [] and clash(sam, None) == []
    assert clash({"mode": "song", "key": "C"}, A) == []
    with pytest.raises(ValueError, match="did you mean 'dorian'"):
        SessionKey.parse("D", "dorain")


def test_the_scenario_action_is_checked_like_a_plan(tmp_path):
    good = write(tmp_path / "ok.yaml", "events:\n  - {at: 1, action: session_key, root: A, "
                 "mode: minor}\n")
    assert load_scenario(good).steps[0].args == {"root": "A", "mode": "minor"}
    bad = write(tmp_path / "bad.yaml", "events:\n  - {at: 1, action: session_key, root: H, "
                "mode: mnor}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert "did you mean 'minor'" in str(err.value) and "'H'" in str(err.value)
