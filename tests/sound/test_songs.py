"""Song files: the shipped songs load, and broken files name the file and the step."""

from __future__ import annotations

import pytest

from station.sound.songs import Song, load_song, song_names


def test_shipped_songs():
    assert {"welcome", "twinkle", "goodbye"} <= set(song_names())
    for name in song_names():
        song = load_song(name)
        assert isinstance(song, Song) and song.steps and len(song.beats) == len(song.steps)
        assert all(all(0 <= n <= 127 for n in step) and step for step in song.steps)
        assert 3 < song.duration_s < 60, "short enough for a session"


def test_twinkle_opens_with_c_c_g_g_a_a_g():
    song = load_song("twinkle")
    assert [s[0] for s in song.steps[:7]] == [60, 60, 67, 67, 69, 69, 67]
    assert song.beats[6] == 2.0 and song.step_seconds(0) == pytest.approx(60 / song.tempo_bpm)


def test_chords_are_sorted_tuples():
    assert load_song("welcome").steps[-1] == (60, 64, 67)


def test_load_by_path_and_forgiving_name(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("steps: [C4, [E4, G4], {notes: A4, beats: 0.5}]\n")
    song = load_song(path)
    assert song.name == "mine" and song.steps == ((60,), (64, 67), (69,))
    assert song.beats == (1.0, 1.0, 0.5)
    assert load_song("Hot Cross Buns").name == "Hot Cross Buns"


@pytest.mark.parametrize("text, match", [
    ("steps: [C4, H4]", r"step 1: 'H4' is not a note name"),
    ("steps: [C4, {notes: D4, beats: 0}]", r"step 1: beats must be a number above 0"),
    ("steps: [{beats: 2}]", r"step 0: a step mapping needs 'notes'"),
    ("steps: [C4, []]", r"step 1: a chord needs at least one note"),
    ("steps: []", "'steps' must be a non-empty list"),
    ("name: x\ntempo: 5\nsteps: [C4]", "tempo must be 20..300"),
    ("name: x\nlyrics: la\nsteps: [C4]", "unknown keys"),
    ("steps: [C4\n", r"\.yaml:\d+:\d+: YAML syntax error"),
])
def test_broken_song_names_file_and_step(tmp_path, text, match):
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match) as info:
        load_song(path)
    assert str(path) in str(info.value)


def test_unknown_song_suggests_and_missing_path_is_plain(tmp_path):
    with pytest.raises(ValueError, match="did you mean 'goodbye'"):
        load_song("goodby")
    with pytest.raises(ValueError, match="does not exist"):
        load_song(tmp_path / "gone.yaml")
