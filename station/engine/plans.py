"""The plan runner: a session plan's phases, live on the station.

``start(name)`` loads the plan from the plans folder (by id), checks that it fits the
station, and enters its first phase; ``next`` enters the following phase (after the last
one the plan and the session end); ``stop`` ends the plan and leaves the session running.
Entering a phase journals a ``phase`` event (starting a session if none runs), then
applies what the phase says: the turn mode, the backing (none if it names none), and per
player the music override and timbre (the client's motor filters and volume caps stay)
and the echo. A client seated during the phase gets the phase's settings at once. When
the phase reaches its suggested length the lights give a gentle cue, or with ``auto`` the
phase ends by itself.

The session button, while a plan runs: a tap (released within ``turns.hold_s``) moves to
the next phase, a hold ends the session. Without a plan it starts or stops the session
as it always has.
"""

from __future__ import annotations

from station.config.backing_patterns import backings_folder, load_pattern
from typing import TYPE_CHECKING

from station.config.plan import Plan, check_fits, load_plan, plans_folder
from station.core.details import Timbre
from station.core.errors import StationError
from station.core.events import PROFILE, Event
from station.journal.sessions import TIMBRE
from station.sound.backing import BackingSpec
from station.sound.mapping import build_mapping
from station.sound.timbres import timbre as find_timbre
from station.turns.gate import Turns

if TYPE_CHECKING:
    from station.engine.session_key import SessionKeys


class PlanRunner:
    """The running plan of one station; everything in the engine thread.

    ``sessions``: the journal's ``Sessions`` (a phase starts one; the last phase ends it);
    ``cue(now)``: the lights' gentle cue (None: no lights).
    """

    def __init__(self, engine, sessions, backing, echo, cue=None) -> None:
        self.engine = engine
        self.config = engine.config
        self.sessions = sessions
        self.cue = cue
        self.backing = backing
        self.echo = echo
        self.plan: Plan | None = None
        self.index: int | None = None
        self.phase_started_ns: int | None = None
        self._cue_due: int | None = None        # suggested length reached: cue or move on
        self._mode_before: str | None = None
        self._overridden: set[int] = set()       # players whose music the phase changed
        turns = self.config.raw.get("turns") or {}
        self.hold_ns = int(turns.get("hold_s", 1.0) * 1e9)
        self._held_since: int | None = None      # the session button, while a plan runs
        self.keys: SessionKeys | None = None     # set by SessionMusic (the session key)

    @property
    def phase(self):
        return None if self.index is None else self.plan.phases[self.index]

    @property
    def mode_before(self) -> str | None:
        """The turn mode the plan gives back when it ends (None: it changes none)."""
        return self._mode_before

    # -- commands ------------------------------------------------------------------------------
    def start(self, name: str, now: int) -> dict:
        """Start plan ``name`` (an id in the plans folder) at its first phase."""
        plan = load_plan(str(name), plans_folder(self.config))
        check_fits(plan, {n: s.player.role for n, s in self.engine.seats.items()},
                   any(s.player.role == "therapist" for s in self.engine.seats.values()))
        for phase in plan.phases:
            pattern = (phase.backing or {}).get("pattern")
            if isinstance(pattern, str):      # a missing pattern file refuses the plan now
                load_pattern(pattern, backings_folder(self.config), phase.backing["style"])
            for who, settings in phase.players.items():
                if settings["echo"] and who != "all" and who not in self.echo.channels:
                    raise StationError(f"{plan.path}: phase '{phase.name}' echoes player "
                                       f"{who}, who has no echo channel: add one to "
                                       f"session_music.echo_channels in the station config.")
        if self.plan is not None:
            self.stop(now, "replaced")
        gate = self.engine.gate
        self._mode_before = gate.mode if isinstance(gate, Turns) else None
        self.plan = plan
        self._enter(0, now)
        return self.status(now)

    def next(self, now: int) -> dict:
        """Enter the next phase; after the last one, end the plan and the session."""
        if self.plan is None:
            raise StationError("no plan is running. Start one with: station plan start "
                               "NAME (station plan status lists the plans).")
        if self.index + 1 < len(self.plan.phases):
            self._enter(self.index + 1, now)
        else:
            self.stop(now, "done")
            self.sessions.stop(now, "plan")
        return self.status(now)

    def stop(self, now: int, reason: str = "cli") -> dict:
        """End the plan: the phase's settings are undone; the session goes on."""
        if self.plan is None:
            return self.status(now)
        self._leave(now)
        gate = self.engine.gate
        if self._mode_before and isinstance(gate, Turns) and gate.mode != self._mode_before:
            gate.set_mode(self._mode_before, now, "plan")
        self.plan, self.index, self.phase_started_ns, self._cue_due = None, None, None, None
        return self.status(now)

    def resume(self, name: str, index: int, elapsed_ns: int, mode_before: str | None,
               now: int) -> None:
        """After a restart (station.service.resume): plan ``name`` in phase ``index``
        again, ``elapsed_ns`` into it, without a new phase mark (the session's
        ``resumed`` event marks the gap). The phase's player settings are applied; the
        turn mode and the backing are put back as they were by the caller."""
        plan = load_plan(str(name), plans_folder(self.config))
        if not 0 <= index < len(plan.phases):
            raise StationError(f"plan '{name}' has no phase {index + 1} any more.")
        self.plan, self.index, self._mode_before = plan, index, mode_before
        phase = plan.phases[index]
        self.sessions.phase_name = phase.name
        self.phase_started_ns = now - elapsed_ns
        due = None if phase.suggested_s is None \
            else self.phase_started_ns + int(phase.suggested_s * 1e9)
        self._cue_due = due if due is not None and due > now else None   # cued already
        for player in self.engine.seats:
            self._apply(player, now)

    def on_session_stop(self, now: int) -> None:
        """Sessions hook: the session ends, so does the plan (and its music)."""
        self.stop(now, "session_end")

    # -- phases --------------------------------------------------------------------------------
    def _enter(self, index: int, now: int) -> None:
        if self.index is not None:
            self._leave(now)
        self.index = index
        phase = self.plan.phases[index]
        self.sessions.phase(phase.name, now)     # journaled; starts a session if none
        self.phase_started_ns = now
        self._cue_due = None if phase.suggested_s is None else now + int(phase.suggested_s * 1e9)
        gate = self.engine.gate
        if phase.turns and isinstance(gate, Turns) and gate.mode != phase.turns:
            gate.set_mode(phase.turns, now, "plan")
        if phase.key and self.keys is not None:  # the session key from this phase on
            self.keys.set(phase.key["root"], phase.key["mode"], now, f"plan:{phase.name}")
        for player in self.engine.seats:
            self._apply(player, now)
        if phase.backing is not None:
            self.backing.start(BackingSpec.from_values(phase.backing), now,
                               by=f"plan:{phase.name}")
        else:
            self.backing.stop(now, "phase")

    def _leave(self, now: int) -> None:
        self.backing.stop(now, "phase")
        self.echo.clear(now)
        for player in list(self._overridden):
            self._restore(player, now)

    def _apply(self, player: int, now: int) -> None:
        """The phase's settings for ``player`` onto the seated client (if any)."""
        seat = self.engine.seats[player]
        settings = self.phase.for_player(player)
        self.echo.set(player, (settings or {}).get("echo") if seat.profile else None, now)
        if seat.profile is None:
            return
        if not settings or not (settings["music"] or settings["timbre"]):
            if player in self._overridden:
                self._restore(player, now)
            return
        if settings["music"]:
            keys = self.keys
            own = keys.music(player) if keys else seat.profile.music
            seat.mapping = build_mapping({**own, **settings["music"]}, keys and keys.key)
        if settings["timbre"]:
            self._set_timbre(seat, find_timbre(settings["timbre"]), now)
        self._overridden.add(player)

    def _restore(self, player: int, now: int) -> None:
        self._overridden.discard(player)
        seat = self.engine.seats[player]
        if seat.profile is None:
            return
        keys = self.keys
        seat.mapping = build_mapping(keys.music(player), keys.key) if keys and keys.key \
            else seat.profile.mapping()
        if seat.timbre != seat.profile.timbre():
            self._set_timbre(seat, seat.profile.timbre(), now)

    @property
    def overridden(self) -> set[int]:
        """Players whose music or timbre the phase changed."""
        return self._overridden

    def apply(self, player: int, now: int) -> None:
        """The phase's settings for ``player`` again (the session key changed)."""
        if self.plan is not None:
            self._apply(player, now)

    def _set_timbre(self, seat, timbre, now: int) -> None:
        """Sound the seat in ``timbre`` and journal it (the MIDI export reads it)."""
        seat.timbre = seat.selected = timbre
        self.engine.synth.set_timbre(seat.player.channel, timbre)
        self.engine.announce(Event(TIMBRE, now, player=seat.player.player, client=seat.client,
                                channel=seat.player.channel,
                                detail=Timbre(timbre.bank, timbre.program, timbre.name)))

    # -- listener, button and timer ----------------------------------------------------------
    def observe(self, event: Event) -> None:
        """A client seated during a phase gets the phase's music at once."""
        if self.plan is not None and event.kind == PROFILE and event.player is not None \
                and getattr(event.detail, "seated", False):
            self._overridden.discard(event.player)       # the swap built a fresh mapping
            self._apply(event.player, event.t_ns)

    def press_session(self, now: int) -> None:
        if self.plan is None:
            self.sessions.toggle(now)             # today's behaviour
        else:
            self._held_since = now

    def release_session(self, now: int) -> None:
        if self._held_since is not None:
            self._held_since = None
            self.next(now)                                # a tap: the next phase

    def next_deadline(self) -> int | None:
        times = [self._cue_due, None if self._held_since is None
                 else self._held_since + self.hold_ns]
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        if self._held_since is not None and now >= self._held_since + self.hold_ns:
            self._held_since = None                       # a hold: the session ends
            self.stop(now, "button")
            self.sessions.stop(now, "button")
            return
        if self._cue_due is not None and now >= self._cue_due:
            self._cue_due = None
            if self.phase.auto:
                self.next(now)
            elif self.cue is not None:
                self.cue(now)

    # -- reporting -----------------------------------------------------------------------------
    def status(self, now: int) -> dict:
        """The plan status every front end shows (the ``plan`` command, ``status``)."""
        phase = self.phase
        return {"plan": self.plan.plan_id if self.plan else None,
                "title": self.plan.name if self.plan else None,
                "phase": phase.name if phase else None, "index": self.index,
                "description": phase.description if phase else None,
                "phases": self.plan.phase_names if self.plan else [],
                "phase_elapsed_s": None if phase is None
                else round((now - self.phase_started_ns) / 1e9, 1),
                "suggested_s": phase.suggested_s if phase else None,
                "backing": self.backing.status(now), "echo": self.echo.status(now)}
