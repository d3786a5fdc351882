"""FluidSynth's note calls keep the GIL (station.sound.fastcall) and still play."""

from __future__ import annotations

import ctypes

import numpy as np

from station.config.station import load_config
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth


def test_the_synths_note_calls_are_bound_without_releasing_the_gil():
    config = load_config()
    with Synth(find_soundfont(config.soundfont), sample_rate=48000) as synth:
        for fn in (synth._noteon, synth._noteoff):
            assert fn._flags_ & ctypes._FUNCFLAG_PYTHONAPI      # PyDLL: the GIL is kept
        assert synth.note_on(0, 60, 100) is True
        loud = np.abs(synth.render(4800).astype(np.int32)).max()
        assert loud > 100                                       # the note sounds
        assert synth.note_off(0, 60) is True
        assert synth.note_off(0, 61) is False                   # FluidSynth's own code
