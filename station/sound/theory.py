"""Music theory for pads: note names, keys, scales, chords and General MIDI drums.

Pure functions of data (no FluidSynth). Notes are MIDI numbers 0..127 in scientific pitch:
C4 = 60 (middle C), A4 = 69. Octaves run -1..9 in note names; profile octaves are 0..8.
Every error is a ValueError whose message names the bad value and the allowed choices,
so the profile loader can prefix the key path and show it to a therapist unchanged.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

PITCH_CLASSES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
KEYS = ("C", "C#", "Db", "D", "D#", "Eb", "E", "F", "F#", "Gb", "G", "G#", "Ab", "A", "A#", "Bb",
        "B")
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")

SCALES: dict[str, tuple[int, ...]] = {
    "major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
    "harmonic_minor": (0, 2, 3, 5, 7, 8, 11), "melodic_minor": (0, 2, 3, 5, 7, 9, 11),
    "major_pentatonic": (0, 2, 4, 7, 9), "minor_pentatonic": (0, 3, 5, 7, 10),
    "blues": (0, 3, 5, 6, 7, 10), "major_blues": (0, 2, 3, 4, 7, 9),
    "whole_tone": (0, 2, 4, 6, 8, 10), "chromatic": tuple(range(12)),
    "ionian": (0, 2, 4, 5, 7, 9, 11), "dorian": (0, 2, 3, 5, 7, 9, 10),
    "phrygian": (0, 1, 3, 5, 7, 8, 10), "lydian": (0, 2, 4, 6, 7, 9, 11),
    "mixolydian": (0, 2, 4, 5, 7, 9, 10), "aeolian": (0, 2, 3, 5, 7, 8, 10),
    "locrian": (0, 1, 3, 5, 6, 8, 10),
    "suspended_pentatonic": (0, 2, 5, 7, 10),  # "Egyptian": no third, so never sounds sad/happy
    "hirajoshi": (0, 2, 3, 7, 8), "major_triad": (0, 4, 7), "minor_triad": (0, 3, 7),
}
SCALE_ALIASES = {"natural_minor": "minor", "pentatonic": "major_pentatonic",
                 "minor_blues": "blues", "egyptian": "suspended_pentatonic"}

GM_DRUMS: dict[str, int] = {
    "kick": 36, "bass_drum": 36, "acoustic_kick": 35, "rim": 37, "side_stick": 37, "snare": 38,
    "clap": 39, "electric_snare": 40, "low_floor_tom": 41, "closed_hat": 42,
    "high_floor_tom": 43, "pedal_hat": 44, "low_tom": 45, "open_hat": 46, "mid_tom": 47,
    "high_mid_tom": 48, "crash": 49, "high_tom": 50, "ride": 51, "china": 52, "ride_bell": 53,
    "tambourine": 54, "splash": 55, "cowbell": 56, "crash_2": 57, "vibraslap": 58,
    "ride_2": 59, "high_bongo": 60, "bongo": 60, "low_bongo": 61, "mute_conga": 62,
    "high_conga": 63, "conga": 63, "low_conga": 64, "high_timbale": 65, "low_timbale": 66,
    "high_agogo": 67, "low_agogo": 68, "cabasa": 69, "maracas": 70, "shaker": 70,
    "short_whistle": 71, "long_whistle": 72, "short_guiro": 73, "long_guiro": 74,
    "claves": 75, "wood_block": 76, "high_wood_block": 76, "low_wood_block": 77,
    "mute_cuica": 78, "open_cuica": 79, "mute_triangle": 80, "triangle": 81,
    "open_triangle": 81,
}
DEFAULT_DRUMS = ("kick", "snare", "closed_hat", "open_hat", "low_tom", "high_tom", "crash",
                 "tambourine", "cowbell", "clap", "shaker", "triangle")
DEFAULT_CHORDS = ("I", "IV", "V", "vi")
DEFAULT_SONG = "welcome"        # song mode without a song
MODES = ("scale", "chords", "notes", "drums", "song")

_NOTE_RE = re.compile(r"^\s*([A-Ga-g])([#b]?)(-?\d)\s*$")
_NUMERAL_RE = re.compile(r"^([b#]?)(VII|VI|IV|V|III|II|I|vii|vi|iv|v|iii|ii|i)"
                         r"(°|o|dim|\+|aug)?(maj7|7|ø7)?$")
_ROMAN = {"i": 0, "ii": 1, "iii": 2, "iv": 3, "v": 4, "vi": 5, "vii": 6}


def normalise(name: object) -> str:
    """Lower case with runs of spaces/hyphens/underscores -> '_' ("Major Pentatonic" -> ...)."""
    return re.sub(r"[\s\-_]+", "_", str(name).strip().lower()).strip("_")


def choose(value: object, choices: Iterable[str], what: str) -> str:
    """Return normalised ``value`` if it is one of ``choices``, else a did-you-mean ValueError."""
    options = list(choices)
    key = normalise(value)
    if key in options:
        return key
    close = difflib.get_close_matches(key, options, n=1, cutoff=0.6)
    hint = f" did you mean '{close[0]}'?" if close else ""
    raise ValueError(f"unknown {what} '{value}':{hint} choices: {', '.join(options)}")


def parse_note(name: str | int) -> int:
    """MIDI number of a note name like "C4" (60), "A4" (69), "F#3", "Bb2", "c#5".

    An int 0..127 is accepted as already a MIDI number. Raises ValueError otherwise.
    """
    if isinstance(name, int) and not isinstance(name, bool):
        if 0 <= name <= 127:
            return name
        raise ValueError(f"MIDI note {name} is out of range 0..127")
    match = _NOTE_RE.match(str(name))
    if not match:
        raise ValueError(f"'{name}' is not a note name: use a letter A-G, optional # or b, "
                         "and an octave, like C4, F#3 or Bb2 (C4 is middle C)")
    letter, accidental, octave = match.groups()
    number = 12 * (int(octave) + 1) + PITCH_CLASSES[letter.upper()] + \
        {"#": 1, "b": -1, "": 0}[accidental]
    if not 0 <= number <= 127:
        raise ValueError(f"note '{name}' is outside the MIDI range C-1..G9 (0..127)")
    return number


def note_name(number: int) -> str:
    """Scientific name of MIDI note ``number`` (0..127) using sharps: 60 -> "C4", 70 -> "A#4"."""
    if not 0 <= number <= 127:
        raise ValueError(f"MIDI note {number} is out of range 0..127")
    return f"{SHARP_NAMES[number % 12]}{number // 12 - 1}"


def key_pitch_class(key: str) -> int:
    """Pitch class 0..11 of a key name like "A", "F#", "Bb" (case-insensitive letter)."""
    match = re.match(r"^\s*([A-Ga-g])([#b]?)\s*$", str(key))
    if not match:
        raise ValueError(f"unknown key '{key}': choices: {', '.join(KEYS)}")
    return (PITCH_CLASSES[match.group(1).upper()] + {"#": 1, "b": -1, "": 0}[match.group(2)]) % 12


def scale_steps(scale: str | Iterable[int]) -> tuple[int, ...]:
    """Semitone offsets of a named scale, or a validated custom list like [0, 2, 5, 7, 9].

    A custom scale needs distinct whole numbers 0..11 in increasing order.
    """
    if isinstance(scale, str):
        key = SCALE_ALIASES.get(normalise(scale), normalise(scale))
        if key not in SCALES:
            choose(scale, [*SCALES, *SCALE_ALIASES], "scale")  # raises with did-you-mean
        return SCALES[key]
    steps = tuple(scale)
    if not steps or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s <= 11
                            for s in steps) or list(steps) != sorted(set(steps)):
        raise ValueError(f"custom scale {list(steps)} must be increasing whole numbers 0..11 "
                         "(semitones above the key), like [0, 2, 4, 7, 9]")
    return steps


def chord_notes(numeral: str, key: str = "C", octave: int = 4) -> tuple[int, ...]:
    """MIDI notes of a roman-numeral chord in a major key, folded into one octave.

    Upper case = major triad (IV), lower case = minor (vi), ° / o / dim = diminished
    (vii°), + / aug = augmented; a b/# prefix borrows a chord (bVII). Sevenths: V7
    (dominant), ii7 (minor 7th), Imaj7, vii°7 (diminished 7th), viiø7 (half-diminished).
    Every chord tone is folded into [root of key in ``octave``, +12), so all chords sit
    in one register and neighbouring chords share notes: in C4, V -> D4 G4 B4.
    """
    match = _NUMERAL_RE.match(str(numeral).strip())
    if not match:
        raise ValueError(f"unknown chord '{numeral}': use roman numerals in the key such as "
                         "I ii iii IV V vi vii° (add 7 or maj7 for sevenths; b for borrowed, "
                         "as in bVII)")
    accidental, roman, quality, seventh = match.groups()
    base = key_root(key, octave)
    root = SCALES["major"][_ROMAN[roman.lower()]] + {"b": -1, "#": 1, "": 0}[accidental]
    if quality in ("°", "o", "dim") or seventh == "ø7":
        triad = (0, 3, 6)
    elif quality in ("+", "aug"):
        triad = (0, 4, 8)
    else:
        triad = (0, 4, 7) if roman.isupper() else (0, 3, 7)
    extra = {None: (), "maj7": (11,), "ø7": (10,),
             "7": (9,) if triad == (0, 3, 6) else (10,)}[seventh]
    folded = {base + (root + step) % 12 for step in (*triad, *extra)}
    if max(folded) > 127:
        raise ValueError(f"chord '{numeral}' in {key}{octave} goes above MIDI note 127")
    return tuple(sorted(folded))


def key_root(key: str, octave: object) -> int:
    if not isinstance(octave, int) or isinstance(octave, bool) or not 0 <= octave <= 8:
        raise ValueError(f"octave must be a whole number 0..8 (4 is the middle), got {octave!r}")
    return 12 * (octave + 1) + key_pitch_class(key)  # at most B8 = 119


def drum_note(name: str | int) -> int:
    """General MIDI percussion note of a drum name ("kick" -> 36) or a MIDI number 0..127."""
    if isinstance(name, int) and not isinstance(name, bool):
        return parse_note(name)
    return GM_DRUMS[choose(name, GM_DRUMS, "drum")]
