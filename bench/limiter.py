"""The output ceiling's price: the latency the limiter adds and the CPU it takes.

* Added latency: the same note (marimba, middle C) rendered by two Synths of the station's
  settings, one with the limiter bypassed; the difference of their first-sound frames
  (``analysis.first_sound_frame``) is what the limiter adds before anything is heard.
* Render cost: a busy mix (4 players, two chords each in the four timbres, new chords
  every 250 ms) rendered by two Synths of the station's settings, one bypassed, each
  quarter second by both in alternating order; the ratio of their render times is the
  limiter's share of the synth's work. Quarter seconds keep Python's own overhead out.
* The limiter alone: ``stl_process`` on seconds of that mix, as a share of one core and
  per 64-frame block (what FluidSynth's audio thread pays per block on top).

The mix's peak after limiting is recorded too (a fact, not a timing: it must be at or
under the ceiling).
"""

from __future__ import annotations

import time

import numpy as np

RATE = 48000
TIMBRES = ("marimba", "harp", "xylophone", "strings")
CHORDS = ("I", "vi")


def _synth(bypass: bool):
    from station.config.station import load_config
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth
    config = load_config()
    a = config.audio
    synth = Synth(find_soundfont(config.soundfont), sample_rate=RATE, gain=a["gain"],
                  ceiling_dbfs=a["ceiling_dbfs"])
    synth.limiter.bypass = bypass
    return synth


def added_latency() -> dict:
    from station.sound.analysis import first_sound_frame
    from station.sound.timbres import timbre
    first = {}
    for bypass in (True, False):
        with _synth(bypass) as synth:
            synth.set_timbre(0, timbre("marimba"))
            synth.note_on(0, 60, 100)
            first[bypass] = first_sound_frame(synth.render(RATE // 10))
            lookahead = synth.limiter.delay_frames
    frames = first[False] - first[True]
    return {"limiter_added_latency_frames": frames,
            "limiter_added_latency_ms": frames / RATE * 1000.0,
            "limiter_lookahead_frames": lookahead}


def _press(synths, block: int) -> None:
    """The busy mix's events for quarter second ``block``, on every synth alike."""
    from station.sound.theory import chord_notes
    for synth in synths:
        for ch in range(len(TIMBRES)):
            synth.all_notes_off(ch)
            for numeral in CHORDS:
                for note in chord_notes(numeral, "C", 3 + (block + ch) % 3):
                    synth.note_on(ch, note, 100)


def _start(synth):
    from station.sound.timbres import timbre
    for ch, name in enumerate(TIMBRES):
        synth.set_timbre(ch, timbre(name))
    return synth


def render_cost(seconds: float) -> dict:
    """Two synths get the same events; each quarter second is rendered by both, in
    alternating order, so a slow moment of the machine falls on both alike."""
    from station.sound.analysis import peak
    wall = {True: 0.0, False: 0.0}
    limited = []
    with _start(_synth(True)) as raw, _start(_synth(False)) as lim:
        for block in range(int(seconds * 4)):
            _press((raw, lim), block)
            for synth in ((raw, lim) if block % 2 == 0 else (lim, raw)):
                t0 = time.perf_counter()
                audio = synth.render(RATE // 4)
                wall[synth is raw] += time.perf_counter() - t0
                if synth is lim:
                    limited.append(audio)
        ceiling = lim.limiter.ceiling_dbfs
    mix = np.concatenate(limited)
    return {"limiter_render_x_realtime": seconds / wall[False],
            "limiter_bypassed_render_x_realtime": seconds / wall[True],
            "limiter_render_ratio": wall[True] / wall[False],
            "limiter_mix_peak_dbfs": 20 * np.log10(peak(mix) / 32767),
            "limiter_ceiling_dbfs": ceiling}


def alone(seconds: float) -> dict:
    """The limiter on its own: share of one core it needs in real time, in percent."""
    from station.sound.limiter import Limiter
    with _start(_synth(True)) as synth:
        _press((synth,), 0)
        raw = synth.limiter.render_float(int(seconds * RATE))
    lim = Limiter(RATE)
    t0 = time.perf_counter()
    lim.process(raw)
    wall = time.perf_counter() - t0
    lim.close()
    return {"limiter_cpu_percent_of_core": wall / seconds * 100.0,
            "limiter_us_per_64_frames": wall / (len(raw) / 64) * 1e6}


def measure(seconds: float) -> dict:
    r = added_latency()
    r.update(render_cost(seconds))
    r.update(alone(max(seconds, 1.0)))
    return r
