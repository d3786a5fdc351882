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
from station.sound.mapping import Mapping
from station.turns.modes import Seating

QUIET_FACTOR = 0.5   # out-of-turn notes in "quiet" policy play at half velocity
CHORD_NS = 100_000_000   # pads started within 100 ms of each other sound as one chord
CHORD_LAW = 0.5      # the k-th pad of a chord plays at k ** -0.5 of its velocity


@dataclass
class Seat:
    """One player position and the client seated there (if any)."""

    player: Player
    profile: Profile | None = None
    client: str | None = None           # pseudonym written to the journal
    access: AccessStage | None = None
    mapping: Mapping | None = None
    sounding: dict[int, tuple[int, ...]] = field(default_factory=dict)   # pad -> notes
    wants_strength: bool = False        # velocity: touch (read how hard on each touch)
    pad_timbres: dict = field(default_factory=dict)   # pad -> Timbre (sound.per_pad)
    timbre: object | None = None        # the client's own Timbre
    selected: object | None = None      # the Timbre selected on the channel now
    started: dict = field(default_factory=dict)       # pad -> when it started (ns)

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
                 station_max: float, now: int | None = None) -> int:
        """0..127 (0: silent) for a touch of ``strength`` 0..1 (None: not read).

        ``quiet``: out of turn in the "quiet" policy; ``master`` 0..1 the panel's slider;
        ``station_max`` 0..1 the station's ceiling. Volume and the hard caps (client and
        station) apply last, always. ``now`` (ns): a pad started while k others of this
        seat started within ``CHORD_NS`` and still sound plays at (k+1) ** -0.5 of its
        velocity, so a whole hand or arm on the pads (a 12-pad chord) swells a little
        instead of driving the output ceiling into 15 dB of gain reduction."""
        sound = self.profile.sound
        base = sound["velocity"]
        if base == "touch":
            s = strength if strength is not None else 0.8
            base = 30 + 97 * max(0.0, min(1.0, s))
        level = base * sound["volume"] * master * (QUIET_FACTOR if quiet else 1.0)
        cap = 127 * min(sound["max_volume"], station_max) * master
        if now is not None:
            chord = sum(1 for pad, t in self.started.items()
                        if pad in self.sounding and 0 <= now - t <= CHORD_NS)
            level, cap = (x * (chord + 1) ** -CHORD_LAW for x in (level, cap))
        return int(min(level, cap))

    def play(self, synth, pad: int, notes: tuple[int, ...], velocity: int,
             now: int | None = None) -> None:
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
        if now is not None:
            self.started[pad] = now

    def silence(self, synth, intent: Event) -> list[Event]:
        """End the notes ``intent.pad`` holds; the NOTE_OFF events (none if it was quiet)."""
        notes = self.sounding.pop(intent.pad, ())
        channel = self.player.channel
        for n in notes:
            synth.note_off(channel, n)
        return [intent.but(kind=NOTE_OFF, note=n, channel=channel, velocity=None,
                           strength=None) for n in notes]


class SeatsView:
    """The seats, read-only, for the rooms below the engine (by player number).

    Implements ``journal.sessions.Seats`` and ``interop.attach.Seats``, and builds the
    turns room's ``Seating``. Every answer is read when asked, so
    a swap shows at once; nothing here can change a seat.
    """

    def __init__(self, seats: dict[int, Seat]) -> None:
        self._seats = seats

    def players(self) -> tuple[int, ...]:
        """Every configured player, in config order."""
        return tuple(self._seats)

    def seated(self, player: int) -> bool:
        """A client is seated at ``player`` (False for an unknown player)."""
        seat = self._seats.get(player)
        return seat is not None and seat.profile is not None

    def profile(self, player: int) -> Profile | None:
        seat = self._seats.get(player)
        return None if seat is None else seat.profile

    def client(self, player: int) -> str | None:
        """The seated client's pseudonym (what the journal writes), or None."""
        seat = self._seats.get(player)
        return None if seat is None else seat.client

    def role(self, player: int) -> str:
        return self._seats[player].player.role

    def channel(self, player: int) -> int:
        """The player's MIDI channel, 0..15."""
        return self._seats[player].player.channel

    def timbre(self, player: int):
        """The Timbre the player's channel sounds in now (None: never seated)."""
        seat = self._seats.get(player)
        return None if seat is None else seat.timbre

    def sounding(self, player: int) -> bool:
        """A note of this player is sounding now."""
        return bool(self._seats[player].sounding)

    def seating(self) -> Seating:
        """The seats as the turn modes see them (station.turns.modes)."""
        return Seating(players=tuple(sorted(self._seats)),
                       roles={n: s.player.role for n, s in self._seats.items()},
                       seated=self.seated, sounding=self.sounding, client=self.client)
