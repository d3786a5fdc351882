"""``station run``: the headless daemon, on real time, on a Pi or on the simulator.

One engine thread (this one) sleeps until the next event, timer or poll; hardware
callbacks and the control socket only queue work and wake it. Start-up: config (bad:
exit 3), one instance per control socket *and* per journal (a lock file next to it),
soundfont and synth, journal, the last run's session resumed or not (service.resume),
boards (a missing one is a warning), the "hands off" cue, calibration, the ready chime
and systemd's READY=1. Every exit path silences every note and flushes the journal:
SIGTERM, SIGINT and the stop command end the loop; an exception unwinds through
``Station.close``; a stalled loop is caught by ``LoopWatchdog``, which silences and
saves from its own thread and exits with ``EXIT_STALLED`` so systemd restarts it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
from concurrent.futures import Future
from pathlib import Path

from station.config.station import load_config
from station.core.clock import s_to_ns
from station.core.details import Fault
from station.core.events import FAULT, Event
from station.core.logs import apply_levels
from station.engine.runtime import Station
from station.engine.volume import volume_command
from station.interop.attach import attach as attach_interop
from station.journal.late_notes import noted_reply
from station.journal.resume_rows import ResumableJournal
from station.service import clinic_child, heap
from station.service.control import ControlServer, refuse_if_running
from station.service.journal_watch import JournalWatch
from station.service.notify import LoopWatchdog, Notifier
from station.service.opening import InstanceLock, hardware_factory, open_synth
from station.service.realtime import EDGE_ABOVE, EdgeThreads, engine_realtime
from station.service.resume import Resume
from station.service.startup import Startup
from station.sound.audio_guard import AudioGuard, FluidErrorHook

log = logging.getLogger("station")

EXIT_STALLED = 8        # the engine loop hung: silenced, journal saved, restart wanted


class Daemon:
    def __init__(self, config_path: str | Path | None, hardware: str = "pi",
                 audio: bool = True, *, clock=None, exit_fn=os._exit) -> None:
        self.config = load_config(config_path)
        apply_levels(self.config.raw.get("logging"))     # the config's log levels
        refuse_if_running(self.config.control_socket)
        d = self.config.raw["daemon"]
        self._stack = contextlib.ExitStack()
        try:
            lock = InstanceLock(Path(str(self.config.journal) + ".lock"))
            self._stack.callback(lock.close)
            self.resume = Resume(self.config)    # resume the last run's session, or not
            self.clock = clock or self.resume.clock()
            self.started_ns = self.clock.now_ns()
            self.stop_event = threading.Event()
            self.notifier = Notifier()
            self._stack.callback(self.notifier.close)
            self._exit = exit_fn
            make, self.sim = hardware_factory(self.config, hardware, self.clock)
            priority = d["realtime_priority"]      # input threads just above the engine
            self.edges = EdgeThreads(priority + EDGE_ABOVE if priority else 0)
            make = self.edges.wrap_factory(make)
            synth = open_synth(self.config, realtime=audio)
            journal = ResumableJournal(self.config.journal, station=self.config.name)
            self.station = Station(self.config, synth=synth, journal=journal,
                                   clock=self.clock, hardware_factory=make)
        except BaseException:
            self._stack.close()
            raise
        self.audio: AudioGuard | None = None
        if synth.realtime:
            self.audio = AudioGuard(synth, self.station.engine.fault,
                                    retry_max_s=d["audio_retry_max_s"],
                                    hook=FluidErrorHook(), now=self.started_ns)
            self.station.timers.append(self.audio)
        self.startup = Startup(self.station, hands_off_s=d["hands_off_s"], chime=d["chime"],
                               chime_volume=d["chime_volume"], on_ready=self._ready)
        self.station.timers.append(self.startup)
        self.watchdog = LoopWatchdog(s_to_ns(d["stall_limit_s"]), self.clock, self._stalled)
        self.control = ControlServer(self.config.control_socket, self.station.submit)
        self._register()
        self.resume.attach(self)      # before the station starts (station.service.resume)
        self._stack.callback(self.resume.close)
        # The therapist's web panel (station.panel): its own threads, this command path.
        try:
            self.panel = None
            if self.config.raw["panel"]["enabled"]:   # loaded only when used (memory)
                from station.panel.app import Panel
                self.panel = Panel(self.config, self.control.call, doctor=self._doctor)
        except BaseException:        # an unusable TLS file: stop cleanly, exit 3
            self.station.close()
            self._stack.close()
            raise
        if self.panel is not None:
            self.station.engine.add_listener("panel", self.panel.feed.observe)
        # MIDI and OSC (config midi:/osc:, off by default): listeners and inputs.
        self.interop = attach_interop(self.config, self.station.interop_host(),
                                      self.control.call)
        # The clinic (config clinic:, off by default): a thread that sends the journal to
        # the clinic database through its own connection to the file, off the touch path.
        self.clinic = clinic_child.attach(self.config, self.panel)

    def _register(self) -> None:
        h = self.control.handlers
        h.update(status=self.status, stop=self.stop, session=self.session, turn=self.turn)
        h["use_client"] = self.station.swaps.use      # station profile use (station.engine.swaps)
        music = self.station.music                    # station plan, backing (engine.music)
        h.update(plan=music.plan_command, backing=music.backing_command,
                 play=music.tablet.command, session_key=music.session_key_command)
        h["volume"] = lambda master=None: volume_command(self.station.engine, master)
        self.station.swaps.watch = True               # edited profile files reload
        h["forget"] = self.forget                     # station forget, while running
        # the journal's writer, watched: status, doctor and the lights say when it stops
        self.station.timers.append(JournalWatch(self.station.journal, self.station.engine.fault))
        if self.sim:
            h["sim"] = self._sim_action

    def stop(self) -> str:
        self.stop_event.set()
        self.station.wake.set()
        return "stopping"

    def forget(self, client: str):
        """``station forget CLIENT`` (engine thread): the session ends, then the writer
        deletes; the reply waits for the counts."""
        return self.station.sessions.forget(client, self.clock.now_ns())

    def session(self, op: str, name: str | None = None, text: str | None = None,
                goal: str | None = None, level: int | str | None = None,
                player: int | None = None, session: int | None = None, by: str | None = None
                ) -> dict | Future:
        """``station session start|stop|phase|note|rate|status`` (engine thread; ``session``:
        the session a note joins, journal.late_notes; ``by``: cli or panel, who asked)."""
        from station.core.errors import StationError
        from station.core.text import checked_text     # stored as sent, or refused
        if op == "phase":
            name = checked_text(name or "", "a phase name")
        elif op == "note":
            text = checked_text(text or "", "a note", lines=True)
        if by not in (None, "cli", "panel"):
            raise StationError(f"'by' is cli or panel, not {str(by)[:20]!r}.")
        sessions, now, by = self.station.sessions, self.clock.now_ns(), by or "cli"
        if op == "start":
            sessions.start(now, by)
        elif op == "stop":
            if sessions.stop(now, by) is None:
                raise StationError("no session is running; nothing to stop.")
        elif op == "phase":
            sessions.phase(name or "", now, by)
        elif op == "note":
            return noted_reply(sessions.note(text or "", now, session),
                               self._session_status())
        elif op == "rate":
            from station.journal.ratings import rate_goal
            rated = rate_goal(self.station.consent, self._seats(), goal, level, now, player,
                              load=self._load_profile)
            return {**self._session_status(), "rated": rated}
        elif op != "status":
            raise StationError(f"unknown session command '{op}': use start, stop, phase, "
                               f"note, rate or status.")
        return self._session_status()

    def _seats(self) -> dict:
        return {n: self.station.seat_of(n) for n in self.station.engine.seats}

    def _session_status(self) -> dict:
        """The session's state plus the seated clients' goals (what the panel can rate)."""
        from station.journal.ratings import seated_goals
        return {**self.station.sessions.status(), "goals": seated_goals(self._seats()),
                "last_session": self.station.journal.last_session}   # what a rating goes to

    def _load_profile(self, client: str):
        from station.config.profile import load_profile
        return load_profile(client, self.config.clients_dir)

    def turn(self, op: str = "show", mode: str | None = None, player: int | None = None) -> dict:
        """``station turn [next|set N|mode MODE]`` (engine thread; see station.turns.gate)."""
        from station.turns.gate import turn_command
        return turn_command(self.station.engine.gate, self.station.engine, self.clock.now_ns(),
                            op, mode, player, lights=self.station.lights)

    def status(self) -> dict:
        from station.service.status import daemon_status
        return daemon_status(self)

    def _doctor(self) -> list[dict]:
        """``station doctor``'s findings for the panel (run in the panel's thread)."""
        from dataclasses import asdict
        from station.service.doctor import check_all
        return [asdict(c) for c in check_all(self.config.path)]

    def _sim_action(self, action: str, **args) -> str:
        from station.service.limits import sim_call
        sim_call(self.sim["world"], action, args)      # only the world's actions, checked
        return "ok"

    def _ready(self) -> None:
        hw = self.station.hardware
        online = sum(hw.online(a) for a in hw.boards)
        text = f"ready: {online} of {len(hw.boards)} boards online"
        log.info("station %s; control socket %s", text, self.config.control_socket)
        self.notifier.ready(text)

    def _stalled(self, stalled_ns: int) -> None:
        """Watchdog thread: the engine loop hung. Silence, save, exit for a restart."""
        log.error("the station stopped responding for %.0f s: silencing, saving the "
                  "journal and exiting so that it restarts.", stalled_ns / 1e9)
        with contextlib.suppress(Exception):    # FluidSynth's API is thread-safe
            self.station.synth.all_notes_off(immediate=True)
        journal = self.station.journal
        journal.record(Event(FAULT, self.clock.now_ns(),
                             detail=Fault("watchdog_stall", f"{stalled_ns / 1e9:.0f}s")))
        journal.flush(timeout=3.0)
        self.notifier.send("STATUS=engine stalled; exiting for a restart")
        self.control.remove()              # only our own socket, never a file in its place
        self._exit(EXIT_STALLED)

    def run(self, early_hups: list | None = None) -> int:
        """Run until SIGTERM/SIGINT or stop; return the exit code. ``early_hups``: SIGHUPs
        caught while starting (station.cli.run), answered once running."""
        def on_signal(signum, frame):
            log.info("%s: stopping", signal.Signals(signum).name)
            self.stop_event.set()
            self.station.wake.set()
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, on_signal)
            signal.signal(signal.SIGHUP, lambda signum, frame:
                          self.station.submit(self.station.swaps.reload_all))
        station = self.station
        try:
            station.start()
            self.control.start()
            if self.panel is not None:
                self.panel.start()
            if self.clinic is not None:
                self.clinic.start()
            self.startup.begin(self.clock.now_ns())
            if early_hups:
                log.info("SIGHUP during start-up: the profiles are re-read now")
                station.submit(station.swaps.reload_all)
            self.watchdog.start()
            # start-up's heap frozen; full GC passes (they stop every thread: ~5 ms on a
            # 2-core PC, more on a Pi) only while nobody plays (station.service.heap)
            self._gc_before = heap.settle()
            sweep = heap.IdleSweep(self.clock.now_ns())
            # Last, so the threads started above keep normal priority (station.service.realtime).
            self.realtime = engine_realtime(self.config.raw["daemon"]["realtime_priority"])
            if self.realtime.state == "fifo":
                self.edges.arm(threading.get_ident())
            while not self.stop_event.is_set():
                now = self.clock.now_ns()
                self.watchdog.beat(now)
                self.notifier.ping(now)
                timeout = max(0.0, (station.next_wakeup() - now) / 1e9)
                if station.wake.wait(timeout):
                    station.wake.clear()
                station.drain()
                station.step(self.clock.now_ns())
                sweep.maybe(self.clock.now_ns(), station.engine.last_touch_ns)
        finally:
            if getattr(self, "realtime", None) is not None:
                self.realtime.restore()
            if getattr(self, "_gc_before", None) is not None:
                heap.restore(self._gc_before)
            self.close()
        return 0

    def close(self) -> None:
        """Stop everything (idempotent): notes off and journal flushed, hook, socket, lock."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        self.notifier.stopping()
        self.watchdog.close()
        if self.panel is not None:
            self.panel.close()
        self.control.close()
        self.interop.close_inputs()
        self.station.close()
        if self.clinic is not None:     # what it did not send waits in the journal
            self.clinic.stop(timeout=2.0)
        self.interop.close()          # after the station's notes-off went out over MIDI
        if self.audio is not None:
            self.audio.close()
        self._stack.close()


def run(config_path=None, hardware: str = "pi", audio: bool = True,
        early_hups: list | None = None) -> int:
    return Daemon(config_path, hardware, audio).run(early_hups)
