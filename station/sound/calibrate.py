"""Measure a soundfont's timbres and write their level table (``station sound calibrate``).

Every timbre of the catalogue is rendered offline, raw (no level table, no output
ceiling), at the reference: C4 (a drum kit: its snare, GM 38) at velocity 100, held
1 s, 2 s rendered, FluidSynth's gain 0.5. Its integrated loudness (ITU-R BS.1770,
station.sound.loudness) gives the gain that brings it to the target, the median of the
catalogue (so as many timbres are turned down as up, and the station as a whole keeps its
loudness). A preset off centre gets the pan offset that centres it over C3..G5 (seven notes:
some presets place their key ranges apart, TimGM6mb's strings by up to 4 dB each way),
in a few renders: the measured balance, through the equal-power pan law, says how far to
move. Each pulse voice (station.sound.pulse) is measured the same way, on one bar of its
beats at 80 BPM.

The table is written with a first line that says the station wrote it; an existing file
without that line is never overwritten, and one of ours only with ``force``.
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

from station.core.files import check_ours, write_private
from station.sound.levels import MARK, MAX_GAIN_DB, MAX_PAN, MIN_GAIN_DB, Level
from station.sound.loudness import balance_db, lufs
from station.sound.timbres import Timbre, load_catalogue

RATE = 48000
NOTE, DRUM_NOTE, VELOCITY = 60, 38, 100
HELD_S, RENDERED_S = 1.0, 2.0
BAR_BPM = 80.0
BALANCE_NOTES = (48, 55, 60, 64, 67, 72, 79)   # C3..G5: a preset's keys may pan apart
CENTRED_DB = 0.3            # a balance within this is centre enough
NEUTRAL = Level()           # no gain, centre


def render_note(soundfont, timbre: Timbre, level: Level = NEUTRAL, *, note: int | None = None,
                velocity: int = VELOCITY, ceiling: bool = False):
    """The reference note of ``timbre`` (int16 stereo), at ``level``."""
    from station.sound.synth import Synth

    note = note if note is not None else (DRUM_NOTE if timbre.percussion else NOTE)
    kw = {} if ceiling else {"ceiling_dbfs": None}
    with Synth(soundfont, sample_rate=RATE, levels=None, **kw) as synth:
        synth.set_timbre(0, timbre)
        synth.levels.set(0, level)
        synth.note_on(0, note, velocity)
        held = synth.render_seconds(HELD_S)
        synth.note_off(0, note)
        import numpy as np
        return np.concatenate([held, synth.render_seconds(RENDERED_S - HELD_S)])


def render_range(soundfont, timbre: Timbre, level: Level = NEUTRAL):
    """``BALANCE_NOTES`` one after another, 0.8 s each at velocity 80 (int16 stereo, raw)."""
    import numpy as np

    from station.sound.synth import Synth

    with Synth(soundfont, sample_rate=RATE, levels=None, ceiling_dbfs=None) as synth:
        synth.set_timbre(0, timbre)
        synth.levels.set(0, level)
        parts = []
        for note in BALANCE_NOTES:
            synth.note_on(0, note, 80)
            parts.append(synth.render_seconds(0.8))
            synth.note_off(0, note)
        return np.concatenate(parts)


def render_voice(soundfont, voice: str, level: Level = NEUTRAL, *, key: str = "A",
                 velocity: int = VELOCITY, beats: int = 4, levels="table"):
    """One bar of pulse ``voice`` at 80 BPM (int16 stereo, raw), its bass layer on
    channel 1 at the bass timbre's level from ``levels`` (None: raw)."""
    import numpy as np

    from station.sound.backing import BackingMusic, BackingSpec
    from station.sound.pulse import BASS_TIMBRE
    from station.sound.synth import Synth
    from station.sound.timbres import timbre

    music = BackingMusic(BackingSpec("pulse", voice=voice), key, True, velocity)
    period = round(RATE * 60.0 / BAR_BPM)
    with Synth(soundfont, sample_rate=RATE, ceiling_dbfs=None,
               levels="auto" if levels == "table" else levels) as synth:
        synth.set_timbre(0, timbre("drums"))
        synth.levels.set(0, level)
        synth.set_timbre(1, timbre(BASS_TIMBRE))
        parts = []
        for k in range(beats):
            hits = [(0, n, v) for n, v in music.beat(k)] + \
                [(1, n, v) for n, v in music.layer(k)]
            for ch, n, v in hits:
                synth.note_on(ch, n, v)
            parts.append(synth.render(period // 2))
            for ch, n, _ in hits:
                synth.note_off(ch, n)
            parts.append(synth.render(period - period // 2))
        return np.concatenate(parts)


def _pan_of(balance: float) -> float:
    """The pan (-500..500) a mono voice sits at when its balance is ``balance`` dB."""
    theta = math.atan(10 ** (-balance / 20.0))          # L = cos, R = sin (equal power)
    return theta / (math.pi / 2) * 1000.0 - 500.0


def _gain(measured: float, target: float) -> float:
    return round(max(MIN_GAIN_DB, min(MAX_GAIN_DB, target - measured)), 1)


def measure(soundfont: str | Path, catalogue: str | Path | None = None) -> dict:
    """Measure every timbre and pulse voice; the table as a dict (see station.sound.levels)."""
    from station.sound.pulse import voice_names

    timbres: dict[str, dict] = {}
    for name, timbre in load_catalogue(catalogue).items():
        pan = 0.0
        for _ in range(0 if timbre.percussion else 4):   # a kit's stereo image is by design
            balance = balance_db(render_range(soundfont, timbre, Level(0.0, pan)))
            if abs(balance) <= CENTRED_DB:
                break
            pan = max(-MAX_PAN, min(MAX_PAN, pan - _pan_of(balance)))
        audio = render_note(soundfont, timbre, Level(0.0, pan))
        timbres[name] = {"lufs": round(lufs(audio, RATE), 1), "pan": round(pan)}
    target = round(statistics.median(t["lufs"] for t in timbres.values()), 1)
    for entry in timbres.values():
        entry["gain_db"] = _gain(entry["lufs"], target)
    voices = {}
    for name in voice_names():
        pan = 0.0
        for _ in range(4):                          # the pulse itself sits in the middle
            audio = render_voice(soundfont, name, Level(0.0, pan), levels=None)
            balance = balance_db(audio)
            if abs(balance) <= CENTRED_DB:
                break
            pan = max(-MAX_PAN, min(MAX_PAN, pan - _pan_of(balance)))
        measured = round(lufs(audio, RATE), 1)
        voices[name] = {"lufs": measured, "gain_db": _gain(measured, target), "pan": round(pan)}
    path = Path(soundfont).resolve()
    return {"soundfont": path.name, "soundfont_bytes": path.stat().st_size,
            "target_lufs": target, "timbres": timbres, "pulse_voices": voices}


def table_text(table: dict) -> str:
    """The table as YAML, with the line that marks it as the station's own."""
    lines = [f"{MARK} from {table['soundfont']}: per-timbre gain for equal loudness "
             f"(ITU-R BS.1770).",
             "# Regenerate with: station sound calibrate --soundfont FILE --force",
             f"soundfont: {table['soundfont']}",
             f"soundfont_bytes: {table['soundfont_bytes']}",
             f"reference: {{note: {NOTE}, drum_note: {DRUM_NOTE}, velocity: {VELOCITY}, "
             f"held_s: {HELD_S}, rendered_s: {RENDERED_S}, pulse_bar_bpm: {BAR_BPM:g}}}",
             f"target_lufs: {table['target_lufs']}", "timbres:"]
    for name, e in table["timbres"].items():
        lines.append(f"  {name}: {{lufs: {e['lufs']}, gain_db: {e['gain_db']}, "
                     f"pan: {e['pan']}}}")
    lines.append("pulse_voices:")
    for name, e in table["pulse_voices"].items():
        lines.append(f"  {name}: {{lufs: {e['lufs']}, gain_db: {e['gain_db']}, "
                     f"pan: {e['pan']}}}")
    return "\n".join(lines) + "\n"


def write_table(path: str | Path, text: str, force: bool = False) -> Path:
    """Write the table; never over a file the station did not write, and over one of
    ours only with ``force``."""
    return write_private(check_table_path(path, force), text, "loudness table",
                         replace=MARK.encode())


def check_table_path(path: str | Path, force: bool = False) -> Path:
    """``path`` if a table may be written there (see ``write_table``), else OutputError:
    checked before the minute of measuring, and again when writing."""
    return check_ours(path, MARK, force=force,
                      not_ours="was not written by 'station sound calibrate'; the station "
                               "does not overwrite it. Choose another file with --out.",
                      earlier="a table calibrated earlier); add --force to measure again "
                              "and replace it.")
