"""FluidSynth's settings for one synth: the real-time output and the synth itself.

``AudioSettings`` is the real-time output (driver, device, buffer sizes), checked when
made; ``driver_settings`` says how each driver names its device. ``configure`` applies
them, and the synth's own (gain, sample rate, 16 MIDI channels, polyphony, reverb, no
chorus), to a ``new_fluid_settings`` object before the synth is made from it.

FluidSynth ignores a setting given with the wrong C type and accepts any string for
``audio.driver``: each setting is set with the type it expects and its result checked
(AudioError, in plain words), and a driver this build lacks is refused by name
(``drivers.require_driver``) instead of failing later as a device that would not open.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.core.errors import AudioError, ConfigError

CHANNELS = 16


@dataclass(frozen=True)
class AudioSettings:
    """Real-time output: FluidSynth driver, device and buffer sizes.

    On a Pi use an ALSA ``hw:`` device (dmix adds latency): 64 frames x 3 periods at
    48 kHz is 4 ms. For driver "file", ``device`` is the output file name.
    """

    driver: str = "alsa"
    device: str = "default"
    period_size: int = 64   # frames per period, 64..8192
    periods: int = 3        # periods in the buffer, 2..64
    sample_rate: int = 48000  # Hz, 22050..96000

    def __post_init__(self) -> None:
        if not 64 <= self.period_size <= 8192:
            raise ConfigError(f"audio period_size must be 64..8192 frames, got {self.period_size}")
        if not 2 <= self.periods <= 64:
            raise ConfigError(f"audio periods must be 2..64, got {self.periods}")
        if not 22050 <= self.sample_rate <= 96000:
            raise ConfigError(f"audio sample_rate must be 22050..96000 Hz, got {self.sample_rate}")

    @property
    def latency_ms(self) -> float:
        """Output buffer latency in milliseconds: periods x period_size / sample_rate."""
        return self.periods * self.period_size / self.sample_rate * 1000.0


def driver_settings(audio: AudioSettings) -> dict[str, str | int]:
    """FluidSynth settings that say where ``audio.device`` goes, per driver.

    Each driver names its device differently, and a setting a driver does not have is
    refused: JACK has no ``audio.jack.device`` (the device is the JACK server's name, and
    our ports are "station:left/right", connected to the system playback ports);
    PipeWire has no device (its session manager routes the stream); "default" means the
    driver's own default everywhere.
    """
    dev = audio.device
    if audio.driver == "file":
        return {"audio.file.name": dev}
    if audio.driver == "jack":
        out: dict[str, str | int] = {"audio.jack.id": "station", "audio.jack.autoconnect": 1,
                                     "audio.jack.multi": 0}
        if dev and dev != "default":
            out["audio.jack.server"] = dev
        return out
    if audio.driver == "pipewire":
        return {}
    return {f"audio.{audio.driver}.device": dev}


def set_checked(fs, settings, name: str, value: str | int | float) -> None:
    """Set one FluidSynth setting with the C type it expects, checking the result.

    ``fs``: the pyfluidsynth module; ``settings``: a ``new_fluid_settings`` object."""
    key = name.encode()
    if isinstance(value, str):
        code = fs.fluid_settings_setstr(settings, key, value.encode())
    elif isinstance(value, int):
        code = fs.fluid_settings_setint(settings, key, value)
    else:
        code = fs.fluid_settings_setnum(settings, key, float(value))
    if code == fs.FLUID_FAILED:
        raise AudioError(f"FluidSynth refused the setting {name} = {value!r}")


def configure(fs, settings, *, sample_rate: int, gain: float, reverb: float, polyphony: int,
              audio: AudioSettings | None) -> None:
    """Apply the synth's settings (see ``Synth``: ``sample_rate`` Hz, ``gain`` 0..10,
    ``reverb`` 0..1, ``polyphony`` voices) and, for real time, ``audio``'s."""
    def put(name: str, value: str | int | float) -> None:
        set_checked(fs, settings, name, value)
    # floats for 'num' settings and ints for 'int' settings: a wrong type is ignored
    put("synth.gain", float(gain))
    put("synth.sample-rate", float(sample_rate))
    put("synth.midi-channels", CHANNELS)
    put("synth.polyphony", int(polyphony))
    put("synth.reverb.active", 1 if reverb > 0 else 0)
    if reverb > 0:
        put("synth.reverb.level", float(reverb))
    put("synth.chorus.active", 0)  # chorus smears pitch and costs CPU
    if audio is not None:
        from station.sound.drivers import require_driver
        require_driver(audio.driver)    # a driver this build lacks: say so plainly
        put("audio.driver", audio.driver)
        for name, value in driver_settings(audio).items():
            put(name, value)
        put("audio.period-size", int(audio.period_size))
        put("audio.periods", int(audio.periods))
