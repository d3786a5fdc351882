"""The output ceiling: no sample the station plays exceeds ``audio.ceiling_dbfs``.

Velocity caps bound each note, not their sum: 48 pads of chords at once add up far past
full scale. So every output goes through a sample-level limiter, ``limiter.c`` (built into
``_limiter*.so`` by ``pip install``; loaded here with ctypes): a stereo-linked peak
limiter with 0.75 ms of look-ahead (the gain ramps down over that time before a peak
arrives, so there is no click), an exponential release (80 ms) and a final clamp. It takes
FluidSynth's finished mix, reverb and chorus included, from ``fluid_synth_write_float``:

* offline (the simulator, tests): ``Limiter.render`` replaces ``fluid_synth_write_s16``;
* real time: ``new_fluid_audio_driver2`` with the C callback ``stl_audio_callback``, so
  the driver's audio thread runs no Python (ALSA, JACK, PulseAudio, PipeWire);
* the ``file`` driver (FluidSynth's has no callback mode): a C thread of ours that renders
  one period per period of wall time, as FluidSynth's does.

Levels are dBFS (0 dBFS = full scale, int16 32767 or float 1.0). Below the threshold
the limiter is bit-transparent and only delays the sound by the look-ahead.

If the library is missing (no C compiler when the station was installed) the station makes
no sound at all rather than sound without its ceiling: ``require()`` raises AudioError
naming the fix, ``problem()`` says the same for ``station doctor``.
"""

from __future__ import annotations

import ctypes
import importlib.util
import math
from typing import TYPE_CHECKING

from station.core.errors import AudioError

if TYPE_CHECKING:           # numpy only offline (render, process): the daemon never loads it
    import numpy as np

DEFAULT_CEILING_DBFS = -6.0
CEILING_RANGE_DBFS = (-30.0, 0.0)
LOOKAHEAD_S = 0.00075       # the latency it adds: 36 frames at 48 kHz
RELEASE_S = 0.080           # time constant of the gain's return to 1
# What may still be added after the limiter, in full-scale units: FluidSynth's int16
# conversion for ALSA adds dither of up to +-1 LSB and rounds (0.5 LSB). Keeping the
# limiter 2 LSB under the ceiling keeps the int16 sample under it too.
HEADROOM = 2.0 / 32767.0
ABI = 1                     # STL_ABI in limiter.c: a stale build is refused, not misused
FIX = ("Install a C compiler and rebuild the station: ./run.sh test (it installs gcc and "
       "reinstalls), or: sudo apt-get install gcc libc6-dev && .venv/bin/pip install -e .")

_lib: ctypes.CDLL | None = None


def ceiling_linear(dbfs: float) -> float:
    """The ceiling as a fraction of full scale (0..1)."""
    return 10.0 ** (dbfs / 20.0)


def check_ceiling(dbfs: float) -> float:
    """``dbfs`` as a float if it is a usable ceiling, else ValueError."""
    lo, hi = CEILING_RANGE_DBFS
    if not isinstance(dbfs, (int, float)) or not math.isfinite(dbfs) or not lo <= dbfs <= hi:
        raise ValueError(f"the output ceiling must be {lo:g}..{hi:g} dBFS, got {dbfs!r}")
    return float(dbfs)


def library() -> ctypes.CDLL:
    """The compiled limiter (loaded once). Raises AudioError, naming the fix, if it is
    missing, cannot be loaded or is out of date."""
    global _lib
    if _lib is not None:
        return _lib
    spec = importlib.util.find_spec("station.sound._limiter")
    if spec is None or not spec.origin:
        raise AudioError("the output ceiling's limiter (station/sound/limiter.c) is not "
                         "built, so the station will not play: sound without its loudness "
                         "ceiling could startle. " + FIX)
    try:
        lib = ctypes.CDLL(spec.origin)
    except OSError as exc:
        raise AudioError(f"the output ceiling's limiter {spec.origin} cannot be loaded "
                         f"({exc}). " + FIX) from exc
    if lib.stl_abi() != ABI:
        raise AudioError(f"the output ceiling's limiter {spec.origin} is out of date "
                         f"(version {lib.stl_abi()}, this station needs {ABI}). " + FIX)
    p, i, d, f = ctypes.c_void_p, ctypes.c_int, ctypes.c_double, ctypes.c_float
    for name, res, args in (
            ("stl_new", p, [p, p, d, d, d, d]), ("stl_free", None, [p]),
            ("stl_set_bypass", None, [p, i]),
            ("stl_delay_frames", i, [p]), ("stl_min_gain", f, [p]),
            ("stl_max_input", f, [p]), ("stl_limited_blocks", ctypes.c_uint32, [p]),
            ("stl_process", None, [p, p, p, i]), ("stl_render_s16", i, [p, i, p]),
            ("stl_render_float", i, [p, i, p, p]),
            ("stl_file_open", p, [p, ctypes.c_char_p, i, d]), ("stl_file_ok", i, [p]),
            ("stl_file_close", None, [p])):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = res, args
    _lib = lib
    return lib


def require() -> None:
    """Raise AudioError (with the fix) unless the limiter can be used."""
    library()


def problem() -> str | None:
    """Why the ceiling cannot be applied on this machine, or None when it can."""
    try:
        library()
    except AudioError as exc:
        return str(exc)
    return None


def ceiling_words(status: dict | None) -> str:
    """One plain line about the ceiling from ``Limiter.status()`` (None: no limiter)."""
    if not status or not status.get("active"):
        why = (status or {}).get("error") or "no limiter"
        return f"Loudness ceiling: NOT ACTIVE ({why})."
    head = f"Loudness ceiling {status['dbfs']:g} dBFS"
    if not status.get("limited_blocks"):
        return head + ": never reached."
    return (f"{head}: reached; the loudest moment was turned down by "
            f"{-status['peak_reduction_db']:.1f} dB.")


class Output:
    """A real-time output running through the limiter: a FluidSynth audio driver (callback
    mode) or our file writer. ``ok`` while it plays; ``close()`` is idempotent."""

    def __init__(self, handle: int, close, ok=None) -> None:
        self._handle, self._close, self._ok = handle, close, ok

    @property
    def ok(self) -> bool:
        if self._handle is None:
            return False
        return True if self._ok is None else bool(self._ok(self._handle))

    def __bool__(self) -> bool:
        return self.ok

    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle is not None:
            self._close(handle)


class Limiter:
    """The limiter of one synth, or a free-standing one (``synth=None``) for ``process``.

    fluid_lib: pyfluidsynth's library name (``fluidsynth.lib``); synth: the
    ``fluid_synth_t*``; sample_rate in Hz; ceiling_dbfs in CEILING_RANGE_DBFS.
    Setting ``bypass`` makes offline renders and ``process`` pass audio through untouched
    and undelayed, for measurements; real-time output is limited whatever it says.
    """

    def __init__(self, sample_rate: int, ceiling_dbfs: float = DEFAULT_CEILING_DBFS, *,
                 fluid_lib: str | None = None, synth: int | None = None,
                 lookahead_s: float = LOOKAHEAD_S,
                 release_s: float = RELEASE_S) -> None:
        self.ceiling_dbfs = check_ceiling(ceiling_dbfs)
        self.threshold = ceiling_linear(self.ceiling_dbfs) - HEADROOM
        self.sample_rate = int(sample_rate)
        self._lib = lib = library()
        self._fluid = ctypes.CDLL(fluid_lib) if fluid_lib else None
        write = None
        if synth is not None:
            if self._fluid is None:
                raise ValueError("a synth's limiter needs fluid_lib")
            write = ctypes.cast(self._fluid.fluid_synth_write_float, ctypes.c_void_p)
        self._synth = synth
        self._state = lib.stl_new(synth, write, float(sample_rate), self.threshold,
                                  float(lookahead_s), float(release_s))
        if not self._state:
            raise ValueError(f"the limiter refused rate {sample_rate} Hz, look-ahead "
                             f"{lookahead_s} s or release {release_s} s")
        self.delay_frames = lib.stl_delay_frames(self._state)
        self._bypass = False

    @property
    def latency_ms(self) -> float:
        """The delay the limiter adds, in milliseconds (its look-ahead)."""
        return self.delay_frames / self.sample_rate * 1000.0

    @property
    def bypass(self) -> bool:
        return self._bypass

    @bypass.setter
    def bypass(self, on: bool) -> None:
        self._lib.stl_set_bypass(self._live_state(), int(bool(on)))
        self._bypass = bool(on)

    def _live_state(self) -> int:
        if not self._state:
            raise RuntimeError("the limiter is closed")
        return self._state

    def _live(self) -> int:
        state = self._live_state()
        if self._synth is None:
            raise RuntimeError("this limiter has no synth to render")
        return state

    def render(self, frames: int) -> np.ndarray:
        """Render ``frames`` offline: int16 array (frames, 2), limited, not dithered."""
        import numpy as np
        out = np.empty((frames, 2), dtype=np.int16)
        if frames and self._lib.stl_render_s16(self._live(), frames, out.ctypes.data) != 0:
            raise AudioError(f"FluidSynth failed to render {frames} frames")
        return out

    def render_float(self, frames: int) -> np.ndarray:
        """Render ``frames`` offline: float32 array (frames, 2), full scale 1.0."""
        import numpy as np
        left, right = np.empty(frames, np.float32), np.empty(frames, np.float32)
        if frames and self._lib.stl_render_float(self._live(), frames, left.ctypes.data,
                                                 right.ctypes.data) != 0:
            raise AudioError(f"FluidSynth failed to render {frames} frames")
        return np.stack([left, right], axis=1)

    def process(self, stereo: np.ndarray) -> np.ndarray:
        """Limit a float stereo signal (frames, 2) (full scale 1.0); returns a new array.
        State carries over between calls, as between audio periods."""
        import numpy as np
        state = self._live_state()
        data = np.asarray(stereo, dtype=np.float32)
        # copies, always: the C code works in place, and a one-frame column would
        # otherwise be a view of the caller's array (numpy calls it contiguous)
        left, right = data[:, 0].copy(), data[:, 1].copy()
        if not self._bypass and len(left):
            self._lib.stl_process(state, left.ctypes.data, right.ctypes.data, len(left))
        return np.stack([left, right], axis=1)

    def open_output(self, settings: int, driver: str, device: str,
                    period_size: int) -> Output | None:
        """Start real-time output through the limiter; None if the device cannot be
        opened. ``settings``: the synth's ``fluid_settings_t*`` (driver already set)."""
        state = self._live()
        if driver == "file":
            handle = self._lib.stl_file_open(state, device.encode(), int(period_size),
                                             float(self.sample_rate))
            return Output(handle, self._lib.stl_file_close, self._lib.stl_file_ok) \
                if handle else None
        new = self._fluid.new_fluid_audio_driver2
        new.restype, new.argtypes = ctypes.c_void_p, [ctypes.c_void_p] * 3
        delete = self._fluid.delete_fluid_audio_driver
        delete.restype, delete.argtypes = None, [ctypes.c_void_p]
        callback = ctypes.cast(self._lib.stl_audio_callback, ctypes.c_void_p)
        handle = new(settings, callback, state)
        return Output(handle, delete) if handle else None

    def status(self) -> dict:
        """The ceiling for ``station status``: level, look-ahead, and how hard it worked
        since start (peak gain reduction in dB, loudest input in dBFS before limiting)."""
        lib, s = self._lib, self._state
        if not s:
            return {"active": False, "dbfs": self.ceiling_dbfs, "error": "closed"}
        min_gain, max_in = lib.stl_min_gain(s), lib.stl_max_input(s)
        return {"active": not self._bypass, "dbfs": self.ceiling_dbfs,
                "lookahead_ms": round(self.latency_ms, 2),
                "peak_reduction_db": round(20 * math.log10(max(min_gain, 1e-9)), 1),
                "loudest_input_dbfs": (round(20 * math.log10(max_in), 1) if max_in > 0
                                       else None),
                "limited_blocks": int(lib.stl_limited_blocks(s))}

    def close(self) -> None:
        """Free the state. Only after every output using it is closed. Idempotent."""
        state, self._state = self._state, None
        if state:
            self._lib.stl_free(state)
