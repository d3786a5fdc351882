"""The sound edge: one FluidSynth instance, offline (render to arrays) or real time (ALSA).

FluidSynth raises nothing: every call returns a code (a wrong setting type is ignored
silently); this wrapper checks each and raises SoundfontError/AudioError in plain words.
Channels are MIDI 0..15, notes and velocities 0..127, levels 0..1. ``note_on``/``note_off``
sit on the touch-to-sound path: plain integer checks and the C call (station.sound.fastcall).
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from station.core.errors import AudioError, SoundfontError
from station.sound.fastcall import note_calls
from station.sound.fluid_settings import CHANNELS, AudioSettings, configure
from station.sound.levels import ChannelLevels, Levels, find_levels
from station.sound.limiter import DEFAULT_CEILING_DBFS, Limiter, Output
from station.sound.timbres import Timbre

if TYPE_CHECKING:           # numpy only for offline rendering: the daemon never loads it
    import numpy as np

CC_VOLUME, CC_SUSTAIN, CC_REVERB_SEND = 7, 64, 91
CC_ALL_SOUND_OFF, CC_ALL_NOTES_OFF = 120, 123


def _fluidsynth():
    """Import pyfluidsynth lazily: profiles can be validated on a machine without it."""
    try:
        import fluidsynth
    except ImportError as exc:  # pyfluidsynth raises ImportError when the C library is missing
        raise AudioError("FluidSynth is not available: " + str(exc) + ". Install it with: "
                         "sudo apt-get install --no-install-recommends libfluidsynth3") from exc
    return fluidsynth


class Synth:
    """A FluidSynth synthesizer with one soundfont loaded.

    soundfont: path of a .sf2/.sf3 file (see station.sound.soundfont.find_soundfont).
    sample_rate: Hz for offline rendering (with ``audio`` its sample_rate is used instead).
    gain: master gain 0..10 (FluidSynth's own default 0.2 is too quiet; 0.5 suits 1-4 notes).
    reverb: reverb level 0..1; 0 disables the reverb unit entirely (saves Pi CPU).
    polyphony: maximum simultaneous voices 1..1024 (256: 48 pads of 3-note chords plus
        their release tails; voices cost CPU only while they sound).
    audio: None renders offline via ``render()``; AudioSettings starts real-time output.
    open_audio: False makes a real-time synth whose device is opened later by
    ``reopen_audio()`` (the daemon's audio guard keeps trying a missing device).
    ceiling_dbfs: no output sample exceeds this level (station.sound.limiter); None
        renders FluidSynth's raw output (offline only, for measurements).
    levels: the per-timbre loudness table (station.sound.levels); "auto" finds the
        font's own, None plays every preset at the font's level (calibration does).
    """

    def __init__(self, soundfont: str | Path, *, sample_rate: int = 48000, gain: float = 0.5,
                 reverb: float = 0.0, polyphony: int = 256,
                 audio: AudioSettings | None = None, open_audio: bool = True,
                 ceiling_dbfs: float | None = DEFAULT_CEILING_DBFS,
                 levels: Levels | str | None = "auto") -> None:
        if audio is not None:
            sample_rate = audio.sample_rate
        if not 8000 <= sample_rate <= 96000:
            raise ValueError(f"sample_rate must be 8000..96000 Hz, got {sample_rate}")
        if not 0.0 <= gain <= 10.0:
            raise ValueError(f"gain must be 0..10, got {gain}")
        if not 0.0 <= reverb <= 1.0:
            raise ValueError(f"reverb must be 0..1, got {reverb}")
        if not 1 <= polyphony <= 1024:
            raise ValueError(f"polyphony must be 1..1024 voices, got {polyphony}")
        if audio is not None and ceiling_dbfs is None:
            raise ValueError("real-time output always goes through the output ceiling")
        fs = _fluidsynth()
        self._fs = fs
        self.sample_rate = int(sample_rate)
        self.realtime = audio is not None
        self.audio = audio
        self.soundfont = Path(soundfont)
        self._driver: Output | None = None
        self._settings = fs.new_fluid_settings()
        self._synth = None
        self.limiter: Limiter | None = None
        try:
            configure(fs, self._settings, sample_rate=self.sample_rate, gain=gain,
                      reverb=reverb, polyphony=polyphony, audio=audio)
            self._synth = fs.new_fluid_synth(self._settings)
            if not self._synth:
                raise AudioError("FluidSynth could not create a synthesizer (out of memory?)")
            self._sfid = fs.fluid_synth_sfload(self._synth, str(self.soundfont).encode(), 1)
            if self._sfid == fs.FLUID_FAILED:
                raise SoundfontError(f"FluidSynth could not load the soundfont {self.soundfont}."
                                     " Check that the file exists and is a valid .sf2/.sf3 file.")
            if ceiling_dbfs is not None:
                self.limiter = Limiter(self.sample_rate, ceiling_dbfs, fluid_lib=fs.lib,
                                       synth=self._synth)
            if audio is not None and open_audio:
                self._start_driver(audio)
        except BaseException:
            self._release()
            raise
        # bound C functions, looked up once: the hot path skips pyfluidsynth's wrappers,
        # and keeps the GIL across the note calls (station.sound.fastcall)
        self._noteon, self._noteoff = note_calls(fs.lib)
        self._cc = fs.fluid_synth_cc
        self.levels = ChannelLevels(fs.lib, self._synth, find_levels(self.soundfont)
                                    if isinstance(levels, str) else levels)
        self._write = None
        self._reverb_on = reverb > 0
        if not self.realtime:
            # pyfluidsynth declares the result as a pointer; the C function returns int
            write = ctypes.CDLL(fs.lib).fluid_synth_write_s16
            write.restype = ctypes.c_int
            write.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.c_int,
                              ctypes.c_int, ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
            self._write = write

    def _start_driver(self, audio: AudioSettings) -> None:
        # the driver through the limiter (station.sound.limiter), not pyfluidsynth's
        # start(): that also opens a MIDI input driver we do not want, and returns OK
        # even when the audio failed
        self._driver = self.limiter.open_output(self._settings, audio.driver, audio.device,
                                                audio.period_size)
        if not self._driver:
            raise AudioError(
                f"could not open the audio device '{audio.device}' with the '{audio.driver}'"
                " driver. Check that the sound card is connected, that `aplay -L` lists the"
                " device, and that no other program is using it; then set the audio device"
                " in configs/station.yaml.")

    def reopen_audio(self) -> None:
        """Close the real-time output (if open) and open it again with the same settings.

        The synth itself (soundfont, programs, controllers) is kept, so the next note
        sounds as before. Raises AudioError if the device cannot be opened (output then
        stays closed until the next attempt).
        """
        if self.audio is None or self._synth is None:
            raise RuntimeError("reopen_audio() needs an open real-time synth")
        if self._driver is not None:
            self._driver.close()
        self._driver = None
        self._start_driver(self.audio)

    @property
    def audio_driver_ok(self) -> bool:
        """True while real-time output is running (always False offline)."""
        return bool(self._driver)

    @property
    def handles(self) -> tuple:
        """(pyfluidsynth's module, the ``fluid_synth_t`` pointer; None once closed), for
        FluidSynth's own sequencer (sound.scheduler)."""
        return self._fs, self._synth

    @property
    def closed(self) -> bool:
        return self._synth is None

    def _check_channel(self, channel: int) -> None:
        if not 0 <= channel < CHANNELS:
            raise ValueError(f"MIDI channel must be 0..{CHANNELS - 1}, got {channel}")

    def set_timbre(self, channel: int, timbre: Timbre) -> None:
        """Select ``timbre``'s bank/program on ``channel`` (percussion kits use bank 128)."""
        self._check_channel(channel)
        if self._synth is None:
            raise RuntimeError("the synth is closed")
        code = self._fs.fluid_synth_program_select(self._synth, channel, self._sfid,
                                                   timbre.bank, timbre.program)
        if code == self._fs.FLUID_FAILED:
            raise SoundfontError(f"the soundfont {self.soundfont.name} has no preset for timbre"
                                 f" '{timbre.name}' (bank {timbre.bank}, program {timbre.program})."
                                 " Pick another timbre or a General MIDI soundfont.")
        self.levels.timbre(channel, timbre.name)       # equal loudness, centred

    def _control(self, channel: int, controller: int, value: int) -> None:
        self._check_channel(channel)
        if self._synth is not None and \
                self._cc(self._synth, channel, controller, value) == self._fs.FLUID_FAILED:
            raise AudioError(f"FluidSynth refused controller {controller} on channel {channel}")

    def set_channel_volume(self, channel: int, volume: float) -> None:
        """Channel volume 0..1 (MIDI CC7; FluidSynth's curve makes 0 silent, 1 full)."""
        if not 0.0 <= volume <= 1.0:
            raise ValueError(f"volume must be 0..1, got {volume}")
        self._control(channel, CC_VOLUME, round(volume * 127))

    def set_reverb_send(self, channel: int, amount: float) -> None:
        """Reverb send 0..1 (MIDI CC91). The reverb unit is switched on the first time a
        send above 0 is asked for (a profile's ``sound.reverb``); until then it costs no CPU."""
        if not 0.0 <= amount <= 1.0:
            raise ValueError(f"reverb send must be 0..1, got {amount}")
        if amount > 0 and not self._reverb_on and self._synth is not None:
            reverb_on = ctypes.CDLL(self._fs.lib).fluid_synth_reverb_on
            reverb_on.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int]
            reverb_on(self._synth, -1, 1)       # -1: every effects group
            self._reverb_on = True
        self._control(channel, CC_REVERB_SEND, round(amount * 127))

    def note_on(self, channel: int, note: int, velocity: int) -> bool:
        """Start ``note`` (0..127) at ``velocity`` (1..127; 0 means note off, as in MIDI).

        Returns False when FluidSynth refused it or the synth is closed: a late touch during
        shutdown must not crash the input thread. Raises ValueError for out-of-range numbers.
        """
        if not (0 <= channel < CHANNELS and 0 <= note <= 127 and 0 <= velocity <= 127):
            raise ValueError(f"note_on needs channel 0..15, note and velocity 0..127;"
                             f" got {channel}, {note}, {velocity}")
        if self._synth is None:
            return False
        return self._noteon(self._synth, channel, note, velocity) == 0

    def note_off(self, channel: int, note: int) -> bool:
        """Release ``note`` (0..127). False if it was not sounding or the synth is closed."""
        if not (0 <= channel < CHANNELS and 0 <= note <= 127):
            raise ValueError(f"note_off needs channel 0..15 and note 0..127; got {channel}, {note}")
        if self._synth is None:
            return False
        return self._noteoff(self._synth, channel, note) == 0

    def all_notes_off(self, channel: int | None = None, *, immediate: bool = False) -> None:
        """Release every note on ``channel`` (every channel when None); sustain pedal off too.

        Sends CC64 0, CC123 and a note-off per key: belt and braces, because a stuck note is
        what a client hears when anything goes wrong. ``immediate`` also cuts the release
        tails (CC120) for a therapist's emergency stop. No-op once closed.
        """
        if self._synth is None:
            return
        channels = range(CHANNELS) if channel is None else (channel,)
        for chan in channels:
            self._control(chan, CC_SUSTAIN, 0)
            self._control(chan, CC_ALL_NOTES_OFF, 0)
            for key in range(128):
                self._noteoff(self._synth, chan, key)  # FAILED just means "was not on"
            if immediate:
                self._control(chan, CC_ALL_SOUND_OFF, 0)

    def active_voices(self) -> int:
        """Number of voices currently sounding (0 when closed)."""
        if self._synth is None:
            return 0
        return self._fs.fluid_synth_get_active_voice_count(self._synth)

    def render(self, frames: int) -> np.ndarray:
        """Render ``frames`` frames offline: int16 array of shape (frames, 2), left/right.

        Note events take effect at the start of the next 64-frame FluidSynth block. With a
        ceiling the audio is limited (and delayed by its look-ahead); without, it is
        FluidSynth's own dithered int16. Raises RuntimeError in real-time mode (the audio
        driver owns the synth's output).
        """
        if self.realtime:
            raise RuntimeError("render() is for offline synths; this one plays in real time")
        if self._synth is None:
            raise RuntimeError("the synth is closed")
        if frames < 0:
            raise ValueError(f"frames must be >= 0, got {frames}")
        if self.limiter is not None:
            return self.limiter.render(frames)
        import numpy as np  # lazily: ~17 MB of RSS the real-time daemon does not need
        out = np.empty((frames, 2), dtype=np.int16)
        if frames:
            ptr = out.ctypes.data  # interleaved: left at offset 0, right at 1, stride 2
            if self._write(self._synth, frames, ptr, 0, 2, ptr, 1, 2) != 0:
                raise AudioError(f"FluidSynth failed to render {frames} frames")
        return out

    def render_seconds(self, seconds: float) -> np.ndarray:
        """Render ``seconds`` of audio offline (see ``render``)."""
        return self.render(round(seconds * self.sample_rate))

    def _release(self) -> None:
        fs = self._fs
        if self._driver is not None:
            self._driver.close()                # stop the audio thread first
        self._driver = None
        if self.limiter is not None:
            self.limiter.close()                # the audio thread used it: only now
        if self._synth:
            fs.delete_fluid_synth(self._synth)
        self._synth = None
        if self._settings:
            fs.delete_fluid_settings(self._settings)
        self._settings = None

    def close(self) -> None:
        """Silence every note, stop audio output and free FluidSynth. Idempotent."""
        if self._synth is not None:
            self.all_notes_off(immediate=True)
        self._release()

    def __enter__(self) -> Synth:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
