"""The lights stage: one light per player shows whose turn it is (and what is wrong).

A listener on the engine's events plus a timer (``tick(now)``/``next_deadline()``) on
the station clock. After anything that can change a light it asks to be ticked at
that same instant; while a light animates it asks for the pattern's next update
(50 Hz for the "get ready" pulse, 5 Hz for idle breathing, exact edges for blinks);
when nothing animates it asks for nothing, so an idle station does not wake for it.

What each light shows, first match wins (patterns: station/turns/patterns.py):
    1. the player's board is lost, missing or stopped
       on over-current, or one of its pads is out of
       range (the chip cannot measure it)             -> fault
    2. a profile was refused for this player (6 s, or  -> refused
       until a client is seated there)
    3. all_quiet held: choosing a turn mode           -> the first k lights on (k = 1 free,
                                                         2 round_robin, 3 therapist,
                                                         4 call_response)
    4. next_turn held: choosing a player              -> choose on the candidate, others off
    5. all-quiet                                      -> off
       a plan's phase reached its suggested length (9 s) -> cue on every light
    6. free mode: seated players on; turn modes: the turn holder on, the next player
       ready (round_robin and call_response)
    7. idle (no touch for turns.idle_s, or nobody seated): what was on breathes instead
       (all lights breathe when nobody is seated)
The journal not writing (a ``journal_not_writing`` fault) shows the ``journal`` pattern on
every light for ``JOURNAL_SHOW_NS`` and then instead of 7 (idle), until it writes again:
turn-taking stays readable while the group plays.
"""

from __future__ import annotations

import collections
import logging

from station.core.events import (
    FAULT,
    PRESS,
    PROFILE,
    TOUCH,
    TURN_END,
    TURN_START,
    UNPRESS,
    Event,
)
from station.turns.modes import Seating
from station.turns.patterns import CUE_SHOW_NS, JOURNAL_SHOW_NS, REFUSED_SHOW_NS, level
from station.turns.ports import Quiet
from station.turns.schema import TURN_MODES

log = logging.getLogger("station")
FAULTY = ("board_lost", "board_missing", "board_unexpected", "board_overcurrent")
OUT_OF_RANGE, IN_RANGE = "electrode_out_of_range", "electrode_in_range"
JOURNAL_FAULTS = ("journal_not_writing", "journal_writing", "journal_lost")
HISTORY = 10_000        # light writes kept for tests (about 3 min of pulsing; ~1 MB at most)


class Lights:
    """Drives ``set_light(name, value)`` for the players whose light is in ``names``."""

    def __init__(self, players, gate, seating: Seating, quiet: Quiet, set_light, names,
                 idle_s: float = 60.0) -> None:
        """``players``: the config's players; ``gate``: the engine's turn gate;
        ``seating`` and ``quiet``: the engine's ports; ``names``: the lights wired."""
        self.gate = gate
        self.seating = seating
        self.quiet = quiet
        self._set = set_light
        names = set(names)
        self.players = {p.player: p.light_name for p in players if p.light_name in names}
        self.board_of = {p.player: p.board for p in players}
        self.pads_of = {p.player: {(p.board, e) for e in p.electrodes}
                        for p in players if p.board is not None}
        self.out_of_range: set[tuple[int, int]] = set()   # (board, electrode)
        self.idle_ns = int(round(idle_s * 1e9))
        self.faulty: set[int] = set()          # board addresses not answering
        self.refused: dict[int, int] = {}      # player -> ns of the refusal
        self.journal_down: int | None = None   # ns when the journal stopped writing
        self._journal_until: int | None = None # end of its first showing on every light
        self.shown: dict[str, tuple[str, int]] = {}   # light -> (pattern, started ns)
        self.values: dict[str, float] = {}     # light -> last value written
        # (ns, light, value) of every write, newest last; bounded for a long-running daemon
        self.history: collections.deque = collections.deque(maxlen=HISTORY)
        self.activity_ns: int | None = None    # last touch, press or turn change
        self._dirty: int | None = 0            # render at this time (0: at the first tick)
        self._next: int | None = None          # next animation update
        self._idle_flag = False                # idle at the last render
        self._paused_seen = False              # all-quiet at the last render
        self.cue_until: int | None = None      # the plan's gentle cue shows until then
        watchers = getattr(gate, "watchers", None)
        if watchers is not None:
            watchers.append(self.poke)

    # -- what happened ---------------------------------------------------------------------
    def observe(self, event: Event) -> None:
        kind, now = event.kind, event.t_ns
        fault = getattr(event.detail, "name", None) if kind == FAULT else None   # a Fault
        if fault is not None and event.board is not None:
            if fault in FAULTY:
                self.faulty.add(event.board)
            elif fault == "board_recovered":
                self.faulty.discard(event.board)
            elif fault in (OUT_OF_RANGE, IN_RANGE):
                pad = (event.board, event.electrode)
                (self.out_of_range.add if fault == OUT_OF_RANGE
                 else self.out_of_range.discard)(pad)
            else:
                return
        elif fault in JOURNAL_FAULTS:
            self.journal_down = now if fault == "journal_not_writing" else None
            self._journal_until = None if self.journal_down is None else now + JOURNAL_SHOW_NS
        elif kind == PROFILE and getattr(event.detail, "what", None) == "refused":
            self.refused[event.player] = now
        elif kind == PROFILE:                 # a client seated (or the seat emptied): the
            self.refused.pop(event.player, None)    # refusal is answered, stop flashing
        elif kind in (TOUCH, PRESS, TURN_START):
            was_idle = self._idle(now)
            self.activity_ns = now
            if kind == TOUCH and not was_idle:
                return                        # touches change nothing unless idle ended
        elif kind not in (PROFILE, UNPRESS, TURN_END):
            return
        self._dirty = now if self._dirty is None else min(self._dirty, now)

    def cue(self, now: int) -> None:
        """Show the gentle 'time to move on' cue on every light for CUE_SHOW_NS."""
        self.cue_until = now + CUE_SHOW_NS
        self.poke(now)

    def poke(self, now: int) -> None:
        """Something without an event changed (a held button's offer): render at ``now``."""
        self._dirty = now if self._dirty is None else min(self._dirty, now)

    # -- the timer -------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        if self.quiet.is_quiet() != self._paused_seen:
            return 0          # paused or resumed by something without an event: render now
        times = [self._dirty, self._next]
        if self.activity_ns is not None and not self._idle_flag:
            times.append(self.activity_ns + self.idle_ns)
        times += [t + REFUSED_SHOW_NS for t in self.refused.values()]
        times.append(self._journal_until)
        times.append(self.cue_until)
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        self._dirty = None
        if self._journal_until is not None and now >= self._journal_until:
            self._journal_until = None
        self.refused = {p: t for p, t in self.refused.items() if now < t + REFUSED_SHOW_NS}
        if self.activity_ns is None:
            self.activity_ns = now
        self._paused_seen = self.quiet.is_quiet()
        if self.cue_until is not None and now >= self.cue_until:
            self.cue_until = None
        wanted = self._patterns(now)
        nxt = []
        for player, name in self.players.items():
            pattern = wanted[player]
            if self.shown.get(name, ("",))[0] != pattern:
                self.shown[name] = (pattern, now)
            value, wait = level(pattern, now - self.shown[name][1])
            if wait is not None:
                nxt.append(now + wait)
            self._write(name, value, now)
        self._next = min(nxt) if nxt else None

    def status(self) -> dict:
        """light name -> {"pattern": ..., "value": 0..1} (for ``station status``)."""
        return {name: {"player": p, "pattern": self.shown.get(name, ("off",))[0],
                       "value": self.values.get(name, 0.0)}
                for p, name in self.players.items()}

    # -- deciding --------------------------------------------------------------------------
    def _idle(self, now: int) -> bool:
        return self.activity_ns is not None and now - self.activity_ns >= self.idle_ns

    def _patterns(self, now: int) -> dict[int, str]:
        gate = self.gate
        buttons = getattr(gate, "buttons", None)
        order = sorted(self.players)
        seated = [p for p in order if self.seating.seated(p)]
        out: dict[int, str] = {}
        mode_choice = getattr(buttons, "mode_choice", None)
        candidate = getattr(buttons, "candidate", None)
        self._idle_flag = self._idle(now)
        journal = self.journal_down is not None and (
            now < self.journal_down + JOURNAL_SHOW_NS or self._idle_flag or not seated)
        for p in order:
            if self.board_of[p] in self.faulty or self.pads_of.get(p, set()) & self.out_of_range:
                out[p] = "fault"
            elif journal:
                out[p] = "journal"
            elif p in self.refused:
                out[p] = "refused"
            elif mode_choice is not None:
                out[p] = "on" if order.index(p) <= TURN_MODES.index(mode_choice) else "off"
            elif candidate is not None:
                out[p] = "choose" if p == candidate else "off"
            elif self.quiet.is_quiet():
                out[p] = "off"
            elif self.cue_until is not None:
                out[p] = "cue"
            elif not seated:
                out[p] = "breathe"
            else:
                out[p] = self._turn_pattern(p, gate, seated)
                if self._idle_flag and out[p] != "off":
                    # idle: the turn holder breathes, the pulse stops (5 Hz, not 50 Hz)
                    out[p] = "breathe" if out[p] == "on" else "off"
        return out

    @staticmethod
    def _turn_pattern(player: int, gate, seated: list[int]) -> str:
        if gate.mode == "free" or gate.current() is None:
            return "on" if player in seated else "off"
        if player == gate.current():
            return "on"
        nxt = gate.next_player() if hasattr(gate, "next_player") else None
        return "ready" if player == nxt else "off"

    def _write(self, name: str, value: float, now: int) -> None:
        if self.values.get(name) == value:
            return
        try:
            self._set(name, value)
        except Exception as exc:  # a light must never stop the music: note it and go on
            log.warning("light %s could not be set: %s", name, exc)
            return
        self.values[name] = value
        self.history.append((now, name, value))
