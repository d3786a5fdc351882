"""The pad -> notes Mapping of a client's ``music:`` section (scale, chords, notes, drums, song).

Pure functions of data (no FluidSynth). Notes are MIDI numbers 0..127 (C4 = 60). The
theory it builds on (keys, scales, chords, drums) is in ``station.sound.theory``; songs
come from ``station.sound.songs``. Errors are ValueErrors naming the bad value.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingABC
from typing import Any

from station.sound.songs import load_song
from station.sound.theory import (
    DEFAULT_CHORDS,
    DEFAULT_DRUMS,
    DEFAULT_SONG,
    MODES,
    choose,
    chord_notes,
    drum_note,
    key_root,
    parse_note,
    scale_steps,
)


class Mapping:
    """Which MIDI notes each pad plays. Build one with ``build_mapping``.

    ``notes_for(pad)`` returns a tuple of MIDI notes (empty = the pad is silent).
    Modes "scale", "chords", "notes" and "drums" are pure lookups. Mode "song" is
    stateful: every call, whatever the pad, returns the song's next step and advances,
    wrapping at the end; call it once per accepted touch, and ``reset()`` to restart.
    """

    def __init__(self, mode: str, table: tuple[tuple[int, ...], ...], *, wrap: bool,
                 root: int = 0, steps: tuple[int, ...] = (), song_name: str = "") -> None:
        self.mode = mode
        self.table = table          # per-pad notes (chords/notes/drums) or song steps
        self._wrap = wrap           # pads past the table wrap around (else silent)
        self._root, self._steps = root, steps  # scale mode: computed, unbounded pads
        self.song_name = song_name
        self.position = 0           # song mode: index of the next step

    def notes_for(self, pad: int) -> tuple[int, ...]:
        """Notes for a touch on ``pad`` (0-based). In song mode this advances the song."""
        if pad < 0:
            raise ValueError(f"pad must be 0 or more, got {pad}")
        if self.mode == "scale":
            octave, degree = divmod(pad, len(self._steps))
            note = self._root + 12 * octave + self._steps[degree]
            return (note,) if note <= 127 else ()
        if self.mode == "song":
            step = self.table[self.position]
            self.position = (self.position + 1) % len(self.table)
            return step
        if pad < len(self.table):
            return self.table[pad]
        return self.table[pad % len(self.table)] if self._wrap else ()

    def fresh(self) -> Mapping:
        """The same mapping with its own place in the song, at the start (one per seat:
        a mapping resolved once at load is shared, its song position is not)."""
        return Mapping(self.mode, self.table, wrap=self._wrap, root=self._root,
                       steps=self._steps, song_name=self.song_name)

    def reset(self) -> None:
        """Song mode: the next touch plays the first step again. Harmless in other modes."""
        self.position = 0

    def __repr__(self) -> str:
        return f"Mapping(mode={self.mode!r}, table={len(self.table)} entries)"


def build_mapping(music: MappingABC[str, Any], session=None) -> Mapping:
    """A Mapping from a resolved ``music:`` section of a client profile (see the module docs).

    ``mode``, ``key``, ``octave`` and ``scale`` must hold values: a loaded profile's
    section does (the profile schema's defaults fill what was left out); ``chords``,
    ``drums`` and ``song`` may be None or absent: the mode's standard (I IV V vi, the
    standard kit, the welcome song).

    {mode: scale, key: A, scale: major_pentatonic | [0, 2, 5, 7, 9], octave: 4}
    {mode: chords, key: C, octave: 4, chords: [I, IV, V, vi]}   (pads past the list wrap)
    {mode: notes, notes: [D4, F#3, [C4, E4, G4]]}                (pads past the list: silent)
    {mode: drums, drums: [kick, snare, closed_hat]}              (pads past the list wrap)
    {mode: song, song: welcome}                                  (any pad: the next step)

    ``session``: the session key (station.sound.keys.SessionKey) or None: ``key: session``
    plays in it, and a song that says its own key is moved into it.
    """
    from station.sound.keys import SessionKey, fit_steps, follow_music
    music = follow_music(dict(music), session)
    mode = choose(music["mode"], MODES, "music mode")
    key, octave = music["key"], music["octave"]
    if mode == "scale":
        return Mapping(mode, (), wrap=True, root=key_root(key, octave),
                       steps=scale_steps(music["scale"]))
    if mode == "chords":
        chords = _list(_or_standard(music.get("chords"), DEFAULT_CHORDS), "chords")
        return Mapping(mode, tuple(chord_notes(c, key, octave) for c in chords), wrap=True)
    if mode == "notes":
        entries = _list(music.get("notes"), "notes")
        return Mapping(mode, tuple(tuple(parse_note(n) for n in e) if isinstance(e, list)
                                   else (parse_note(e),) for e in entries), wrap=False)
    if mode == "drums":
        drums = _list(_or_standard(music.get("drums"), DEFAULT_DRUMS), "drums")
        return Mapping(mode, tuple((drum_note(d),) for d in drums), wrap=True)
    song = load_song(str(_or_standard(music.get("song"), DEFAULT_SONG)))
    steps = song.steps if session is None or song.key is None else \
        fit_steps(song.steps, SessionKey(*song.key), session)
    return Mapping(mode, steps, wrap=True, song_name=song.name)


def _or_standard(value: object, standard: object) -> object:
    return standard if value is None else value


def _list(value: object, what: str) -> list:
    if isinstance(value, (list, tuple)) and value:
        return list(value)
    raise ValueError(f"'{what}' must be a non-empty list, got {value!r}")
