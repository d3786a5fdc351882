"""Music theory and the pad -> notes Mapping: tables, errors, and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from station.config.profile_schema import MUSIC, defaults
from station.sound.mapping import build_mapping as build_resolved
from station.sound.theory import (
    DEFAULT_DRUMS,
    GM_DRUMS,
    KEYS,
    SCALES,
    chord_notes,
    key_pitch_class,
    note_name,
    parse_note,
    scale_steps,
)


@pytest.mark.parametrize("name, number", [("C4", 60), ("A4", 69), ("F#3", 54), ("Bb2", 46),
                                          ("c#5", 73), ("C-1", 0), ("G9", 127), ("Cb4", 59),
                                          (" e4 ", 64), (72, 72)])
def test_parse_note(name, number):
    assert parse_note(name) == number


@pytest.mark.parametrize("bad", ["H4", "C", "C#", "4", "", "C44", "G#9", "Cb-1", "Ebb4", 128, -1])
def test_parse_note_rejects_with_plain_words(bad):
    with pytest.raises(ValueError, match=r"note|MIDI"):
        parse_note(bad)


@given(st.integers(0, 127))
def test_note_name_round_trips(number):
    assert parse_note(note_name(number)) == number


def test_note_names():
    assert [note_name(n) for n in (60, 69, 61, 0, 127)] == ["C4", "A4", "C#4", "C-1", "G9"]
    with pytest.raises(ValueError):
        note_name(128)


def test_every_key_name_is_understood():
    assert [key_pitch_class(k) for k in ("C", "C#", "Db", "Bb", "B", "b")] == [0, 1, 1, 10, 11, 11]
    assert all(0 <= key_pitch_class(k) < 12 for k in KEYS)


def test_a_major_pentatonic_octave_4():
    m = build_mapping({"mode": "scale", "key": "A", "scale": "major_pentatonic", "octave": 4})
    assert [m.notes_for(p) for p in range(7)] == [(69,), (71,), (73,), (76,), (78,), (81,), (83,)]


def test_scale_names_are_forgiving_and_custom_scales_work():
    m = build_mapping({"mode": "scale", "key": "C", "scale": "Minor Pentatonic", "octave": 3})
    assert [m.notes_for(p)[0] for p in range(6)] == [48, 51, 53, 55, 58, 60]
    custom = build_mapping({"mode": "scale", "key": "D", "scale": [0, 2, 5, 7, 9]})
    assert [custom.notes_for(p)[0] for p in range(6)] == [62, 64, 67, 69, 71, 74]
    assert scale_steps("natural minor") == SCALES["minor"] == SCALES["aeolian"]


def test_scale_pads_above_midi_127_are_silent():
    m = build_mapping({"mode": "scale", "key": "C", "scale": "chromatic", "octave": 8})
    assert m.notes_for(19) == (127,) and m.notes_for(20) == ()


@pytest.mark.parametrize("music, match", [
    ({"mode": "scale", "scale": "majr"}, "did you mean 'major'"),
    ({"mode": "scale", "scale": [0, 4, 2]}, r"custom scale \[0, 4, 2\]"),
    ({"mode": "scale", "scale": [0, 12]}, "0..11"),
    ({"mode": "scale", "octave": 9}, "octave must be a whole number 0..8"),
    ({"mode": "scale", "key": "H"}, "unknown key 'H'"),
    ({"mode": "chords", "key": "B", "octave": 8, "chords": ["V"]}, "above MIDI note 127"),
    ({"mode": "chord"}, "did you mean 'chords'"),
    ({"mode": "chords", "chords": ["I", "IX"]}, "unknown chord 'IX'"),
    ({"mode": "chords", "chords": []}, "non-empty list"),
    ({"mode": "notes", "notes": ["C4", "H2"]}, "'H2' is not a note name"),
    ({"mode": "notes"}, "'notes' must be a non-empty list"),
    ({"mode": "drums", "drums": ["kik"]}, "did you mean 'kick'"),
])
def test_bad_music_raises_value_error_naming_the_value(music, match):
    with pytest.raises(ValueError, match=match):
        build_mapping(music)


def build_mapping(music: dict):
    """As a loaded profile resolves its music: keys left out take the schema's defaults."""
    return build_resolved({**defaults(MUSIC), **music})


def test_a_mapping_needs_the_resolved_keys_it_has_no_defaults_of_its_own():
    with pytest.raises(KeyError):
        build_resolved({"mode": "scale"})


def test_default_chords_in_c():
    m = build_mapping({"mode": "chords", "key": "C", "octave": 4})
    assert [m.notes_for(p) for p in range(5)] == [(60, 64, 67), (60, 65, 69), (62, 67, 71),
                                                 (60, 64, 69), (60, 64, 67)]  # pad 4 wraps


@pytest.mark.parametrize("numeral, notes", [
    ("ii", (62, 65, 69)), ("iii", (64, 67, 71)), ("vii°", (62, 65, 71)), ("viio", (62, 65, 71)),
    ("V7", (62, 65, 67, 71)), ("Imaj7", (60, 64, 67, 71)), ("ii7", (60, 62, 65, 69)),
    ("vii°7", (62, 65, 68, 71)), ("viiø7", (62, 65, 69, 71)), ("bVII", (62, 65, 70)),
    ("I+", (60, 64, 68)), ("iv", (60, 65, 68)),
])
def test_chord_numerals_in_c(numeral, notes):
    assert chord_notes(numeral, "C", 4) == notes


def test_chords_follow_the_key():
    assert chord_notes("I", "G", 3) == (55, 59, 62)
    assert chord_notes("V", "G", 3) == (57, 62, 66)  # D major folded into G3..F#4


def test_notes_mode_explicit_and_silent_beyond_the_list():
    m = build_mapping({"mode": "notes", "notes": ["D4", "F#3", "A4", ["C4", "E4"], 50]})
    assert [m.notes_for(p) for p in range(6)] == [(62,), (54,), (69,), (60, 64), (50,), ()]


def test_drums_mode_names_defaults_and_wrap():
    m = build_mapping({"mode": "drums", "drums": ["kick", "snare", "closed_hat", "Open Hat"]})
    assert [m.notes_for(p) for p in range(5)] == [(36,), (38,), (42,), (46,), (36,)]
    default = build_mapping({"mode": "drums"})
    assert default.notes_for(0) == (36,) and len(default.table) == len(DEFAULT_DRUMS)
    assert GM_DRUMS["shaker"] == GM_DRUMS["maracas"] == 70 and GM_DRUMS["crash"] == 49


def test_song_mode_steps_on_any_pad_wraps_and_resets():
    m = build_mapping({"mode": "song", "song": "twinkle"})
    played = [m.notes_for(pad) for pad in (0, 5, 11, 2)]
    assert played == [(60,), (60,), (67,), (67,)]
    assert m.position == 4
    m.reset()
    assert m.notes_for(3) == (60,)
    m.reset()
    song_length = len(m.table)
    for _ in range(song_length):
        m.notes_for(0)
    assert m.position == 0 and m.notes_for(0) == (60,)


def test_negative_pad_is_refused():
    with pytest.raises(ValueError):
        build_mapping({"mode": "scale"}).notes_for(-1)


scale_choice = st.one_of(st.sampled_from(sorted(SCALES)),
                         st.sets(st.integers(0, 11), min_size=1).map(sorted))


@given(scale=scale_choice, key=st.sampled_from(KEYS), octave=st.integers(0, 7))
def test_scale_mapping_is_strictly_increasing_and_in_midi_range(scale, key, octave):
    m = build_mapping({"mode": "scale", "key": key, "scale": scale, "octave": octave})
    notes = [m.notes_for(p) for p in range(48)]
    defined = [n[0] for n in notes if n]
    assert all(0 <= n <= 127 for n in defined)
    assert all(a < b for a, b in zip(defined, defined[1:]))
    # once a pad is silent (above 127), every higher pad is silent too
    assert notes[len(defined):] == [()] * (48 - len(defined))
    assert defined[0] == 12 * (octave + 1) + key_pitch_class(key) + scale_steps(scale)[0]


@given(numeral=st.sampled_from(["I", "ii", "iii", "IV", "V", "vi", "vii°", "V7", "ii7", "bVII"]),
       key=st.sampled_from(KEYS), octave=st.integers(0, 7))
def test_chords_sit_within_one_octave_above_the_key_root(numeral, key, octave):
    root = 12 * (octave + 1) + key_pitch_class(key)
    notes = chord_notes(numeral, key, octave)
    assert 3 <= len(notes) <= 4 and all(root <= n < root + 12 for n in notes)
