"""FluidSynth's note calls bound so that they keep the GIL: a note never waits for Python.

pyfluidsynth binds every C function through ``ctypes.CDLL``, which releases the GIL
around each call and takes it back afterwards. For ``fluid_synth_noteon``/``noteoff``
(a few microseconds: the event is queued for the audio thread) that release is the
expensive part: any other Python thread that wants the GIL (the journal writer building
rows, the panel, a listener's thread) takes it, and the engine waits up to the
interpreter's switch interval (5 ms) to get it back, once per note. Measured in the
tremor storm (``python -m bench.storm --profile``): ~300 µs per note call with the
journal writer busy, against ~2-14 µs for the call itself.

Bound through ``ctypes.PyDLL`` instead, the call runs with the GIL held. That is safe
here because neither call runs Python nor waits for a thread that needs the GIL: FluidSynth
queues the event for its audio thread, which is C (``station.sound.limiter``), and its
log hook (``audio_guard.FluidErrorHook``) only gets error-level messages, which these
calls do not produce. Other calls (program changes, controllers, rendering) keep
pyfluidsynth's bindings: they are rare or long.
"""

from __future__ import annotations

import ctypes


def note_calls(lib: str):
    """``(noteon, noteoff)``: ``fluid_synth_noteon(synth, chan, key, vel)`` and
    ``fluid_synth_noteoff(synth, chan, key)`` from the library file ``lib`` (the one
    pyfluidsynth loaded), each returning FluidSynth's int code (0 = OK)."""
    dll = ctypes.PyDLL(lib)
    noteon, noteoff = dll.fluid_synth_noteon, dll.fluid_synth_noteoff
    noteon.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
    noteoff.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
    noteon.restype = noteoff.restype = ctypes.c_int
    return noteon, noteoff
