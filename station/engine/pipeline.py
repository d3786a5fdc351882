"""The engine: input events in; accessibility, turn gate, music mapping; sinks out.

Single-threaded by design: the daemon feeds it from one queue, the simulator calls it
directly, so no locks sit on the touch-to-sound path. Everything is a function of
(event, now) plus ``tick(now)``; ``next_deadline()`` says when ``tick`` is next due.

Order on a touch: wiring lookup → seat's access stage → turn gate → mapping →
synth.note_on → listeners (journal, lights). The synth call comes first among the sinks
because it is the only one a client hears.
"""

from __future__ import annotations

from collections.abc import Callable

from station.access import chip
from station.access.chain import RECALIBRATE_REASONS
from station.config.consent_gate import refusal_words
from station.config.profile import Profile
from station.config.station import StationConfig
from station.core.details import Fault, SeatChange
from station.core.events import (NOTE_ON, PAD_OFF, PAD_ON, PRESS, PROFILE, RELEASE,
                                  SUPPRESSED, TOUCH, UNPRESS, Event)
from station.engine.registry import Controls, Listeners
from station.engine.seat import Seat, SeatsView
from station.turns.gate import FreeGate, build_gate
from station.turns.ports import Hooks


class Engine:
    """The touch-to-sound path of one station, and the ports the rooms below it use.

    ``hardware``: a ``hardware.io.Hardware`` (thresholds, resting hands, touch
    strength), None in pure-logic tests. ``gate``: a turn gate; None builds the one
    the config's ``turns:`` section asks for, handing it this engine's ports.
    Ports it implements: ``turns.ports.Quiet`` (``is_quiet``/``set_quiet``) and
    ``Hooks`` (``announce``, ``add_listener``, ``register_control``, ...); the seats,
    read-only, as ``view`` (a ``seat.SeatsView``).
    """

    def __init__(self, config: StationConfig, *, synth, clock,
                 pseudonym: Callable[[str], str] = lambda cid: cid,
                 gate=None, hardware=None) -> None:
        self.config = config
        self.synth = synth
        self.clock = clock
        self.gate = gate or FreeGate()
        self._pseudonym = pseudonym
        self.listeners = Listeners()    # who hears the events (station.engine.registry)
        self.controls = Controls()      # who owns each therapist button
        self.hardware = hardware
        self.recalibrator = chip.Recalibrator(hardware)
        self.seats = {p.player: Seat(p) for p in config.players}
        self.view = SeatsView(self.seats)
        self._pads: dict[tuple[int, int], tuple[int, int]] = {}
        self._switches: dict[str, tuple[int, int]] = {}
        for p in config.players:
            for pad, electrode in enumerate(p.electrodes):
                self._pads[(p.board, electrode)] = (p.player, pad)
            if p.switch_gpio is not None:
                self._switches[p.switch_name] = (p.player, p.switch_pad)
        self.boards: dict[int, str] = {}     # address -> last fault/recovery detail
        self.paused = False             # all-quiet: pads pause until released
        self.master_volume = 1.0        # 0..1 of the caps: the panel's slider (engine.volume)
        self.last_touch_ns: int | None = None
        if gate is None:                # the config's turns: section (station.turns.gate)
            self.gate = build_gate(config, self.view.seating(), self, Hooks(
                emit=self._emit, listen=self.add_listener, control=self.register_control,
                all_notes_off=self.all_notes_off,
                channel_volume=lambda ch, v: self.synth.set_channel_volume(ch, v)))

    # -- ports -------------------------------------------------------------------------------
    def add_listener(self, owner: str, fn: Callable[[Event], None], *,
                     first: bool = False) -> None:
        """``fn(event)`` gets every event after the sound; one listener per ``owner``
        (a second is a ``registry.WiringError``). ``first``: before the others."""
        self.listeners.add(owner, fn, first=first)

    def remove_listener(self, owner: str) -> None:
        self.listeners.remove(owner)

    def register_control(self, name: str, owner: str, press: Callable[[int], None],
                         release: Callable[[int], None] | None = None) -> None:
        """``owner`` takes the therapist button ``name``: ``press(now)`` when pressed,
        ``release(now)`` when let go. A second owner is a ``registry.WiringError``."""
        self.controls.register(name, owner, press, release)

    def is_quiet(self) -> bool:     # all-quiet: pads pause (touches suppressed as all_quiet)
        return self.paused

    def set_quiet(self, quiet: bool) -> None:
        self.paused = bool(quiet)

    # -- seating -------------------------------------------------------------------------------
    def use_client(self, player: int, profile: Profile | None, now: int) -> None:
        """Seat ``profile`` at ``player`` (None empties the seat); previous notes end."""
        seat = self.seats[player]
        if seat.access is not None:
            self._apply(seat, seat.access.release_all(now), now)
        for pad in list(seat.sounding):    # anything the stage did not know of ends too
            seat.silence(self.synth, Event(PAD_OFF, now, player=player, pad=pad,
                                           detail="swap"))
        if profile is None:
            seat.profile = seat.client = seat.access = seat.mapping = None
            self._emit(Event(PROFILE, now, player=player, detail=SeatChange("empty")))
            return
        seat.take(profile, self._pseudonym(profile.client_id))
        self.synth.set_timbre(seat.player.channel, seat.timbre)
        self.synth.set_reverb_send(seat.player.channel, profile.sound["reverb"])
        chip.apply_thresholds(self.hardware, seat.player, profile.rules)
        self._emit(Event(PROFILE, now, player=player, client=seat.client,
                         detail=SeatChange("use", profile.version)))
        held = chip.touched_pads(self.hardware, seat.player)
        if held:    # a hand already on a pad: a resting hand, not a note (resting_guard)
            self._apply(seat, seat.access.seated(held, now, profile.touch["resting_guard"]),
                        now)

    def refuse_client(self, player: int, client_id: str, reason: str, now: int) -> None:
        """Log a refused profile (its problem count: no path); the seat keeps what it had."""
        self._emit(Event(PROFILE, now, player=player, client=self._pseudonym(client_id),
                         detail=SeatChange("refused", refusal_words(reason))))

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
                if event.kind == PRESS:
                    self.controls.press(event.button, now)
                else:
                    self.controls.release(event.button, now)
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
            if seat.wants_strength and raw.strength is None and self.hardware is not None \
                    and event.board is not None:
                raw = raw.but(strength=self.hardware.strength(event.board, event.electrode))
            out = seat.access.touch(pad, now, raw.strength)
        else:
            out = seat.access.release(pad, now)
        self._apply(seat, out, now, raw)

    def pad(self, player: int, pad: int, down: bool, now: int, *,
            strength: float | None = None, source: str = "remote") -> None:
        """Player ``player``'s pad ``pad`` (0-based) went down (True) or up, from an input
        that is not a wired electrode or switch (MIDI in, station.interop.midi_in).

        It plays exactly like a touch: the seat's filters, the turn gate, the mapping, the
        listeners; the journaled touch has ``detail`` = ``source``. ``strength`` 0..1 (how
        hard, for ``velocity: touch``). Engine thread only. ValueError for an unknown
        player or a pad outside that player's pads.
        """
        seat = self.seats.get(player)
        if seat is None:
            raise ValueError(f"there is no player {player}")
        if not 0 <= pad < len(seat.player.electrodes) + (seat.player.switch_gpio is not None):
            raise ValueError(f"player {player} has no pad {pad}")
        self._input(Event(TOUCH if down else RELEASE, now, detail=source, strength=strength),
                    player, pad, now)

    def fault(self, event: Event) -> None:
        """A hardware fault or recovery (detail: board_missing, board_lost, board_recovered;
        stuck_electrode:<s> from the station's stuck guard, which does not change the
        board's state)."""
        if event.board is not None and isinstance(event.detail, Fault) \
                and event.detail.name.startswith("board_"):
            self.boards[event.board] = str(event.detail)
        self._emit(event)

    def pad_owners(self) -> dict[tuple[int, int], tuple[int, int]]:
        """(board, electrode) -> (player, pad) for every electrode used as a pad."""
        return dict(self._pads)

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
                    out = self._sound(seat, intent, verdict)
            elif intent.kind == PAD_OFF:
                out = seat.silence(self.synth, intent)
            else:
                out = [intent]
                if intent.detail in RECALIBRATE_REASONS:
                    self.recalibrator.request(seat, seat.access.pads_of(intent.pad), now,
                                              intent.detail)
            if not emitted_raw:       # the raw touch goes to the journal after the sound
                self._emit(raw)
                emitted_raw = True
            for e in out:
                self._emit(e)
        if not emitted_raw:
            self._emit(raw)

    def _sound(self, seat: Seat, intent: Event, verdict: str) -> list[Event]:
        """Sound a pad; ``verdict`` play, quiet or allow (the last two are out of turn)."""
        pad = intent.pad
        if pad in seat.sounding:        # already sounding: end it first (retrigger)
            seat.silence(self.synth, intent)
        notes = seat.mapping.notes_for(pad)
        if not notes:
            return [intent.but(kind=SUPPRESSED, detail="no_note")]
        velocity = seat.velocity(intent.strength, verdict == "quiet", self.master_volume,
                                 self.config.max_volume, intent.t_ns)
        if velocity < 1:
            return [intent.but(kind=SUPPRESSED, detail="volume_zero")]
        seat.play(self.synth, pad, notes, velocity, intent.t_ns)
        out = [intent.but(kind=NOTE_ON, note=n, velocity=velocity, channel=seat.player.channel,
                          detail="out_of_turn" if verdict in ("quiet", "allow") else None)
               for n in notes]
        out.extend(self.gate.played(seat.player.player, intent.t_ns))
        return out

    def _emit(self, event: Event) -> None:
        self.listeners.emit(event)

    def announce(self, event: Event) -> None:
        """Send an event that did not come through the pipeline (a phase mark) to the
        listeners: the journal, the lights, MIDI and OSC out."""
        self._emit(event)

    def hold_listeners(self) -> None:
        """Start a batch: events reach the listeners only at ``release_listeners``.

        One IRQ read can bring many touches (a palm, a whole group at once); sounding them
        all before journaling and lighting any keeps the last note as quick as the first.
        """
        self.listeners.hold()

    def release_listeners(self, interrupt=None) -> bool:
        """End the batch (``registry.Listeners.release``: False if ``interrupt`` cut it)."""
        return self.listeners.release(interrupt)

    # -- reporting ---------------------------------------------------------------------------
    def status(self) -> dict:
        return {
            "players": {n: {"client": s.profile.client_id if s.profile else None,
                            "name": s.profile.name if s.profile else None,
                            "role": s.player.role,
                            "sounding": sorted(s.sounding)} for n, s in self.seats.items()},
            "turn_mode": self.gate.mode, "turn": self.gate.current(), "paused": self.paused,
            "master_volume": self.master_volume,
            "turns": self.gate.status() if hasattr(self.gate, "status") else {},
            "last_touch_ns": self.last_touch_ns,
            "boards": {f"{a:#x}": d for a, d in self.boards.items()},
        }
