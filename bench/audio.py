"""The audio path: note-on to first sound per timbre, buffer latency, render speed.

* Onset: for every timbre of the catalogue, an offline Synth (the station's own wrapper,
  the configured soundfont and sample rate) gets a note-on at a block boundary and
  renders 100 ms; ``station.sound.analysis.first_sound_frame`` finds the first frame
  above FluidSynth's dither. That is the soundfont's attack: the sample's own silence
  and envelope, before any buffer. Melodic timbres play middle C (60); drum kits the
  acoustic snare (38).
* Buffer: ``AudioSettings.latency_ms`` of the configured period size, periods and rate
  (what ALSA holds before the DAC), from ``configs/station.yaml``.
* Render speed: 4 voices held and retriggered every 250 ms, rendered in 10 ms chunks
  (as the simulator does), seconds of audio per second of wall time.
"""

from __future__ import annotations

import time

import numpy as np

MIDDLE_C = 60
SNARE = 38
ONSET_FRAMES = 4800


def onsets() -> dict:
    """Per-timbre onset in frames and ms, and the configured buffer latency."""
    from station.config.station import load_config
    from station.sound.analysis import first_sound_frame
    from station.sound.fluid_settings import AudioSettings
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth
    from station.sound.timbres import load_catalogue

    config = load_config()
    a = config.audio
    rate = a["sample_rate"]
    buffer_ms = AudioSettings(period_size=a["period_size"], periods=a["periods"],
                              sample_rate=rate).latency_ms
    frames: dict[str, int] = {}
    # the soundfont's own attack: the limiter's look-ahead is measured on its own
    # (bench.limiter) and added to the budget separately
    with Synth(find_soundfont(config.soundfont), sample_rate=rate, gain=a["gain"],
               ceiling_dbfs=None) as synth:
        for name, timbre in sorted(load_catalogue().items()):
            synth.all_notes_off(immediate=True)
            synth.render(ONSET_FRAMES)           # let every tail die: start from silence
            synth.set_timbre(0, timbre)
            synth.note_on(0, SNARE if timbre.percussion else MIDDLE_C, 100)
            first = first_sound_frame(synth.render(ONSET_FRAMES))
            frames[name] = ONSET_FRAMES if first is None else first
    values = np.array(list(frames.values()), dtype=float)
    return {
        "audio_timbres": len(frames), "frames": frames, "audio_sample_rate": rate,
        "audio_onset_p50_frames": float(np.median(values)),
        "audio_onset_max_frames": float(values.max()),
        "audio_onset_p50_ms": float(np.median(values)) / rate * 1000.0,
        "audio_onset_max_ms": float(values.max()) / rate * 1000.0,
        "audio_onset_slowest": max(frames, key=frames.get),
        "audio_buffer_latency_ms": buffer_ms,
        "audio_period_size": a["period_size"], "audio_periods": a["periods"],
    }


def render_speed(seconds: float) -> float:
    """Offline render speed, x real time."""
    from station.config.station import load_config
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth
    from station.sound.timbres import timbre

    config = load_config()
    rate = config.audio["sample_rate"]
    chunk = rate // 100
    with Synth(find_soundfont(config.soundfont), sample_rate=rate,
               gain=config.audio["gain"]) as synth:
        for ch, name in enumerate(("marimba", "soft_piano", "harp", "strings")):
            synth.set_timbre(ch, timbre(name))
        chunks = int(seconds * 100)
        t0 = time.perf_counter()
        for i in range(chunks):
            if i % 25 == 0:                      # every 250 ms: retrigger 4 voices
                for ch in range(4):
                    synth.note_off(ch, 60 + 2 * ch + (i // 25 - 1) % 5)
                    synth.note_on(ch, 60 + 2 * ch + (i // 25) % 5, 90)
            synth.render(chunk)
        wall = time.perf_counter() - t0
    return chunks * chunk / rate / wall
