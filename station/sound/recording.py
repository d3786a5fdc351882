"""The daemon's recording: ``audio.driver: file`` writes what the station plays to a WAV.

With the ``file`` driver the station's whole sound goes to a file: a recording of the
session, so it needs each seated client's ``audio`` consent (docs/privacy.md). The
recording is **paused while a client without it is seated**: ``Recording.pause(True)``
sets FluidSynth's master gain to 0, so every voice (theirs, the group's, the echo of
their phrases, a backing that follows them) renders as digital silence, and the file goes
on in step with the clock (the journal's times still match the WAV's). ``pause(False)``
restores the configured gain when the last such client leaves. FluidSynth applies a gain
change to the voices already sounding, so a note held over the seating is silenced too;
only the reverb's tail of earlier notes fades out (nobody's playing after the seating).

Any other driver plays into the room, which is not a recording: the pause is not used.
"""

from __future__ import annotations

import ctypes
import logging

log = logging.getLogger("station")


def records(synth) -> bool:
    """True when ``synth`` writes its output to a file (a recording)."""
    audio = getattr(synth, "audio", None)
    return bool(getattr(synth, "realtime", False)) and audio is not None \
        and audio.driver == "file"


class Recording:
    """Pause and resume the ``file`` output of ``synth`` (a ``sound.synth.Synth``); the
    master gain it had when this was made (0..10) is restored on resume."""

    def __init__(self, synth) -> None:
        self.synth = synth
        self.paused = False
        fs, handle = synth.handles
        lib = ctypes.CDLL(fs.lib)
        self._set_gain, get_gain = lib.fluid_synth_set_gain, lib.fluid_synth_get_gain
        self._set_gain.restype, get_gain.restype = None, ctypes.c_float
        self._set_gain.argtypes = [ctypes.c_void_p, ctypes.c_float]
        get_gain.argtypes = [ctypes.c_void_p]
        self.gain = float(get_gain(handle))

    def pause(self, on: bool) -> None:
        """Silence the recording (``on``) or let it hear the station again."""
        on = bool(on)
        _, handle = self.synth.handles
        if on == self.paused or handle is None:
            return
        self._set_gain(handle, 0.0 if on else self.gain)
        self.paused = on
        log.info("the recording is %s", "paused (silence): a client without consent to "
                 "recordings is seated" if on else "recording again")

    def status(self) -> dict:
        return {"recording": True, "paused": self.paused}
