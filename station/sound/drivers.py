"""Which audio drivers this FluidSynth has, and a plain refusal of one it lacks.

FluidSynth's drivers are chosen when the library is built: Debian 12's FluidSynth
2.3.1 has alsa, file, jack, oss, pulseaudio and sdl2, and *no* pipewire driver (its
build does not link libpipewire). Asking for a driver the library lacks is not
refused by the setting (``audio.driver`` accepts any string); it only fails later,
inside ``new_fluid_audio_driver``, which the station would report as a device that
could not be opened. ``require_driver`` says what is really wrong instead, and what
to use: on a PipeWire system, FluidSynth's ``pulseaudio`` or ``jack`` driver plays
through PipeWire's own PulseAudio and JACK servers (pipewire-pulse, pipewire-jack).
"""

from __future__ import annotations

import ctypes
from functools import lru_cache

from station.core.errors import AudioError

# What to suggest instead of a driver this FluidSynth lacks (first one present wins).
ALTERNATIVES = {
    "pipewire": ("pulseaudio", "jack"),
    "pulseaudio": ("alsa",),
    "jack": ("alsa",),
}
REACHES = {
    ("pipewire", "pulseaudio"): "PipeWire's PulseAudio server (pipewire-pulse) takes it",
    ("pipewire", "jack"): "PipeWire's JACK server (pipewire-jack) takes it",
}


def _library():
    """pyfluidsynth, or None without it (``station.sound.synth`` then says how to install)."""
    try:
        import fluidsynth
    except ImportError:
        return None
    return fluidsynth


@lru_cache(maxsize=1)
def available_drivers() -> tuple[str, ...]:
    """The audio drivers the installed FluidSynth library was built with, sorted
    (empty when FluidSynth itself is missing)."""
    fs = _library()
    if fs is None:
        return ()
    lib = ctypes.CDLL(fs.lib)
    callback_type = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)
    lib.fluid_settings_foreach_option.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                                  ctypes.c_void_p, callback_type]
    lib.fluid_settings_foreach_option.restype = None
    found: list[str] = []
    collect = callback_type(lambda data, name, option: found.append(option.decode()))
    settings = fs.new_fluid_settings()
    try:
        lib.fluid_settings_foreach_option(settings, b"audio.driver", None, collect)
    finally:
        fs.delete_fluid_settings(settings)
    return tuple(sorted(found))


def fluidsynth_version() -> str:
    """The FluidSynth library's version, e.g. "2.3.1" ("" if it cannot say)."""
    fs = _library()
    if fs is None:
        return ""
    try:
        lib = ctypes.CDLL(fs.lib)
        lib.fluid_version_str.restype = ctypes.c_char_p
        return lib.fluid_version_str().decode()
    except (AttributeError, OSError):
        return ""


def require_driver(driver: str, where: str = "the station config") -> None:
    """Raise AudioError, in plain words, if this FluidSynth has no ``driver``.

    ``where`` names the file that chose it (shown to the person who must change it)."""
    have = available_drivers()
    if driver in have or not have:     # no FluidSynth at all: the Synth says what to install
        return
    version = fluidsynth_version()
    lib = f"FluidSynth {version}" if version else "FluidSynth"
    advice = ""
    for other in ALTERNATIVES.get(driver, ()):
        if other in have:
            reason = REACHES.get((driver, other))
            advice = (f" Use `driver: {other}` instead"
                      + (f": {reason}." if reason else "."))
            break
    raise AudioError(
        f"the audio driver '{driver}' (audio.driver in {where}) is not part of the "
        f"installed {lib}, which has: {', '.join(have) or 'no audio drivers'}.{advice}")
