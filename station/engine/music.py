"""Session music on a live station: the plan runner, the backing and the echo, composed.

``SessionMusic(engine, ...)`` builds the three on one AudioOut (FluidSynth's sequencer
in real time, direct calls offline: station.sound.scheduler) and hooks them into the
station with listeners and timers only, so nothing sits between a touch and its note
(listeners run after the sound). It owns the session button (the plan runner's tap and
hold; with no plan running, a tap toggles the session as the button always did), adds
the backing and echo channels to all-quiet's fade, tells the consent journal whose
playing the backing follows, stops everything when a session ends, and frees the
sequencer on close. ``plan_command`` and ``backing_command`` are the daemon's ``plan``
and ``backing`` control commands.
"""

from __future__ import annotations

from station.config.plan import plan_catalogue, plans_folder
from station.config.plan_schema import BACKING
from station.core.errors import StationError
from station.core.schema import validate
from station.engine.backing import LiveBacking
from station.engine.echo import LiveEcho
from station.engine.plans import PlanRunner
from station.engine.tablet import TABLET_PLAYER, Tablet
from station.engine.session_key import SessionKeys
from station.sound.backing import BackingSpec
from station.sound.scheduler import open_out

BACKING_KEYS = tuple(BACKING.fields)


class SessionMusic:
    """The session music of one engine. ``synth``: the FluidSynth the sequencer plays
    (not the engine's note batch); ``clock``: the station clock; ``sessions``: the
    journal's ``Sessions``; ``consent``: the ``ConsentJournal`` (None: none); ``cue(now)``:
    the lights' gentle cue (None: no lights). ``timers``: for the station's timer list."""

    def __init__(self, engine, *, synth, clock, sessions, consent=None, cue=None) -> None:
        self.engine = engine
        self.config = engine.config
        self.clock = clock
        self.sessions = sessions
        channels = self.config.raw["session_music"]
        self.out = open_out(synth, clock)
        echo_channels = {p: ch - 1 for p, ch in zip(sorted(engine.seats),
                                                     channels["echo_channels"])}
        self.backing = LiveBacking(engine, self.out, channels["backing_channel"] - 1,
                                   channels["pulse_layer_channel"] - 1)
        self.echo = LiveEcho(engine, self.out, echo_channels)
        self.echo.beat_s = self.backing.beat_s     # the echo's breath: one beat
        self.plan = PlanRunner(engine, sessions, self.backing, self.echo, cue)
        # the therapist's pads on the panel's Play screen: a seat of their own
        self.tablet = Tablet(engine, sessions, clock, channels["tablet_channel"] - 1)
        sessions.extra_players.append((TABLET_PLAYER, "therapist"))
        self.keys = self.plan.keys = SessionKeys(engine, self.backing, self.plan)
        engine.add_listener("backing", self.backing.observe)
        engine.add_listener("echo", self.echo.observe)
        engine.add_listener("plan", self.plan.observe)
        engine.add_listener("session_key", self.keys.observe)
        self.timers = [self.plan, self.backing, self.echo]
        engine.register_control("session", "plan", self.plan.press_session,
                                self.plan.release_session)
        sessions.on_stop.append(self._session_ends)
        if consent is not None:          # beats that follow a client are that client's data
            consent.follows = self.backing.follows
        quiet = getattr(engine.gate, "quiet", None)
        if quiet is not None:            # all-quiet fades the backing and echoes too
            quiet.fade_also([self.backing.channel, self.backing.layer_channel,
                             *echo_channels.values(), self.tablet.channel])
        self._closed = False

    def _session_ends(self, now: int) -> None:
        self.plan.on_session_stop(now)
        self.backing.stop(now, "session_end")
        self.echo.clear(now)
        self.tablet.command("silence")
        self.keys.clear(now)

    # -- commands (engine thread) --------------------------------------------------------------
    def plan_command(self, op: str = "status", name: str | None = None) -> dict:
        """``plan`` control command: op start (name), next, stop or status (each returns
        the plan status), or list (``{"plans": [{name, title, phases} or {name, error}]}``,
        for a front end's menu)."""
        now = self.clock.now_ns()
        if op == "start":
            if not name:
                raise StationError("say which plan to start, like: station plan start "
                                   "standard.")
            return self.plan.start(name, now)
        if op == "next":
            return self.plan.next(now)
        if op == "stop":
            if self.plan.plan is None:
                raise StationError("no plan is running; nothing to stop.")
            return self.plan.stop(now, "cli")
        if op == "status":
            return self.plan.status(now)
        if op == "list":
            return {"plans": plan_catalogue(plans_folder(self.config))}
        raise StationError(f"unknown plan command '{op}': use start, next, stop, status or "
                           f"list.")

    def backing_command(self, op: str = "status", **args) -> dict | None:
        """``backing`` control command: op start (the backing keys), stop or status.
        Returns the backing's status (None when none plays)."""
        now = self.clock.now_ns()
        if op == "start":
            return self.start_backing(args, now, by="cli")
        if args:
            raise StationError(f"'backing {op}' takes no settings (got "
                               f"{', '.join(sorted(args))}).")
        if op == "stop":
            self.backing.stop(now, "cli")
        elif op != "status":
            raise StationError(f"unknown backing command '{op}': use start, stop or status.")
        return self.backing.status(now)

    def session_key_command(self, op: str = "status", **args) -> dict:
        """``session_key`` control command: op set (root, mode), follow (player), status."""
        return self.keys.command(op, self.clock.now_ns(), **args)

    def start_backing(self, args: dict, now: int, by: str) -> dict:
        """Validate backing settings (as a plan's ``backing:``) and start them; a session
        starts too if none runs, so the beats belong to one."""
        args = {k: v for k, v in args.items() if v is not None}
        problems: list[tuple[tuple, str]] = []
        values = validate(args, BACKING, ("backing",), problems)
        if problems:
            raise StationError("the backing was not started:\n  "
                               + "\n  ".join(msg for _, msg in problems))
        if not self.sessions.active:
            self.sessions.start(now, "backing")
        return self.backing.start(BackingSpec.from_values(values), now, by=by)

    def status(self) -> dict:
        """The plan status (with the backing) for the daemon's ``status`` reply."""
        now = self.clock.now_ns()
        return {**self.plan.status(now), "session_key": self.keys.status(now)}

    def close(self) -> None:
        """Stop the music (notes off, nothing pending) and free the sequencer. Idempotent."""
        if self._closed:
            return
        self._closed = True
        now = self.clock.now_ns()
        self.plan.stop(now, "shutdown")
        self.backing.stop(now, "shutdown")
        self.echo.clear(now)
        self.tablet.command("silence")
        self.out.close()
