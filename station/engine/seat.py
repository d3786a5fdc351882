"""A seat: one player position, the client seated there, and what its pads sound.

The engine (``pipeline``) decides *whether* an intent sounds (the seat's filters, the
turn gate, all-quiet); the seat says *how*: the velocity of the client's settings under
the hard caps, the timbre of each pad on the player's one channel, and which notes each
pad holds, so that they can be ended. Its notes go straight to the synth: this is the
touch-to-sound path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from station.access.chain import AccessStage
from station.config.profile import Profile
from station.config.station import Player
from station.core.events import NOTE_OFF, Event

QUIET_FACTOR = 0.5   # out-of-turn notes in "quiet" policy play at half velocity


@dataclass
class Seat:
    """One player position and the client seated there (if any)."""

    player: Player
    profile: Profile | None = None
    client: str | None = None           # pseudonym written to the journal
    access: AccessStage | None = None
    mapping: object | None = None
    sounding: dict[int, tuple[int, ...]] = field(default_factory=dict)   # pad -> notes
    wants_strength: bool = False        # velocity: touch (read how hard on each touch)
    pad_timbres: dict = field(default_factory=dict)   # pad -> Timbre (sound.per_pad)
    timbre: object | None = None        # the client's own Timbre
    selected: object | None = None      # the Timbre selected on the channel now

    def take(self, profile: Profile, client: str) -> None:
        """Seat ``profile`` here for ``client`` (its pseudonym): fresh filters and song
        position over the rules, mapping and timbres resolved when the profile was loaded.
        The synth's channel is set up by the engine."""
        resolved = profile.resolved
        self.profile = profile
        self.client = client
        self.access = AccessStage(resolved.rules, self.player.player, client)
        self.mapping = resolved.mapping.fresh()
        self.timbre = self.selected = resolved.timbre
        self.pad_timbres = dict(resolved.pad_timbres)
        self.wants_strength = profile.sound["velocity"] == "touch"

    def velocity(self, strength: float | None, quiet: bool, master: float,
                 station_max: float) -> int:
        """0..127 (0: silent) for a touch of ``strength`` 0..1 (None: not read).

        ``quiet``: out of turn in the "quiet" policy; ``master`` 0..1 the panel's slider;
        ``station_max`` 0..1 the station's ceiling. Volume and the hard caps (client and
        station) apply last, always."""
        sound = self.profile.sound
        base = sound["velocity"]
        if base == "touch":
            s = strength if strength is not None else 0.8
            base = 30 + 97 * max(0.0, min(1.0, s))
        level = base * sound["volume"] * master * (QUIET_FACTOR if quiet else 1.0)
        cap = 127 * min(sound["max_volume"], station_max) * master
        return int(min(level, cap))

    def play(self, synth, pad: int, notes: tuple[int, ...], velocity: int) -> None:
        """Start ``notes`` (MIDI 0..127) for ``pad`` at ``velocity`` 1..127 on the player's
        channel, in the pad's own timbre (one channel per player: the program switches)."""
        channel = self.player.channel
        if self.pad_timbres:
            timbre = self.pad_timbres.get(pad, self.timbre)
            if timbre is not self.selected:
                synth.set_timbre(channel, timbre)
                self.selected = timbre
        for n in notes:
            synth.note_on(channel, n, velocity)
        self.sounding[pad] = notes

    def silence(self, synth, intent: Event) -> list[Event]:
        """End the notes ``intent.pad`` holds; the NOTE_OFF events (none if it was quiet)."""
        notes = self.sounding.pop(intent.pad, ())
        channel = self.player.channel
        for n in notes:
            synth.note_off(channel, n)
        return [intent.but(kind=NOTE_OFF, note=n, channel=channel, velocity=None,
                           strength=None) for n in notes]
