"""The engine: input events in; accessibility, turn gate, music mapping; sinks out.

Single-threaded by design: the daemon feeds it from one queue, the simulator calls it
directly, so no locks sit on the touch-to-sound path. Everything is a function of
(event, now) plus ``tick(now)``; ``next_deadline()`` says when ``tick`` is next due.

Order on a touch: wiring lookup → seat's access stage → turn gate → mapping →
synth.note_on → listeners (journal, lights). The synth call comes first among the sinks
because it is the only one a client hears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from station.access import AccessStage
from station.config import Player, StationConfig
from station.events import (NOTE_OFF, NOTE_ON, PAD_OFF, PAD_ON, PRESS, PROFILE, RELEASE,
                            SUPPRESSED, TOUCH, UNPRESS, Event)
from station.profile import Profile
from station.turns import FreeGate

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


class Engine:
    def __init__(self, config: StationConfig, *, synth, clock,
                 pseudonym: Callable[[str], str] = lambda cid: cid,
                 gate=None) -> None:
        self.config = config
        self.synth = synth
        self.clock = clock
        self.gate = gate or FreeGate()
        self._pseudonym = pseudonym
        self.listeners: list[Callable[[Event], None]] = []
        self.controls: dict[str, Callable[[int], None]] = {}
        self.seats = {p.player: Seat(p) for p in config.players}
        self._pads: dict[tuple[int, int], tuple[int, int]] = {}
        self._switches: dict[str, tuple[int, int]] = {}
        for p in config.players:
            for pad, electrode in enumerate(p.electrodes):
                self._pads[(p.board, electrode)] = (p.player, pad)
            if p.switch_gpio is not None:
                self._switches[p.switch_name] = (p.player, p.switch_pad)
        self.boards: dict[int, str] = {}     # address -> last fault/recovery detail
        self.paused = False             # all-quiet: pads pause until released
        self.last_touch_ns: int | None = None

    # -- seating -------------------------------------------------------------------------------
    def use_client(self, player: int, profile: Profile | None, now: int) -> None:
        """Seat ``profile`` at ``player`` (None empties the seat); previous notes end."""
        seat = self.seats[player]
        if seat.access is not None:
            self._apply(seat, seat.access.release_all(now), now)
        seat.profile = profile
        if profile is None:
            seat.client = seat.access = seat.mapping = None
            self._emit(Event(PROFILE, now, player=player, detail="empty"))
            return
        seat.client = self._pseudonym(profile.client_id)
        seat.access = AccessStage(profile.touch, player, seat.client)
        seat.mapping = profile.mapping()
        self.synth.set_timbre(seat.player.channel, profile.timbre())
        self.synth.set_reverb_send(seat.player.channel, profile.sound["reverb"])
        self._emit(Event(PROFILE, now, player=player, client=seat.client,
                         detail=f"use:{profile.version}"))

    def refuse_client(self, player: int, client_id: str, reason: str, now: int) -> None:
        """Log a refused profile; the seat keeps what it had."""
        self._emit(Event(PROFILE, now, player=player, client=self._pseudonym(client_id),
                         detail=f"refused:{reason.splitlines()[0][:200]}"))

    # -- input -----------------------------------------------------------------------------------
    def handle(self, event: Event) -> None:
        """One raw hardware event (touch/release/press/unpress)."""
        now = event.t_ns
        if event.kind in (PRESS, UNPRESS):
            if event.button in self._switches:
                kind = TOUCH if event.kind == PRESS else RELEASE
                player, pad = self._switches[event.button]
                self._input(event.but(kind=kind), player, pad, now)
            else:
                self._emit(event)
                action = self.controls.get(event.button)
                if action is not None and event.kind == PRESS:
                    action(now)
            return
        where = self._pads.get((event.board, event.electrode))
        if where is None:
            self._emit(event)      # an unassigned electrode: logged, never sounds
            return
        self._input(event, *where, now)

    def _input(self, event: Event, player: int, pad: int, now: int) -> None:
        seat = self.seats[player]
        raw = event.but(player=player, pad=pad, client=seat.client)
        if seat.access is None:
            self._emit(raw)
            if event.kind == TOUCH:
                self._emit(raw.but(kind=SUPPRESSED, detail="no_client"))
            return
        if event.kind == TOUCH:
            self.last_touch_ns = now
            out = seat.access.touch(pad, now, event.strength)
        else:
            out = seat.access.release(pad, now)
        self._apply(seat, out, now, raw)

    def fault(self, event: Event) -> None:
        """A hardware fault or recovery (detail: board_missing, board_lost, board_recovered)."""
        if event.board is not None:
            self.boards[event.board] = event.detail
        self._emit(event)

    # -- time ------------------------------------------------------------------------------------
    def tick(self, now: int) -> None:
        for seat in self.seats.values():
            if seat.access is not None:
                out = seat.access.tick(now)
                if out:
                    self._apply(seat, out, now)
        for e in self.gate.tick(now):
            self._emit(e)

    def next_deadline(self) -> int | None:
        times = [s.access.next_deadline() for s in self.seats.values() if s.access]
        times.append(self.gate.next_deadline())
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def all_notes_off(self, now: int, reason: str = "stop") -> None:
        """End every sounding note of every seat, then silence the synth outright."""
        for seat in self.seats.values():
            if seat.access is not None:
                self._apply(seat, seat.access.release_all(now), now)
        self.synth.all_notes_off()

    # -- intents to sound ----------------------------------------------------------------------
    def _apply(self, seat: Seat, intents: list[Event], now: int, raw: Event | None = None) -> None:
        emitted_raw = raw is None
        for intent in intents:
            if intent.kind == PAD_ON:
                verdict = "mute" if self.paused else self.gate.admit(seat.player.player, now)
                if verdict == "mute":
                    out = [intent.but(kind=SUPPRESSED,
                                      detail="all_quiet" if self.paused else "out_of_turn")]
                else:
                    out = self._sound(seat, intent, verdict == "quiet")
            elif intent.kind == PAD_OFF:
                out = self._silence(seat, intent)
            else:
                out = [intent]
            if not emitted_raw:       # the raw touch goes to the journal after the sound
                self._emit(raw)
                emitted_raw = True
            for e in out:
                self._emit(e)
        if not emitted_raw:
            self._emit(raw)

    def _sound(self, seat: Seat, intent: Event, quiet: bool) -> list[Event]:
        pad = intent.pad
        if pad in seat.sounding:        # already sounding: end it first (retrigger)
            self._silence(seat, intent)
        notes = seat.mapping.notes_for(pad)
        if not notes:
            return [intent.but(kind=SUPPRESSED, detail="no_note")]
        velocity = self._velocity(seat, intent, quiet)
        if velocity < 1:
            return [intent.but(kind=SUPPRESSED, detail="volume_zero")]
        channel = seat.player.channel
        for n in notes:
            self.synth.note_on(channel, n, velocity)
        seat.sounding[pad] = notes
        out = [intent.but(kind=NOTE_ON, note=n, velocity=velocity, channel=channel,
                          detail="out_of_turn" if quiet else None) for n in notes]
        out.extend(self.gate.played(seat.player.player, intent.t_ns))
        return out

    def _silence(self, seat: Seat, intent: Event) -> list[Event]:
        notes = seat.sounding.pop(intent.pad, ())
        channel = seat.player.channel
        for n in notes:
            self.synth.note_off(channel, n)
        return [intent.but(kind=NOTE_OFF, note=n, channel=channel, velocity=None,
                           strength=None) for n in notes]

    def _velocity(self, seat: Seat, intent: Event, quiet: bool) -> int:
        """0..127 (0: silent). Volume and the hard caps (client and station) apply last, always."""
        sound = seat.profile.sound
        base = sound["velocity"]
        if base == "touch":
            s = intent.strength if intent.strength is not None else 0.8
            base = 30 + 97 * max(0.0, min(1.0, s))
        level = base * sound["volume"] * (QUIET_FACTOR if quiet else 1.0)
        cap = 127 * min(sound["max_volume"], self.config.max_volume)
        return int(min(level, cap))

    def _emit(self, event: Event) -> None:
        for listener in self.listeners:
            listener(event)

    # -- reporting ---------------------------------------------------------------------------
    def status(self) -> dict:
        return {
            "players": {n: {"client": s.profile.client_id if s.profile else None,
                            "name": s.profile.name if s.profile else None,
                            "role": s.player.role,
                            "sounding": sorted(s.sounding)} for n, s in self.seats.items()},
            "turn_mode": self.gate.mode, "turn": self.gate.current(), "paused": self.paused,
            "last_touch_ns": self.last_touch_ns,
            "boards": {f"{a:#x}": d for a, d in self.boards.items()},
        }
