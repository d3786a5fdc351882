"""Backing music: what a drone, a pulse and an ostinato play, as pure functions of data.

* **drone** (holding): the root and the fifth of the key, sustained until stopped;
* **pulse** (grounding): a soft beat on every beat, the first beat of each bar louder;
  with a drum kit one of the pulse voices (station.sound.pulse: a wood block by default,
  which carries on a small speaker), with any other timbre the key's root low down;
* **ostinato**: a short repeating pattern in the key, one note per beat (semitones above
  the root; the default root, fifth, octave, fifth has no third, so it fits major and
  minor clients alike).

Nothing here knows time or FluidSynth: ``BackingMusic`` says which notes belong to beat
``k`` and how loud; station.engine.backing schedules them on the audio clock.
Notes are MIDI 0..127, velocities 1..127, volumes 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.sound.pulse import BASS_OCTAVE, humanised, pulse_voice
from station.sound.theory import key_pitch_class

STYLES = ("drone", "pulse", "ostinato", "progression", "bass", "call")
PATTERN_STYLES = ("progression", "bass", "call")   # play a file of configs/backings/
DEFAULT_TIMBRE = {"drone": "pad_warm", "pulse": "drums", "ostinato": "harp",
                  "progression": "soft_piano", "bass": "cello", "call": "marimba"}
DEFAULT_OCTAVE = {"drone": 3, "pulse": 2, "ostinato": 3, "progression": 3, "bass": 2,
                  "call": 4}
DEFAULT_PATTERN = (0, 7, 12, 7)
DEFAULT_BPM = 80.0            # when nothing else says (no tempo, no client tempo yet)
ACCENT, UNACCENTED = 1.0, 0.7  # velocity factors: the bar's first beat, the others
FIFTH_LEVEL = 0.75            # the drone's fifth sits under its root
NOTE_FRACTION = 0.5           # a pulse or ostinato note lasts half a beat
UNDER_CLIENT_LU = 6.0         # the backing sits at least this far under the client it follows


def under_client(velocity: int, client_velocity: int) -> int:
    """``velocity`` capped so the backing sounds ``UNDER_CLIENT_LU`` under a client whose
    touch plays at ``client_velocity``. With every timbre at equal loudness (the level
    table) loudness follows FluidSynth's velocity curve, 40 log10(v/127) dB: 6 LU under
    is 10 ** (-6 / 40) = 0.71 of the client's velocity."""
    if client_velocity < 1:
        return velocity                    # a silent seat sets no level
    return max(1, min(velocity, round(client_velocity * 10 ** (-UNDER_CLIENT_LU / 40))))


@dataclass(frozen=True)
class BackingSpec:
    """Validated backing settings (the plan's ``backing:``, the scenario action, the
    control command). None means "decide when it starts" (the followed client's key,
    the style's timbre and octave, the client's tempo)."""

    style: str
    tempo_bpm: float | None = None
    follow: bool = False              # tempo: follow (start at the client's tempo)
    ramp_to_bpm: float | None = None
    ramp_s: float | None = None
    follow_player: int | None = None
    follow_client: bool = False       # the ramp waits while the client is not with it
    key: str | None = None
    timbre: str | None = None
    volume: float = 0.4
    beats_per_bar: int = 4
    pattern: tuple[int, ...] | None = None
    octave: int | None = None
    pattern_name: str | None = None   # progression, bass, call: a file of configs/backings/
    meet_bars: int = 8                # follow_client: bars unlocked before meeting again
    voice: str | None = None          # pulse voice (station.sound.pulse); None: the default
    humanise: bool = False            # pulse: vary each beat's loudness a little

    @property
    def has_beats(self) -> bool:
        return self.style != "drone"

    @classmethod
    def from_values(cls, values: dict) -> BackingSpec:
        """From a validated ``backing:`` section (station.config.plan_schema.BACKING)."""
        v = {k: values.get(k) for k in ("style", "tempo_bpm", "ramp_to_bpm", "ramp_s",
                                          "follow_player", "key", "timbre", "octave",
                                          "voice")}
        pattern = values.get("pattern")
        named = pattern if isinstance(pattern, str) else None
        return cls(**v, follow=values.get("tempo") == "follow",
                   pattern_name=named, meet_bars=int(values.get("meet_bars") or 8),
                   follow_client=bool(values.get("follow_client")),
                   volume=float(values["volume"]) if values.get("volume") is not None
                   else 0.4,
                   beats_per_bar=int(values.get("beats_per_bar") or 4),
                   humanise=bool(values.get("humanise")),
                   pattern=tuple(pattern) if pattern and not named else None)

    def as_dict(self) -> dict:
        return {"style": self.style, "tempo_bpm": self.tempo_bpm,
                "tempo": "follow" if self.follow else None, "ramp_to_bpm": self.ramp_to_bpm,
                "ramp_s": self.ramp_s, "follow_player": self.follow_player,
                "follow_client": self.follow_client, "key": self.key, "timbre": self.timbre,
                "volume": self.volume, "beats_per_bar": self.beats_per_bar,
                "pattern": self.pattern_name or (list(self.pattern) if self.pattern else None),
                "meet_bars": self.meet_bars, "octave": self.octave, "voice": self.voice,
                "humanise": self.humanise}


class BackingMusic:
    """The notes of one backing in one key.

    ``key``: key name (C, F#, Bb...); ``percussion``: the timbre is a drum kit;
    ``velocity``: the full (accent) velocity 1..127, caps already applied.
    """

    def __init__(self, spec: BackingSpec, key: str, percussion: bool, velocity: int) -> None:
        self.spec = spec
        self.key = key
        self.percussion = percussion
        self.velocity = max(1, min(127, int(velocity)))
        octave = spec.octave if spec.octave is not None else DEFAULT_OCTAVE[spec.style]
        self.root = 12 * (octave + 1) + key_pitch_class(key)
        self.pattern = spec.pattern or DEFAULT_PATTERN
        pulse = spec.style == "pulse"
        self.voice = pulse_voice(spec.voice) if pulse and percussion else None
        bass_octave = spec.octave if spec.octave is not None else BASS_OCTAVE
        self.bass_root = 12 * (bass_octave + 1) + key_pitch_class(key)

    def _vel(self, factor: float) -> int:
        return max(1, round(self.velocity * factor))

    def drone(self) -> list[tuple[int, int]]:
        """(note, velocity) of the sustained drone: the root, and the fifth a little softer."""
        return [(self.root, self._vel(1.0)), (self.root + 7, self._vel(FIFTH_LEVEL))]

    def beat(self, index: int) -> list[tuple[int, int]]:
        """(note, velocity) pairs that sound on beat ``index`` (0 = the first beat)."""
        first = index % self.spec.beats_per_bar == 0
        accent = humanised(ACCENT if first else UNACCENTED, index, self.spec.humanise)
        if self.spec.style == "pulse":
            if self.voice is None:                  # a melodic timbre: the root, low
                return [(self.root, self._vel(accent))]
            return [(self.voice.drum(first), self._vel(accent * self.voice.level))]
        if self.spec.style == "ostinato":
            note = self.root + self.pattern[index % len(self.pattern)]
            return [(max(0, min(127, note)), self._vel(accent))]
        return []

    def layer(self, index: int) -> list[tuple[int, int]]:
        """(note, velocity) of the pulse voice's bass layer on beat ``index`` (on the
        layer channel, in the bass timbre): the key's root, or nothing for most voices."""
        if self.voice is None or not self.voice.bass:
            return []
        first = index % self.spec.beats_per_bar == 0
        accent = humanised(ACCENT if first else UNACCENTED, index, self.spec.humanise)
        return [(self.bass_root, self._vel(accent * self.voice.bass))]

    def describe(self) -> str:
        return f"{self.spec.style} in {self.key}"
