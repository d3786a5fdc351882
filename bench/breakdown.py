"""Where the time of a raw event goes, and the reference costs the ratios divide by.

* ``SimTimer``: the simulated MPR121's own work (its samples, filters, baseline and
  forecast: ``hardware.chip.timeline``) is the simulator's, not the station's; on a Pi it
  is the chip's silicon. It wraps those methods of each chip *instance* (nothing in the
  station changes) and sums their wall time (``perf_counter``: cheap enough to call
  around every model call), outermost calls only, plus any block the bench runs
  ``inside()`` (the world's hands). The storm reports it as simulation, as a share of
  its busy wall time applied to its CPU time.
* ``bare_noteon_us``: one ``fluid_synth_noteon`` through the station's ``Synth`` and
  nothing else, best batch of many (µs per call): the floor a raw event's cost is
  compared with (``storm_us_per_event_over_noteon``).
* ``bare_render_x``: the same notes as ``bench.audio.render_speed`` rendered straight
  through pyfluidsynth's ``write_s16`` into a bytes buffer, without the station's
  wrapper and output ceiling: ``render_over_bare`` = station render / bare render.

Times are seconds unless a name says µs.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

CHIP_MODEL = ("_sync", "_predict", "_refresh", "_disturb")   # the model's own work


class SimTimer:
    """Seconds spent in the simulated chips' model (see the module docstring)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0
        self._depth = 0

    def attach(self, world) -> SimTimer:
        """Wrap the model methods of every chip of ``world`` (a SimulatedHardware)."""
        for chip in world._chips.values():
            for name in CHIP_MODEL:
                if hasattr(chip, name):
                    setattr(chip, name, self._wrap(getattr(chip, name)))
        return self

    def _wrap(self, method):
        def timed(*args, **kw):
            if self._depth:
                return method(*args, **kw)
            self._depth = 1
            t0 = time.perf_counter()
            try:
                return method(*args, **kw)
            finally:
                self.seconds += time.perf_counter() - t0
                self.calls += 1
                self._depth = 0
        return timed

    @contextmanager
    def inside(self):
        """Count a whole block as simulation (the world acting on the chips)."""
        outer = self._depth
        self._depth = 1
        t0 = time.perf_counter()
        try:
            yield
        finally:
            if not outer:
                self.seconds += time.perf_counter() - t0
            self._depth = outer


def bare_noteon_us(batches: int = 30, notes: int = 64) -> float:
    """Best of ``batches``: µs per ``Synth.note_on`` of ``notes`` keys in a row (each
    batch starts from silence: the keys are cut with CC120 between batches, untimed)."""
    from station.config.station import load_config
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth

    config = load_config()
    best = float("inf")
    with Synth(find_soundfont(config.soundfont), sample_rate=config.audio["sample_rate"],
               gain=config.audio["gain"]) as synth:
        for _ in range(batches):
            t0 = time.perf_counter()
            for key in range(36, 36 + notes):
                synth.note_on(0, key, 100)
            best = min(best, (time.perf_counter() - t0) / notes)
            synth.all_notes_off(0, immediate=True)
            synth.render(256)
    return best * 1e6


def bare_render_x(seconds: float) -> float:
    """``bench.audio.render_speed``'s notes through FluidSynth alone, x real time."""
    import fluidsynth

    from station.config.station import load_config
    from station.sound.fluid_settings import configure
    from station.sound.soundfont import find_soundfont
    from station.sound.timbres import timbre

    config = load_config()
    rate = config.audio["sample_rate"]
    chunk = rate // 100
    settings = fluidsynth.new_fluid_settings()
    configure(fluidsynth, settings, sample_rate=rate, gain=config.audio["gain"], reverb=0.0,
              polyphony=256, audio=None)
    synth = fluidsynth.new_fluid_synth(settings)
    try:
        sfid = fluidsynth.fluid_synth_sfload(synth, str(find_soundfont(config.soundfont))
                                             .encode(), 1)
        for ch, name in enumerate(("marimba", "soft_piano", "harp", "strings")):
            t = timbre(name)
            fluidsynth.fluid_synth_program_select(synth, ch, sfid, t.bank, t.program)
        chunks = int(seconds * 100)
        t0 = time.perf_counter()
        for i in range(chunks):
            if i % 25 == 0:
                for ch in range(4):
                    fluidsynth.fluid_synth_noteoff(synth, ch, 60 + 2 * ch + (i // 25 - 1) % 5)
                    fluidsynth.fluid_synth_noteon(synth, ch, 60 + 2 * ch + (i // 25) % 5, 90)
            fluidsynth.fluid_synth_write_s16_stereo(synth, chunk)
        wall = time.perf_counter() - t0
    finally:
        fluidsynth.delete_fluid_synth(synth)
        fluidsynth.delete_fluid_settings(settings)
    return chunks * chunk / rate / wall
