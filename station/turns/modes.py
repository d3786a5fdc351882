"""The turn-taking modes: who has the turn, and when it passes. Pure state machines.

A mode sees the station through a ``Seating`` (player numbers, roles, who is seated,
who is sounding) and keeps one turn holder. All times are station nanoseconds.
Methods return the ``turn_start``/``turn_end`` events they cause; ``detail`` is the
reason: ``count`` (N notes), ``time`` (T seconds), ``gap`` (a quiet gap after play),
``wait`` (no play at all), ``button``, ``cli``, ``start``, ``seat`` (a seat emptied or
filled) or ``mode:<new mode>``.

Therapist-role players are never gated: they conduct and hold the music. The rotation
is over *seated clients* (players whose role is client and who have a profile); in
``call_response`` the turn alternates between the therapist player and the next client.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

from station.core.details import Turn
from station.core.events import TURN_END, TURN_START, Event

NS = 1_000_000_000


def _ns(seconds: float | None) -> int | None:
    return None if seconds is None else int(round(seconds * NS))


@dataclass
class Seating:
    """What a mode needs to know of the station, as functions of the live engine."""

    players: tuple[int, ...]               # every configured player, ascending
    roles: dict[int, str]                  # player -> client | therapist
    seated: Callable[[int], bool]          # has a profile now
    sounding: Callable[[int], bool]        # a note of this player is sounding now
    client: Callable[[int], str | None]    # pseudonym for the journal

    def clients(self) -> list[int]:
        """Seated client-role players, in player order (the rotation)."""
        return [p for p in self.players if self.roles[p] == "client" and self.seated(p)]

    def therapist(self) -> int | None:
        """The first therapist-role player (seated or not), or None."""
        return next((p for p in self.players if self.roles[p] == "therapist"), None)


class Mode:
    """Shared turn bookkeeping; subclasses decide the order and the timers."""

    name = "free"
    pulses_next = False      # lights: the next player's light pulses "get ready"

    def __init__(self, seating: Seating, rules: dict) -> None:
        self.seating = seating
        self.rules = rules
        self.turn: int | None = None
        self.started_ns = 0
        self.notes = 0                      # accepted notes in this turn
        self.quiet_since: int | None = None  # when the holder's last note ended

    # -- the gate ------------------------------------------------------------------------
    def in_turn(self, player: int) -> bool:
        return self.turn is None or player == self.turn or \
            self.seating.roles.get(player) == "therapist"

    def following(self) -> int | None:
        """Who gets the turn when it passes now (None: nobody can)."""
        return _after(self.seating.clients(), self.turn)

    # -- turn changes ----------------------------------------------------------------------
    def _event(self, kind: str, player: int, now: int, reason: str | Turn) -> Event:
        return Event(kind, now, player=player, client=self.seating.client(player),
                     detail=reason if isinstance(reason, Turn) else Turn(reason))

    def end(self, now: int, reason: str) -> list[Event]:
        if self.turn is None:
            return []
        out = [self._event(TURN_END, self.turn, now, reason)]
        self.turn = None
        return out

    def give(self, player: int | None, now: int, reason: str) -> list[Event]:
        """End the current turn (if any) and start ``player``'s (if not None)."""
        out = self.end(now, reason)
        if player is not None:
            self.turn, self.started_ns, self.notes = player, now, 0
            self.quiet_since = None
            out.append(self._event(TURN_START, player, now, reason))
        return out

    def pass_turn(self, now: int, reason: str, to: int | None = None) -> list[Event]:
        return self.give(self.following() if to is None else to, now, reason)

    def begin(self, now: int, reason: str) -> list[Event]:
        """The mode takes over (station start or a mode switch)."""
        return self.give(self.first(), now, reason)

    def first(self) -> int | None:
        clients = self.seating.clients()
        return clients[0] if clients else None

    def seats_changed(self, now: int) -> list[Event]:
        """A seat was filled or emptied: start a turn, or pass one whose holder left."""
        if self.turn is None:
            return self.give(self.first(), now, "start")
        if self.seating.roles[self.turn] == "client" and not self.seating.seated(self.turn):
            return self.pass_turn(now, "seat")
        return []

    # -- play ------------------------------------------------------------------------------
    def played(self, player: int, now: int) -> list[Event]:
        if player == self.turn:
            self.notes += 1
            self.quiet_since = None
        return []

    def released(self, player: int, now: int) -> None:
        if player == self.turn and self.notes and not self.seating.sounding(player):
            self.quiet_since = now

    def tick(self, now: int) -> list[Event]:
        due = self.next_deadline()
        if due is None or now < due:
            return []
        return self.pass_turn(now, self._why(now))

    def next_deadline(self) -> int | None:
        return None

    def _why(self, now: int) -> str:
        return "time"


class FreeMode(Mode):
    """Everyone plays; nobody holds the turn."""

    name = "free"

    def begin(self, now: int, reason: str) -> list[Event]:
        return []

    def seats_changed(self, now: int) -> list[Event]:
        return []

    def pass_turn(self, now: int, reason: str, to: int | None = None) -> list[Event]:
        return []


class RoundRobin(Mode):
    """One seated client at a time, in player order; passes by count, time, gap or wait."""

    name = "round_robin"
    pulses_next = True

    def played(self, player: int, now: int) -> list[Event]:
        super().played(player, now)
        limit = self.rules.get("notes")
        if player == self.turn and limit and self.notes >= limit:
            return self.pass_turn(now, "count")
        return []

    def _timers(self) -> dict[str, int]:
        if self.turn is None:
            return {}
        r, out = self.rules, {}
        if r.get("seconds") is not None:
            out["time"] = self.started_ns + _ns(r["seconds"])
        if r.get("gap_s") is not None and self.quiet_since is not None:
            out["gap"] = self.quiet_since + _ns(r["gap_s"])
        if r.get("wait_s") is not None and not self.notes:
            out["wait"] = self.started_ns + _ns(r["wait_s"])
        return out

    def next_deadline(self) -> int | None:
        return min(self._timers().values(), default=None)

    def _why(self, now: int) -> str:
        return min(self._timers().items(), key=lambda kv: kv[1])[0]


class TherapistMode(Mode):
    """The turn moves only when the therapist says so (button or CLI)."""

    name = "therapist"


class CallResponse(Mode):
    """Therapist calls; after a pause the next client replies; after theirs, back."""

    name = "call_response"
    pulses_next = True

    def __init__(self, seating: Seating, rules: dict) -> None:
        super().__init__(seating, rules)
        self.leader = seating.therapist()
        self.last_client: int | None = None   # whose reply was last, for the rotation

    def in_turn(self, player: int) -> bool:
        # The therapist is never gated; a client plays only in their reply.
        return player == self.turn or self.seating.roles.get(player) == "therapist"

    def first(self) -> int | None:
        return self.leader

    def following(self) -> int | None:
        if self.turn is not None and self.turn != self.leader:
            return self.leader
        return _after(self.seating.clients(), self.last_client)

    def give(self, player: int | None, now: int, reason: str) -> list[Event]:
        if player is not None and player != self.leader:
            self.last_client = player
        return super().give(player, now, reason)

    def seats_changed(self, now: int) -> list[Event]:
        if self.turn is None:
            return self.give(self.first(), now, "start")
        if self.turn != self.leader and not self.seating.seated(self.turn):
            return self.give(self.leader, now, "seat")
        return []

    def _timers(self) -> dict[str, int]:
        if self.turn is None:
            return {}
        r = self.rules
        gap = r["call_gap_s"] if self.turn == self.leader else r["reply_gap_s"]
        out = {}
        if self.quiet_since is not None:
            if self.turn != self.leader or self.seating.clients():
                out["gap"] = self.quiet_since + _ns(gap)
        if self.turn != self.leader and not self.notes:
            out["wait"] = self.started_ns + _ns(r["reply_wait_s"])
        return out

    def next_deadline(self) -> int | None:
        return min(self._timers().values(), default=None)

    def _why(self, now: int) -> str:
        return min(self._timers().items(), key=lambda kv: kv[1])[0]


MODES: dict[str, type[Mode]] = {m.name: m for m in (FreeMode, RoundRobin, TherapistMode,
                                                    CallResponse)}


def _after(order: list[int], current: int | None) -> int | None:
    """The player after ``current`` in ``order``, wrapping (the first if current is absent)."""
    if not order:
        return None
    if current is None:
        return order[0]
    later = [p for p in order if p > current]
    return later[0] if later else order[0]
