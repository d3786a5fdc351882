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
