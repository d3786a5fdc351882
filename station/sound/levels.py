"""The per-timbre level table: equal loudness across timbres, centred, for one soundfont.

At the same volume and velocity the presets of a General MIDI font differ by up to 15 LU
(TimGM6mb: the ocarina at -22 LUFS, the brush kit at -38), and some sit off centre (its
harp 4.8 dB left). ``station sound calibrate`` (station.sound.calibrate) measures every
timbre of the catalogue once, with ITU-R BS.1770, and writes a table::

    # Written by 'station sound calibrate' ...
    soundfont: TimGM6mb.sf2
    soundfont_bytes: 5969788          # the table belongs to this file only
    reference: {note: 60, drum_note: 38, velocity: 100, held_s: 1.0, rendered_s: 2.0}
    target_lufs: -29.7                # every timbre is brought to this
    timbres:
      marimba: {lufs: -36.4, gain_db: 6.7, pan: 0}
    pulse_voices:
      woodblock: {lufs: -38.0, gain_db: 8.3}

``gain_db`` (-40..+20 dB) is applied to the channel when the timbre is selected, as a
SoundFont attenuation offset (station.sound.synth.Synth.set_level); ``pan`` (-500..500,
FluidSynth's tenths of a percent) moves a preset the font placed off centre back to the
middle. The synth finds the table of its font by name in ``soundfonts/loudness/`` and
then ``~/.config/station/loudness/`` (``$XDG_CONFIG_HOME``), and uses it only if the
font's size matches: a table never applies to a font it was not measured on.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from station.core.errors import ConfigError
from station.core.paths import SOUNDFONTS

log = logging.getLogger(__name__)

MARK = "# Written by 'station sound calibrate'"
MIN_GAIN_DB, MAX_GAIN_DB = -40.0, 20.0
MAX_PAN = 500.0


@dataclass(frozen=True)
class Level:
    """A timbre's (or a pulse voice's) correction: ``gain_db`` and ``pan`` (-500..500)."""

    gain_db: float = 0.0
    pan: float = 0.0
    lufs: float | None = None


@dataclass(frozen=True)
class Levels:
    """A loaded table (see the module docstring); ``path`` where it came from."""

    path: Path | None
    soundfont: str
    target_lufs: float
    soundfont_bytes: int | None = None
    timbres: dict[str, Level] = field(default_factory=dict)
    voices: dict[str, Level] = field(default_factory=dict)

    def timbre(self, name: str) -> Level:
        return self.timbres.get(name, Level())

    def voice(self, name: str) -> Level:
        return self.voices.get(name, Level())


def folders() -> list[Path]:
    """Where tables are looked for, in order: the station's own, then the user's."""
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"),
                                                               ".config")
    return [SOUNDFONTS / "loudness", Path(config) / "station" / "loudness"]


def table_name(soundfont: str | Path) -> str:
    """The table's file name for a font: its real file's stem (a link is followed)."""
    return Path(soundfont).resolve().stem + ".yaml"


def _level(raw: object, where: str) -> Level:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be {{gain_db: N, pan: N}}, not {raw!r}")
    gain, pan, measured = raw.get("gain_db", 0.0), raw.get("pan", 0.0), raw.get("lufs")
    for key, value, lo, hi in (("gain_db", gain, MIN_GAIN_DB, MAX_GAIN_DB),
                               ("pan", pan, -MAX_PAN, MAX_PAN)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not lo <= value <= hi:
            raise ConfigError(f"{where}.{key} must be a number from {lo:g} to {hi:g}, "
                              f"not {value!r}; run 'station sound calibrate' again.")
    return Level(float(gain), float(pan), None if measured is None else float(measured))


def read_levels(path: str | Path) -> Levels:
    """Parse a table file. ConfigError naming the file and key when it is broken."""
    from station.core.yamlfile import read_yaml

    path = Path(path)
    data = read_yaml(path, ConfigError, "loudness table").data
    if not isinstance(data, dict) or not isinstance(data.get("timbres"), dict):
        raise ConfigError(f"{path}: a loudness table needs 'timbres:' (name: {{gain_db, "
                          f"pan}}); write one with 'station sound calibrate'.")
    timbres = {str(k): _level(v, f"{path}: timbres.{k}") for k, v in data["timbres"].items()}
    voices = {str(k): _level(v, f"{path}: pulse_voices.{k}")
              for k, v in (data.get("pulse_voices") or {}).items()}
    size = data.get("soundfont_bytes")
    return Levels(path, str(data.get("soundfont", "")), float(data.get("target_lufs", 0.0)),
                  size if isinstance(size, int) else None, timbres, voices)


def find_levels(soundfont: str | Path) -> Levels | None:
    """The table measured on ``soundfont`` (matched by name and size), or None: then
    every timbre plays at the font's own level, and a warning says how to calibrate."""
    name = table_name(soundfont)
    try:
        size = Path(soundfont).stat().st_size
    except OSError:
        return None
    for folder in folders():
        path = folder / name
        if not path.is_file():
            continue
        levels = read_levels(path)
        if levels.soundfont_bytes == size:
            return levels
        log.warning("%s was measured on another file than %s (size differs); timbres play "
                    "at the font's own levels. Run: station sound calibrate --soundfont %s",
                    path, soundfont, soundfont)
    log.warning("no loudness table for %s: timbres play at the font's own levels (up to "
                "15 LU apart). Run: station sound calibrate --soundfont %s", soundfont,
                soundfont)
    return None


GEN_PAN, GEN_ATTENUATION = 17, 48      # SoundFont 2.01 generators (8.1.3)


class ChannelLevels:
    """Applies a table to a live FluidSynth: ``fluid_synth_set_gen`` offsets on a channel
    (attenuation in centibels, pan in tenths of a percent) that every voice the channel
    starts adds to its preset's own. ``levels`` None: every channel at the font's level."""

    def __init__(self, fs_lib: str, synth_ptr, levels: Levels | None) -> None:
        import ctypes

        self.levels = levels
        self._synth = synth_ptr
        self._set_gen = ctypes.CDLL(fs_lib).fluid_synth_set_gen
        self._set_gen.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_float]

    def set(self, channel: int, level: Level) -> None:
        """Set ``channel``'s gain and pan (a timbre without an entry: 0 dB, centre)."""
        self._set_gen(self._synth, channel, GEN_ATTENUATION, -10.0 * level.gain_db)
        self._set_gen(self._synth, channel, GEN_PAN, level.pan)

    def timbre(self, channel: int, name: str) -> None:
        self.set(channel, self.levels.timbre(name) if self.levels else Level())

    def voice(self, channel: int, name: str) -> None:
        """A pulse voice's own level on the backing channel (its kit's, if not measured)."""
        if self.levels and name in self.levels.voices:
            self.set(channel, self.levels.voice(name))
