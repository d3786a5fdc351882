"""Turn-taking: who may play now. The gate interface, ``FreeGate`` and ``Turns``.

A gate answers ``admit(player, now)`` with "play", "quiet" (out of turn, played
softer), "allow" (out of turn, played normally but logged as out of turn) or "mute"
(out of turn, suppressed); ``played`` is told of every accepted note; ``tick(now)``
returns turn_start/turn_end events when turns change by time; ``next_deadline()``
says when that can next happen (station ns).

``Turns`` is the station's gate: the mode chosen in the config's ``turns:`` section
(see station/turns/modes.py for the modes), switchable by the CLI or a held button,
plus the therapist buttons ``next_turn`` and ``all_quiet`` (station/turns/buttons.py).
"""

from __future__ import annotations

from station.core.details import Turn
from station.core.errors import ConfigError, StationError
from station.core.events import NOTE_OFF, PROFILE, Event
from station.turns.buttons import AllQuiet, HeldButtons
from station.turns.modes import MODES, Seating
from station.turns.ports import Hooks, Quiet
from station.turns.schema import TURN_MODES


class FreeGate:
    """Everyone plays, always (the gate of an engine built without a config's turns)."""

    mode = "free"

    def admit(self, player: int, now: int) -> str:
        return "play"

    def played(self, player: int, now: int) -> list[Event]:
        """A note of ``player`` sounded (round-robin counts these)."""
        return []

    def tick(self, now: int) -> list[Event]:
        return []

    def next_deadline(self) -> int | None:
        return None

    def current(self) -> int | None:
        return None


class Turns:
    """The turn gate of one engine; adds its listener and owns two buttons (``hooks``).

    ``seating``: the seats as the modes see them; ``quiet``: the all-quiet state;
    ``channels``: the players' MIDI channels (0..15), faded by all-quiet; ``where``:
    the config key named when ``rules["mode"]`` cannot be used.
    """

    def __init__(self, rules: dict, seating: Seating, quiet: Quiet, hooks: Hooks,
                 channels, where: str = "turns.mode") -> None:
        self.rules = rules
        self.policy = rules["out_of_turn"]
        self.seating = seating
        self.hooks = hooks
        self.impl = self._make(rules["mode"], where=where)
        self.quiet = AllQuiet(quiet, hooks, channels, rules["fade_s"])
        self.buttons = HeldButtons(self, rules["hold_s"])
        self._pending: list[Event] = []     # turn events caused inside a listener call
        self.watchers: list = []            # fn(now): a held button changed what is offered
        hooks.listen("turns", self.observe)
        hooks.control("next_turn", "turns", self.buttons.press_next, self.buttons.release_next)
        hooks.control("all_quiet", "turns", self.buttons.press_quiet,
                      self.buttons.release_quiet)

    # -- the gate interface ----------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.impl.name

    def admit(self, player: int, now: int) -> str:
        if self.impl.in_turn(player):
            return "play"
        return self.policy          # mute | quiet | allow: all logged as out of turn

    def played(self, player: int, now: int) -> list[Event]:
        return self.impl.played(player, now)

    def current(self) -> int | None:
        return self.impl.turn

    def next_player(self) -> int | None:
        """Who gets the turn next, if the mode shows it ("get ready" on the lights)."""
        if not self.impl.pulses_next or self.impl.turn is None:
            return None
        nxt = self.impl.following()
        return None if nxt == self.impl.turn else nxt

    def tick(self, now: int) -> list[Event]:
        out, self._pending = self._pending, []
        out += self.buttons.tick(now)
        self.quiet.tick(now)
        if not self.quiet.on:           # turns do not pass while everything is quiet
            out += self.impl.tick(now)
        return out

    def next_deadline(self) -> int | None:
        times = [self._pending[0].t_ns if self._pending else None,
                 self.buttons.next_deadline(), self.quiet.next_deadline(),
                 None if self.quiet.on else self.impl.next_deadline()]
        times = [t for t in times if t is not None]
        return min(times) if times else None

    # -- what happened -----------------------------------------------------------------------
    def observe(self, event: Event) -> None:
        """Engine listener: note ends time the gap rule; seat changes move the turn."""
        if event.kind == NOTE_OFF and event.player is not None:
            self.impl.released(event.player, event.t_ns)
        elif event.kind == PROFILE and event.player is not None:
            # Emitted on the next tick, so every listener sees the PROFILE event first.
            self._pending += self.impl.seats_changed(event.t_ns)

    # -- the therapist's commands (buttons and CLI) ----------------------------------------
    def set_mode(self, mode: str, now: int, reason: str = "cli") -> list[Event]:
        """Switch to ``mode``; the old turn ends and the new mode's first turn starts."""
        new = self._make(mode, where="turn mode")
        out = self.impl.end(now, Turn("mode", mode))
        self.impl = new
        out += new.begin(now, Turn("mode", mode))
        return self._emit(out)

    def next(self, now: int, reason: str = "cli") -> list[Event]:
        """Pass the turn to whoever is next (the mode's order)."""
        if self.mode == "free":
            raise StationError("in free mode everyone plays, so there is no turn to pass. "
                               "Choose a turn mode first: station turn mode round_robin "
                               "(or therapist, call_response).")
        return self._emit(self.impl.pass_turn(now, reason))

    def set_turn(self, player: int, now: int, reason: str = "cli") -> list[Event]:
        """Give the turn to ``player`` (a configured, seated player, or the therapist)."""
        if self.mode == "free":
            raise StationError("in free mode everyone plays, so nobody can be given the "
                               "turn. Choose a turn mode first: station turn mode therapist.")
        if player not in self.seating.roles:
            raise StationError(f"there is no player {player}; this station has players "
                               f"{', '.join(map(str, self.seating.players))}.")
        if self.seating.roles[player] == "client" and not self.seating.seated(player):
            raise StationError(f"player {player} has no client seated, so they cannot take "
                               f"a turn. Seat a client there first.")
        return self._emit(self.impl.give(player, now, reason))

    def choices(self) -> list[int]:
        """Players a held next_turn steps through: seated clients (+ the call leader)."""
        order = self.seating.clients()
        leader = getattr(self.impl, "leader", None)
        return sorted(order + [leader]) if leader is not None else order

    def status(self) -> dict:
        return {"mode": self.mode, "turn": self.impl.turn, "next": self.next_player(),
                "out_of_turn": self.policy, "notes_in_turn": self.impl.notes,
                "paused": self.quiet.on, "choosing_player": self.buttons.candidate,
                "choosing_mode": self.buttons.mode_choice}

    # -- internals -------------------------------------------------------------------------
    def _make(self, mode: str, where: str):
        if mode not in MODES:
            raise StationError(f"'{mode}' is not a turn mode; use one of "
                               f"{', '.join(TURN_MODES)}.")
        if mode == "call_response" and self.seating.therapist() is None:
            error = ConfigError if where.endswith("turns.mode") else StationError
            raise error(f"{where}: call_response needs a player with 'role: therapist' "
                        f"under players in the station config (the one who calls). Add it "
                        f"there, or choose another mode.")
        rules = self.rules["call_response"] if mode == "call_response" \
            else self.rules["round_robin"]
        return MODES[mode](self.seating, rules)

    def _emit(self, events: list[Event]) -> list[Event]:
        for e in events:
            self.hooks.emit(e)
        return events


def build_gate(config, seating: Seating, quiet: Quiet, hooks: Hooks):
    """The gate of a station config: ``Turns`` from its ``turns:`` section, else a
    ``FreeGate``; ``seating``, ``quiet`` and ``hooks`` are the engine's ports."""
    rules = config.raw.get("turns") if isinstance(config.raw, dict) else None
    if rules is None:
        return FreeGate()
    return Turns(rules, seating, quiet, hooks, [p.channel for p in config.players],
                 where=f"{config.path}: turns.mode")


def turn_command(gate, quiet: Quiet, now: int, op: str = "show", mode: str | None = None,
                 player: int | None = None, lights=None) -> dict:
    """The daemon's ``turn`` control command (runs in the engine thread).

    ``op``: show | next | set (``player``) | mode (``mode``) | quiet | resume. Returns the
    turn status and the lights (``lights``: the station's ``Lights``, or None), as
    ``station turn`` prints them.
    """
    if op != "show" and not isinstance(gate, Turns):
        raise StationError("this station was built without turn-taking.")
    if op == "next":
        gate.next(now, "cli")
    elif op == "set":
        if isinstance(player, bool) or not isinstance(player, int):
            raise StationError(f"say which player gets the turn (a number), not {player!r}.")
        gate.set_turn(player, now, "cli")
    elif op == "mode":
        gate.set_mode(str(mode), now, "cli")
    elif op == "quiet":             # the all_quiet button's fade and pause, as a command
        gate.quiet.start(now)
    elif op == "resume":
        gate.quiet.stop(now)
    elif op != "show":
        raise StationError(f"unknown turn command '{op}': use next, set, mode, quiet, resume "
                           f"or show.")
    if lights is not None and op != "show":
        lights.tick(now)            # so the answer shows the lights as they are now
    return {"turn_mode": gate.mode, "turns": gate.status() if hasattr(gate, "status") else {},
            "lights": lights.status() if lights is not None else {},
            "paused": quiet.is_quiet()}
