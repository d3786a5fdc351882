"""Reading what a simulation wrote: its WAV as samples, and a stretch of them.

Import where used (``from wav_helpers import read_wav, window``): tests of several rooms
check the audio of ``station simulate``, so this lives beside conftest, not in one room's
test module (a test module importing another room's test module passes only when pytest
happens to have collected that room first)."""

from __future__ import annotations

import wave

import numpy as np

from station.sim.runner import SAMPLE_RATE


def read_wav(path):
    """The 16-bit stereo samples of a simulation's WAV, as an (n, 2) array."""
    with wave.open(str(path)) as w:
        assert w.getframerate() == SAMPLE_RATE and w.getnchannels() == 2
        data = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
    return data.reshape(-1, 2)


def window(audio, start_s, end_s):
    """The samples from ``start_s`` to ``end_s`` seconds."""
    return audio[int(start_s * SAMPLE_RATE):int(end_s * SAMPLE_RATE)]


def onset_frames(audio, quiet_s: float = 0.05, rise: float = 0.3, floor: float = 2.0):
    """Frame index of each sound after ``quiet_s`` of silence (|x| <= ``floor``, in the
    samples' own units): the first frame reaching ``rise`` of that sound's peak in its
    first 10 ms, so an accented beat and a softer one are timed at the same point of
    their attack (a fixed threshold would time the louder one a few frames earlier)."""
    mono = np.abs(np.asarray(audio, dtype=np.float64))
    if mono.ndim == 2:
        mono = mono.max(axis=1)
    active = np.flatnonzero(mono > floor)
    if not active.size:
        return np.empty(0, dtype=np.int64)
    starts = active[np.r_[0, np.flatnonzero(np.diff(active) > quiet_s * SAMPLE_RATE) + 1]]
    out = []
    for start in starts:
        attack = mono[start:start + SAMPLE_RATE // 100]
        out.append(start + int(np.argmax(attack >= rise * attack.max())))
    return np.array(out, dtype=np.int64)
