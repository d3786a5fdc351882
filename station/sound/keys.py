"""One session key: the key and mode the whole session plays in, and what follows it.

A plan phase (``key: {root: A, mode: major}``), a scenario's ``session_key`` action or the
therapist on the panel sets it. The backing plays in it; a song that says which key it
was written in (``key: C``, ``mode: major`` in the song file) is moved into it degree by
degree (a major song in A minor keeps its tune, with the minor's thirds and sixths); a
profile whose music says ``key: session`` plays in it. ``clash`` tells whether a client's
own scale has notes the session's scale lacks (sam's F in C against an A major drone).

Pure functions of data. Keys are note names (C, F#, Bb...), modes are the scales of
station.sound.theory with seven notes (major, minor, dorian, mixolydian...).
"""

from __future__ import annotations

from dataclasses import dataclass

from station.sound.theory import SCALES, choose, key_pitch_class, normalise, scale_steps

MODES = tuple(name for name, steps in SCALES.items() if len(steps) == 7)
PARALLEL = {"major": "minor", "minor": "major", "major_pentatonic": "minor_pentatonic",
            "minor_pentatonic": "major_pentatonic", "ionian": "aeolian", "aeolian": "ionian",
            "major_triad": "minor_triad", "minor_triad": "major_triad"}
MINORISH = {"minor", "aeolian", "dorian", "phrygian", "locrian", "harmonic_minor",
            "melodic_minor"}


@dataclass(frozen=True)
class SessionKey:
    """``root``: a key name (C..B); ``mode``: one of ``MODES``."""

    root: str
    mode: str = "major"

    @classmethod
    def parse(cls, root: object, mode: object = "major") -> SessionKey:
        """Validated; ValueError naming the bad value with did-you-mean."""
        key_pitch_class(str(root))                             # raises for a bad name
        return cls(str(root).strip(), choose(mode or "major", MODES, "mode"))

    @property
    def pitch_class(self) -> int:
        return key_pitch_class(self.root)

    @property
    def pitch_classes(self) -> frozenset[int]:
        return frozenset((self.pitch_class + s) % 12 for s in SCALES[self.mode])

    def words(self) -> str:
        return f"{self.root} {self.mode.replace('_', ' ')}"


def follow_music(music: dict, key: SessionKey | None) -> dict:
    """A ``music:`` section with ``key: session`` resolved: the session's root, and a
    major-family scale turned to its parallel when the session is minor (and back).
    Without a session key, ``session`` plays in C (as a profile without a key)."""
    if str(music.get("key", "")).strip().lower() != "session":
        return dict(music)
    if key is None:
        return {**music, "key": "C"}
    scale = music.get("scale")
    if isinstance(scale, str):
        name = normalise(scale)
        minor = key.mode in MINORISH
        if name in PARALLEL and (name.startswith("minor") or name == "aeolian") != minor:
            scale = PARALLEL[name]
    return {**music, "key": key.root, "scale": scale}


def fit_note(note: int, song_key: SessionKey, key: SessionKey) -> int:
    """``note`` of a song in ``song_key`` moved to the same degree of ``key``, within a
    tritone of where it was (so the song stays in its register). A note outside the
    song's scale (a passing chromatic note) moves by the roots' distance."""
    shift = (key.pitch_class - song_key.pitch_class) % 12
    shift = shift - 12 if shift > 6 else shift
    offset = (note - song_key.pitch_class) % 12
    octave_base = note - offset                      # the song root at or below the note
    src, dst = SCALES[song_key.mode], SCALES[key.mode]
    moved = octave_base + dst[src.index(offset)] if offset in src else octave_base + offset
    return max(0, min(127, moved + shift))


def fit_steps(steps: tuple[tuple[int, ...], ...], song_key: SessionKey,
              key: SessionKey) -> tuple[tuple[int, ...], ...]:
    """Every step of a song moved into ``key`` (see ``fit_note``)."""
    return tuple(tuple(sorted({fit_note(n, song_key, key) for n in step})) for step in steps)


def clash(music: dict, key: SessionKey | None) -> list[str]:
    """Note names a client's scale plays that the session's scale lacks ([] when none,
    when there is no session key, or for drums and song mode, which follow by themselves)."""
    if key is None or music.get("mode") not in ("scale", "chords") \
            or str(music.get("key", "")).lower() == "session":
        return []
    from station.sound.theory import SHARP_NAMES

    root = key_pitch_class(str(music["key"]))
    steps = scale_steps(music["scale"]) if music.get("mode") == "scale" else SCALES["major"]
    own = {(root + s) % 12 for s in steps}
    return [SHARP_NAMES[pc] for pc in sorted(own - key.pitch_classes)]
