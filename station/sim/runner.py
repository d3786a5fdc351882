"""Play a scenario on the simulated hardware through the real engine and FluidSynth.

Time is virtual: the clock jumps from one scenario event or engine timer to the next,
and the offline synth renders exactly the audio between them, so a minute-long
session takes well under a second and the WAV is sample-exact. ``realtime=True`` paces
the same virtual clock against the wall clock (for demos and kill tests); when the
machine is too busy to keep up, station time is the wall time itself, as on a real
station, so an event is stamped when the station sees it, never in its past.
"""

from __future__ import annotations

from concurrent.futures import Future

import time
from pathlib import Path

from station.config.station import DEFAULT_CONFIG, load_config
from station.core.clock import VirtualClock
from station.core.errors import ProfileError
from station.core.errors import StationError
from station.core.events import BEAT, NOTE_ON, SUPPRESSED, TOUCH
from station.engine.runtime import Station
from station.journal.writer import Journal
from station.sim import fit, outdir
from station.sim.consent import check_recording
from station.sim.scenario import Scenario
from station.sim.stems import TeeSynth, parts_of
from station.sim.summary import Tally
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.wav import WavWriter

SAMPLE_RATE = 48_000
TAIL_NS = 1_000_000_000     # render a second after the end so release tails are heard


class Simulation:
    """A scenario being played; ``run()`` plays it to the end and returns the summary."""

    def __init__(self, scenario: Scenario, out_dir: Path, *, realtime: bool = False,
                 sample_lights: tuple[float, ...] = (), loudness: bool = False) -> None:
        """``sample_lights``: times (s) at which to read every light's pin into
        ``light_samples[t] = {name: value}`` (the state once everything due at t ran)."""
        from hardware.sim import SimulatedHardware  # leaf import: the simulator's world
        from station.engine.wiring import hardware_spec
        self.scenario = scenario
        self.out_dir = Path(out_dir)
        self.realtime = realtime
        # No station: in the scenario means the example config, never this machine's own.
        self.config = load_config(scenario.station or DEFAULT_CONFIG)
        fit.check(scenario, self.config)          # every board, button and player exists
        check_recording(self.config, scenario, str(self.out_dir / "session.wav"))
        db, wav = outdir.prepare(self.out_dir)    # replaces only the simulator's own results
        self.clock = VirtualClock()
        mix = Synth(find_soundfont(self.config.soundfont), sample_rate=SAMPLE_RATE,
                    gain=self.config.audio["gain"], ceiling_dbfs=self.config.audio["ceiling_dbfs"])
        self.synth = TeeSynth(mix, parts_of(self.config), self.config.audio["gain"]) \
            if loudness else mix           # loudness: each part's LUFS (~2.5x the CPU)
        self.wav = WavWriter(wav, SAMPLE_RATE)
        self._frames = 0
        self.tally = Tally()              # what the engine did, for the summary
        self.refused: list[str] = []
        self.plan_refusals: list[str] = []
        self._probes = sorted((int(round(t * 1e9)), t) for t in sample_lights)
        self.light_samples: dict[float, dict[str, float]] = {}
        journal = Journal(db, station=self.config.name, origin="simulator")

        def make_hardware(emit):
            self.world = SimulatedHardware(hardware_spec(self.config), emit=emit,
                                           clock=self.clock, **world_physics(scenario.world))
            return self.world

        # One journal session per run, unless the scenario starts and stops its own.
        own_sessions = any(s.action in ("session_start", "session_stop")
                           for s in scenario.steps)
        self.station = Station(self.config, synth=self.synth, journal=journal,
                               clock=self.clock, hardware_factory=make_hardware,
                               clients=scenario.clients, session_at_start=not own_sessions)
        seats = self.station.engine.seats
        self.tally.name_of = lambda p: (seats[p].profile.client_id
                                        if p in seats and seats[p].profile else None)
        self.station.engine.add_listener("sim", self.tally)

    # -- running ---------------------------------------------------------------------------
    def run(self) -> dict:
        wall0 = time.monotonic()
        try:
            for hand in self.scenario.world.at_power_up:   # the chips start under them
                self.world.touch(hand.board, hand.electrode, hand.strength)
            self.station.start()
            for step in self.scenario.steps:
                self._sample_before(step.at_ns, wall0)
                self._advance(step.at_ns, wall0)
                with fit.acting(step):
                    self._act(step.action, step.args)
                self.station.drain()
            self.finish(wall0)
        finally:
            self.close()
        return self.summary()

    # -- stepwise (closed-loop tests: a simulated client answering what it hears) ----------
    def advance_to(self, t_ns: int) -> None:
        """Run the station up to ``t_ns`` of virtual time, rendering the audio meanwhile."""
        self._advance(t_ns, time.monotonic())

    def act(self, action: str, **args) -> None:
        """Do one scenario action now (``touch``, ``release``, ``backing``...)."""
        self._act(action, args)
        self.station.drain()

    def finish(self, wall0: float | None = None) -> None:
        """Play on to the scenario's end, then let the release tails ring out."""
        wall0 = time.monotonic() if wall0 is None else wall0
        self._sample_before(self.scenario.end_ns + 1, wall0)
        self._advance(max(self.scenario.end_ns, self.clock.now_ns()), wall0)
        self.station.engine.all_notes_off(self.clock.now_ns())
        self._render_to(self.clock.now_ns() + TAIL_NS)

    def close(self) -> None:
        limiter = self.synth.limiter                  # how hard the ceiling worked
        self.ceiling = limiter.status() if limiter is not None else None
        self.station.close()
        self.wav.close()

    def _sample_before(self, t_ns: int, wall0: float) -> None:
        while self._probes and self._probes[0][0] < t_ns:
            at, key = self._probes.pop(0)
            self._advance(at, wall0)
            self.light_samples[key] = {
                li.name: self.world.light_state(li.name) for li in self.world.spec.lights}

    def _advance(self, t_ns: int, wall0: float) -> None:
        """Run timers and polls in order up to ``t_ns``, rendering audio between them."""
        while True:
            due = self.station.next_wakeup()
            if due > t_ns:
                break
            self._goto(max(due, self.clock.now_ns()), wall0)
            self.station.step(self.clock.now_ns())
        self._goto(t_ns, wall0)

    def _goto(self, t_ns: int, wall0: float) -> None:
        if self.realtime:
            delay = wall0 + t_ns / 1e9 - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:   # behind the wall clock (a busy machine): the station lives in real time
                t_ns = max(t_ns, int((time.monotonic() - wall0) * 1e9))
        t_ns = max(t_ns, self.clock.now_ns())
        self._render_to(t_ns)
        self.clock.set(t_ns)

    def _render_to(self, t_ns: int) -> None:
        target = t_ns * SAMPLE_RATE // 1_000_000_000
        if target > self._frames:
            self.wav.write(self.synth.render(target - self._frames))
            self._frames = target

    def _act(self, action: str, args: dict) -> None:
        w = self.world
        if action == "touch":
            w.touch(args["board"], args["electrode"], args.get("strength", 1.0))
        elif action == "release" and "button" in args:
            w.unpress(args["button"])
        elif action == "release":
            w.release(args["board"], args["electrode"])
        elif action == "press":
            w.press(args["button"])
        elif action == "unpress":
            w.unpress(args["button"])
        elif action in ("unplug", "plug"):
            getattr(w, action)(args["board"])
        elif action in ("stick", "unstick"):
            getattr(w, action)(args["board"], args["electrode"])
        elif action in ("overcurrent", "overcurrent_fixed"):
            w.overcurrent(args["board"], on=action == "overcurrent")
        elif action in ("short", "short_fixed"):
            w.short(args["board"], args["electrode"], on=action == "short")
        elif action == "session_start":
            self.station.sessions.start(self.clock.now_ns(), "scenario")
        elif action == "session_stop":
            self.station.sessions.stop(self.clock.now_ns(), "scenario")
        elif action == "phase":
            self.station.sessions.phase(str(args["name"]), self.clock.now_ns())
        elif action == "note":
            noted = self.station.sessions.note(str(args["text"]), self.clock.now_ns())
            if isinstance(noted, Future):      # a note after the session: its error, if any
                noted.result()
        # the gate is Turns here: a loaded config always has a turns: section
        elif action == "turn_mode":
            self.station.engine.gate.set_mode(str(args["mode"]), self.clock.now_ns(), "cli")  # type: ignore[union-attr]
        elif action == "turn_next":
            self.station.engine.gate.next(self.clock.now_ns(), "cli")  # type: ignore[union-attr]
        elif action == "turn_set":
            self.station.engine.gate.set_turn(args["player"], self.clock.now_ns(), "cli")  # type: ignore[union-attr]
        elif action == "use_client":
            try:
                self.station.use_client(args["player"], args["client"])
            except ProfileError as exc:
                self.refused.append(str(exc))
        elif action in ("plan_start", "plan_next", "plan_stop"):
            try:
                self.station.music.plan_command(action[5:], args.get("plan"))
            except StationError as exc:    # refused like a bad profile: the session goes on
                self.plan_refusals.append(str(exc))
        elif action == "backing":
            self.station.music.start_backing(args, self.clock.now_ns(), "scenario")
        elif action == "session_key":
            self.station.music.keys.set(args["root"], args.get("mode"), self.clock.now_ns(),
                                        "scenario")
        elif action == "backing_stop":
            self.station.music.backing.stop(self.clock.now_ns(), "scenario")

    # -- summary ---------------------------------------------------------------------------
    def summary(self) -> dict:
        """What the run did, for ``station simulate`` (``station.sim.summary`` says it)."""
        t = self.tally
        return {
            "scenario": str(self.scenario.path), "seconds": self.scenario.end_ns / 1e9,
            "touches": t.counts[TOUCH], "notes": t.counts[NOTE_ON],
            "suppressed": t.counts[SUPPRESSED],
            "players": t.players(self.config, self.station.engine.seats),
            "refused_profiles": self.refused, "faults": t.faults,
            "phases": t.phases, "beats": t.counts[BEAT],
            "refused_plans": self.plan_refusals, "journal": self.station.journal.health(),
            "wav": str(self.out_dir / "session.wav"), "db": str(self.out_dir / "station.db"),
            "ceiling": getattr(self, "ceiling", None),
            "loudness_lufs": self.synth.loudness() if isinstance(self.synth, TeeSynth)
            else None,
        }


def world_physics(world) -> dict:
    """SimulatedHardware's ``noise``/``drift`` arguments for a scenario's ``World``."""
    from hardware.chip.electrode import Drift, Noise
    out: dict[str, Noise | Drift] = {}
    if world.noise:
        out["noise"] = Noise(world.noise["counts"], int(world.noise["seed"]))
    if world.drift:
        d = world.drift
        out["drift"] = Drift(d["counts"], d["period_s"], int(d["seed"]))
    return out


def simulate(scenario: Scenario, out_dir: Path, realtime: bool = False,
             loudness: bool = False) -> dict:
    return Simulation(scenario, out_dir, realtime=realtime, loudness=loudness).run()
