"""The loudness of each player and of the backing in a simulated session (LUFS).

The room hears one mix, so a simulation measures its parts the way a studio would: every
note, timbre and channel volume the station sends goes to the mixing synth *and* to a
silent twin synth per part (``player N``, ``backing``, ``echo``), rendered in step with the
mix and fed to a streaming BS.1770 meter (station.sound.loudness.LoudnessMeter). The twins
have the same font, gain and level table as the mix and no output ceiling, so a part's
figure is what it contributes before limiting. ``TeeSynth`` is what the station is given:
the mixing synth, with the calls that make sound copied to the part of their channel.
"""

from __future__ import annotations

from station.sound.loudness import LoudnessMeter
from station.sound.synth import Synth


class _TeeLevels:
    def __init__(self, tee) -> None:
        self._tee = tee

    def __getattr__(self, name):          # timbre, voice, set: on the mix and the part
        def call(channel, *args):
            getattr(self._tee.inner.levels, name)(channel, *args)
            part = self._tee.part(channel)
            if part is not None:
                getattr(part.levels, name)(channel, *args)
        return call


class TeeSynth:
    """The mixing synth, with every sounding call copied to the part of its channel.

    ``parts``: channel (0..15) -> part name; channels not listed (the start-up cue) are
    only mixed."""

    def __init__(self, inner: Synth, parts: dict[int, str], gain: float) -> None:
        self.inner = inner
        self.names = parts
        self.gain = gain
        self.twins: dict[str, Synth] = {}         # made when their part first plays
        self.meters: dict[str, LoudnessMeter] = {}
        self._frames = 0                          # frames rendered so far
        self.levels = _TeeLevels(self)

    def part(self, channel: int) -> Synth | None:
        name = self.names.get(channel)
        if name is None:
            return None
        if name not in self.twins:        # a part that never plays costs nothing
            inner = self.inner
            self.twins[name] = Synth(inner.soundfont, sample_rate=inner.sample_rate,
                                     gain=self.gain, ceiling_dbfs=None,
                                     levels=inner.levels.levels)
            self.meters[name] = LoudnessMeter(inner.sample_rate)
            self.meters[name].silence(self._frames)
        return self.twins[name]

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def _both(self, method: str, channel, *args, **kw):
        twin = self.part(channel) if channel is not None else None
        if twin is not None:
            getattr(twin, method)(channel, *args, **kw)
        elif channel is None:
            for twin in list(self.twins.values()):
                getattr(twin, method)(channel, *args, **kw)
        return getattr(self.inner, method)(channel, *args, **kw)

    def note_on(self, channel, note, velocity):
        return self._both("note_on", channel, note, velocity)

    def note_off(self, channel, note):
        return self._both("note_off", channel, note)

    def set_timbre(self, channel, timbre):
        return self._both("set_timbre", channel, timbre)

    def set_channel_volume(self, channel, volume):
        return self._both("set_channel_volume", channel, volume)

    def set_reverb_send(self, channel, amount):
        return self._both("set_reverb_send", channel, amount)

    def all_notes_off(self, channel=None, *, immediate=False):
        return self._both("all_notes_off", channel, immediate=immediate)

    def render(self, frames: int):
        """The mix's next ``frames``; each part renders (and is measured) in step."""
        for name, twin in self.twins.items():
            if twin.active_voices():
                self.meters[name].feed(twin.render(frames))
            else:                         # nothing sounds: no need to render silence
                self.meters[name].silence(frames)
        self._frames += frames
        return self.inner.render(frames)

    def loudness(self) -> dict[str, float | None]:
        """Part name -> integrated LUFS (None: silent throughout)."""
        out = {}
        for name, meter in self.meters.items():
            value = meter.lufs()
            out[name] = round(value, 1) if value > -200 else None
        return out

    def close(self) -> None:
        for twin in self.twins.values():
            twin.close()
        self.inner.close()


def parts_of(config) -> dict[int, str]:
    """Channel (0..15) -> part: each player's channel, the backing's two, the echoes'."""
    music = config.raw["session_music"]
    parts = {p.channel: f"player {p.player}" for p in config.players}
    parts[music["backing_channel"] - 1] = "backing"
    parts[music["pulse_layer_channel"] - 1] = "backing"
    for ch in music["echo_channels"]:
        parts[ch - 1] = "echo"
    return parts
