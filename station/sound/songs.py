"""Songs a client can play one touch at a time (music mode "song").

Song file format: ``configs/songs/<name>.yaml``, read safely by ``station.core.yamlfile``::

    name: Twinkle Twinkle          # shown to the therapist (default: the file name)
    description: one line          # optional
    tempo: 90                      # optional, beats per minute for playback (default 90)
    key: C                         # optional: the key it is written in; with it, the song
    mode: major                    # moves into the session's key (station.sound.keys)
    steps:                         # one entry per touch, at least one
      - C4                         # a single note (scientific pitch: C4 = middle C)
      - [C4, E4, G4]               # a chord: several notes at once
      - {notes: G4, beats: 2}      # with a duration in beats (default 1) for playback

Every touch on any pad plays the next step; the song wraps at the end. Durations are
only used when the station plays a song itself (a demonstration or a therapist's model):
the client's touches set the rhythm, which is the point. Errors name the file and step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.core.paths import CONFIGS
from station.sound.theory import choose, parse_note

SONGS_DIR = CONFIGS / "songs"
DEFAULT_TEMPO = 90.0  # beats per minute


@dataclass(frozen=True)
class Song:
    """A parsed song.

    name: display name. steps: per touch, a tuple of MIDI notes 0..127 (a chord if > 1).
    beats: duration of each step in beats (> 0), same length as steps.
    tempo_bpm: playback tempo in beats per minute (20..300).
    """

    name: str
    steps: tuple[tuple[int, ...], ...]
    beats: tuple[float, ...] = ()
    tempo_bpm: float = DEFAULT_TEMPO
    description: str = ""
    key: tuple[str, str] | None = None      # (root, mode) it is written in; None: fixed

    @property
    def duration_s(self) -> float:
        """Playback length in seconds at ``tempo_bpm``."""
        return sum(self.beats) * 60.0 / self.tempo_bpm

    def step_seconds(self, index: int) -> float:
        """Playback duration of step ``index`` in seconds."""
        return self.beats[index] * 60.0 / self.tempo_bpm


def song_names(folder: str | Path = SONGS_DIR) -> list[str]:
    """Names (file stems) of the songs in ``folder``, sorted."""
    return sorted(p.stem for p in Path(folder).glob("*.yaml"))


def _song_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or "/" in text or text.endswith((".yaml", ".yml")):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ValueError(f"song file {path} does not exist")
        return path
    path = SONGS_DIR / f"{text.strip().lower().replace(' ', '_').replace('-', '_')}.yaml"
    if not path.is_file():
        choose(text, song_names(), "song")  # raises with did-you-mean and the choices
    return path


def _parse_step(raw: Any, where: str) -> tuple[tuple[int, ...], float]:
    beats: object = 1.0
    if isinstance(raw, dict):
        unknown = set(raw) - {"notes", "beats"}
        if unknown or "notes" not in raw:
            raise ValueError(f"{where}: a step mapping needs 'notes' and optional 'beats', "
                             f"got keys {sorted(map(str, raw))}")
        raw, beats = raw["notes"], raw.get("beats", 1.0)
    if isinstance(beats, bool) or not isinstance(beats, (int, float)) or not 0 < beats <= 64:
        raise ValueError(f"{where}: beats must be a number above 0 (up to 64), got {beats!r}")
    names = raw if isinstance(raw, list) else [raw]
    if not names:
        raise ValueError(f"{where}: a chord needs at least one note")
    try:
        notes = tuple(sorted({parse_note(n) for n in names}))
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    return notes, float(beats)


def load_song(name_or_path: str | Path) -> Song:
    """Load a song by name (from configs/songs/) or by path to a .yaml file.

    Raises ValueError naming the file and, for a bad step, its index (counting from 0).
    """
    from station.core.yamlfile import (
        read_yaml,  # size, encoding, syntax with line:column
    )

    path = _song_path(name_or_path)
    data = read_yaml(path, ValueError, "song file").data
    if not isinstance(data, dict):
        raise ValueError(f"song file {path}: expected a mapping with 'name' and 'steps'")
    unknown = set(data) - {"name", "description", "tempo", "steps", "key", "mode"}
    if unknown:
        raise ValueError(f"song file {path}: unknown keys {sorted(map(str, unknown))}; "
                         "allowed: name, description, tempo, key, mode, steps")
    key = None
    if data.get("key") is not None:
        from station.sound.keys import SessionKey
        try:
            parsed_key = SessionKey.parse(data["key"], data.get("mode") or "major")
        except ValueError as exc:
            raise ValueError(f"song file {path}: {exc}") from None
        key = (parsed_key.root, parsed_key.mode)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ValueError(f"song file {path}: 'steps' must be a non-empty list of notes or chords")
    tempo = data.get("tempo", DEFAULT_TEMPO)
    if isinstance(tempo, bool) or not isinstance(tempo, (int, float)) or not 20 <= tempo <= 300:
        raise ValueError(f"song file {path}: tempo must be 20..300 beats per minute, got {tempo!r}")
    parsed = [_parse_step(raw, f"song file {path}, step {i}") for i, raw in enumerate(raw_steps)]
    return Song(name=str(data.get("name", path.stem)),
                steps=tuple(notes for notes, _ in parsed),
                beats=tuple(beats for _, beats in parsed),
                tempo_bpm=float(tempo), description=str(data.get("description", "")),
                key=key)
