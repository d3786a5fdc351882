"""Where the sound starts: the first sound frame in a JACK recording, and a timbre's attack.

A recording (``bench.listen.Recording``) is blocks of samples, each stamped with the
CLOCK_MONOTONIC ns its capture began. ``onset`` finds the first frame above
``bench.jack.SILENCE`` after a start stamp, its time = the block's stamp + offset / rate,
and only if the audio was silent for ``QUIET_NS`` before the start (the previous release
tail has died); otherwise the sample is dropped, and counted by its callers. The 48th
note of a burst is dated by the capture blocks between the first and the 48th
``note_on`` (FluidSynth starts every note at a block start). ``attack_ms`` is the
timbre's own delay, rendered offline, which every onset contains. Times are ns, except
where the name says ms.
"""

from __future__ import annotations

import math

import numpy as np

from bench.jack import SILENCE
from bench.listen import Recording

QUIET_NS = 3_000_000    # silence wanted before a start
WINDOW_NS = 80_000_000  # an onset later than this after the start is "no sound"


def onset(rec: Recording, start_ns: int) -> int | None:
    """Monotonic ns of the first sound frame after ``start_ns`` (None: not silent before,
    or nothing within ``WINDOW_NS``)."""
    first_block = max(0, int(np.searchsorted(rec.stamps, start_ns - QUIET_NS)) - 1)
    last_block = int(np.searchsorted(rec.stamps, start_ns + WINDOW_NS))
    audio = rec.audio[first_block * rec.block:last_block * rec.block]
    offsets = np.arange(rec.block, dtype=np.int64) * 1_000_000_000 // rec.rate
    times = (rec.stamps[first_block:last_block, None] + offsets[None, :]).reshape(-1)
    loud = np.abs(audio) > SILENCE
    before = (times >= start_ns - QUIET_NS) & (times < start_ns)
    if loud[before].any():
        return None
    hits = np.flatnonzero(loud & (times >= start_ns))
    return int(times[hits[0]]) if hits.size else None


def latencies(rec: Recording, starts: list[int]) -> tuple[list[int], int]:
    """(start -> sound ns for every start with a clean onset, how many were dropped)."""
    out = [t - s for s in starts if (t := onset(rec, s)) is not None]
    return out, len(starts) - len(out)


def xrun_free_latencies(rec: Recording, starts: list[int]) -> list[int]:
    """The ``latencies`` of the touches whose window (the quiet time before the start to
    the sound) saw no xrun: what the station did, with the machine's late cycles out."""
    return [t - s for s in starts if (t := onset(rec, s)) is not None
            and rec.xrun_free(s - QUIET_NS, t)]


def burst_last(rec: Recording, run: dict) -> tuple[list[int], list[int], int]:
    """(edge -> first note's sound, edge -> 48th note's sound, dropped) in ns."""
    firsts, lasts = [], []
    for start, first_on, last_on in zip(run["starts"], run["first"], run["last"]):
        t = onset(rec, start)
        if t is None:
            continue
        b = min(int(np.searchsorted(rec.stamps, t, side="right")) - 1, len(rec.stamps) - 1)
        later = rec.block_after(last_on) - rec.block_after(first_on)   # blocks the burst spans
        firsts.append(t - start)
        lasts.append(t + int(rec.stamps[min(b + later, len(rec.stamps) - 1)] - rec.stamps[b])
                     - start)
    return firsts, lasts, len(run["starts"]) - len(firsts)


def attack_ms(timbre: str, note: str, rate: int = 48000) -> float:
    """``timbre``'s own delay playing ``note`` (a name, e.g. C4): note-on at a block start
    -> first frame above ``SILENCE`` (offline, same soundfont and velocity as the daemon
    plays it)."""
    from station.config.station import load_config
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth
    from station.sound.theory import parse_note
    from station.sound.timbres import load_catalogue

    config = load_config()
    velocity = int(127 * min(1.0, config.max_volume))
    with Synth(find_soundfont(config.soundfont), sample_rate=rate,
               gain=config.audio["gain"]) as synth:
        synth.set_timbre(0, load_catalogue()[timbre])
        synth.note_on(0, parse_note(note), velocity)
        mono = synth.render(rate // 10).astype(np.float64).mean(axis=1) / 32768.0
    loud = np.flatnonzero(np.abs(mono) > SILENCE)
    return float(loud[0]) * 1000.0 / rate if loud.size else math.nan
