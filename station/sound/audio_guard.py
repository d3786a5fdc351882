"""Keep the real-time audio output alive: notice a failed or vanished device, reopen it.

FluidSynth reports nothing to its caller when the sound card goes away mid-session:
its audio thread logs an error and stops writing. The guard therefore looks three ways:
the device itself (``/proc/asound`` for ALSA cards, the folder for the ``file`` driver),
the driver handle, and FluidSynth's own error log (a hook on ``fluid_set_log_function``
flags any error that mentions audio). On a failure every note is silenced, a fault
``audio_lost`` is journaled and the output is reopened — on the *same* synth, so
programs and controllers survive — after 1 s, then 2, 4, ... up to
``daemon.audio_retry_max_s``. Touches keep being journaled the whole time.

It is a station timer: ``next_deadline()``/``tick(now)`` in ns, run by the engine
thread, so it never races a note.
"""

from __future__ import annotations

import ctypes
import logging
import re
from pathlib import Path
from collections.abc import Callable

from station.core.clock import s_to_ns
from station.core.details import Fault
from station.core.errors import AudioError
from station.core.events import FAULT, Event

log = logging.getLogger("station")

ASOUND = Path("/proc/asound")
CHECK_S = 1.0           # how often a playing device is checked (station time)
RETRY_MIN_S = 1.0
FLUID_ERR = 1
_HW = re.compile(r"^(?:plug)?hw:(?:CARD=)?([^,]+)")


def device_problem(driver: str, device: str, asound: Path = ASOUND) -> str | None:
    """Why the configured device cannot play now, in words; None when it looks present.

    Only what can be checked without opening the device: ALSA cards under
    ``/proc/asound``, the output folder of the ``file`` driver. Other drivers (a sound
    server) are trusted until the driver itself fails.
    """
    if driver == "file":
        folder = Path(device).expanduser().parent
        return None if folder.is_dir() else f"the folder {folder} of the audio file is gone"
    if driver != "alsa":
        return None
    cards = asound / "cards"
    try:
        from station.core.files import read_limited
        listing = read_limited(cards, 1 << 16, OSError).decode(errors="replace")
    except OSError:
        return "this machine has no sound card (no /proc/asound/cards)"
    if "no soundcards" in listing or not listing.strip():
        return "this machine has no sound card"
    m = _HW.match(device)
    if m:
        card = m.group(1)
        name = f"card{card}" if card.isdigit() else card
        if not (asound / name).exists():
            return f"the sound card '{card}' of device '{device}' is not connected"
    return None


class FluidErrorHook:
    """Route FluidSynth's error log to Python logging and flag audio errors.

    ``flagged`` holds the last audio error message until ``take()`` reads it. One hook
    per process (FluidSynth's log function is global); ``close()`` restores the default.
    """

    def __init__(self, fluidsynth_lib: str | None = None) -> None:
        if fluidsynth_lib is None:
            from station.sound.synth import _fluidsynth
            fluidsynth_lib = _fluidsynth().lib
        self.flagged: str | None = None
        self._lib = ctypes.CDLL(fluidsynth_lib)
        proto = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
        self._fn = proto(self._on_log)     # kept referenced: FluidSynth calls it later
        self._lib.fluid_set_log_function.argtypes = [ctypes.c_int, ctypes.c_void_p,
                                                     ctypes.c_void_p]
        self._lib.fluid_set_log_function(FLUID_ERR, ctypes.cast(self._fn, ctypes.c_void_p),
                                         None)

    def _on_log(self, level: int, message: bytes, data) -> None:
        text = (message or b"").decode("utf-8", "replace")
        log.warning("fluidsynth: %s", text)
        if "audio" in text.lower():
            self.flagged = text

    def take(self) -> str | None:
        flagged, self.flagged = self.flagged, None
        return flagged

    def close(self) -> None:
        default = ctypes.cast(self._lib.fluid_default_log_function, ctypes.c_void_p)
        self._lib.fluid_set_log_function(FLUID_ERR, default, None)


class AudioGuard:
    """Checks a real-time ``Synth`` every ``CHECK_S`` and reopens it with backoff.

    report(event): where ``audio_lost``/``audio_recovered`` faults go (the engine).
    retry_max_s: the longest wait between attempts, seconds (1..600).
    probe(driver, device): ``device_problem`` by default (tests may point it elsewhere).
    hook: a ``FluidErrorHook`` (or None): FluidSynth's own audio errors.
    """

    def __init__(self, synth, report: Callable[[Event], None], *, retry_max_s: float = 30.0,
                 probe=device_problem, hook: FluidErrorHook | None = None,
                 now: int = 0) -> None:
        if synth.audio is None:
            raise ValueError("the audio guard needs a real-time synth")
        self.synth = synth
        self._report = report
        self._probe = probe
        self._hook = hook
        self.retry_max_ns = s_to_ns(retry_max_s)
        self.state = "playing" if synth.audio_driver_ok else "failed"
        self.error: str | None = None if self.state == "playing" else "could not open at start"
        self.attempts = 0          # reopen attempts since the last failure
        self.failures = 0          # times the device was lost
        self.recoveries = 0
        self._delay = s_to_ns(RETRY_MIN_S)
        self._next = now + (s_to_ns(CHECK_S) if self.state == "playing" else self._delay)

    def next_deadline(self) -> int:
        return self._next

    def tick(self, now: int) -> None:
        if now < self._next:
            return
        if self.state == "playing":
            problem = self._problem()
            if problem is None:
                self._next = now + s_to_ns(CHECK_S)
                return
            self._lose(now, problem)
        else:
            self._retry(now)

    def _problem(self) -> str | None:
        a = self.synth.audio
        flagged = self._hook.take() if self._hook else None
        if not self.synth.audio_driver_ok:
            return "the audio driver stopped"
        return self._probe(a.driver, a.device) or flagged

    def _lose(self, now: int, problem: str) -> None:
        self.state, self.error = "failed", problem
        self.failures += 1
        self.attempts = 0
        self._delay = s_to_ns(RETRY_MIN_S)
        self._next = now + self._delay
        self.synth.all_notes_off()      # nothing may blast out when the device returns
        log.warning("audio device lost: %s. Retrying; the journal keeps recording.", problem)
        self._report(Event(FAULT, now, detail=Fault("audio_lost", problem[:189])))  # 200 chars

    def _retry(self, now: int) -> None:
        self.attempts += 1
        a = self.synth.audio
        problem = self._probe(a.driver, a.device)
        if problem is None:
            try:
                self.synth.reopen_audio()
            except AudioError as exc:
                problem = str(exc).split(". ")[0]
        if problem is not None:
            self.error = problem
            self._delay = min(self._delay * 2, self.retry_max_ns)
            self._next = now + self._delay
            return
        if self._hook:
            self._hook.take()           # errors of the old driver are history now
        self.state, self.error = "playing", None
        self.recoveries += 1
        self._delay = s_to_ns(RETRY_MIN_S)
        self._next = now + s_to_ns(CHECK_S)
        log.info("audio device reopened after %d attempt(s)", self.attempts)
        self._report(Event(FAULT, now, detail=Fault("audio_recovered")))

    def status(self) -> dict:
        a = self.synth.audio
        return {"state": self.state, "driver": a.driver, "device": a.device,
                "latency_ms": round(a.latency_ms, 2), "error": self.error,
                "failures": self.failures, "recoveries": self.recoveries,
                "attempts": self.attempts}

    def close(self) -> None:
        if self._hook is not None:
            self._hook.close()
            self._hook = None
