"""A running station: engine + synth + journal + hardware, composed and closed safely.

Used by both the daemon (real time) and the simulator (virtual time). Hardware threads
only put raw events on ``self.inbox``; everything else happens in the caller's thread
(``drain``, ``step``), so the engine needs no locks. ``close()`` always sends
all-notes-off and flushes the journal, whatever path leads there. The rooms around the
engine (consent, sessions, lights, swaps, session music) are built by ``compose``.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import threading
from pathlib import Path

from station.config.consent_gate import scrub
from station.config.profile import Profile, load_profile
from station.config.station import StationConfig
from station.core.errors import ProfileError
from station.core.events import FAULT, Event
from station.engine.compose import compose, interop_host
from station.engine.pipeline import Engine
from station.journal.writer import Journal
from station.sound.batch import NoteBatch

IRQ_ONLY_POLL_NS = 50_000_000   # hardware poll period when no board needs polling (ns)

log = logging.getLogger("station")


class Station:
    def __init__(self, config: StationConfig, *, synth, journal: Journal, clock,
                 hardware_factory, clients: dict[int, str] | None = None,
                 session_at_start: bool = False) -> None:
        """``hardware_factory(emit)`` builds the Hardware given the inbox's put function.

        ``session_at_start``: open a journal session at ``start()`` (the simulator: one
        session per run); otherwise sessions start by button, CLI or the first touch.
        """
        self.config = config
        self.clock = clock
        self.synth = synth
        self.journal = journal
        self.inbox: collections.deque[Event] = collections.deque()   # thread-safe appends
        self.jobs: collections.deque = collections.deque()            # callables (control)
        self.wake = threading.Event()     # set whenever the inbox or jobs get something
        self._stack = contextlib.ExitStack()
        self._stack.callback(journal.close)
        self._stack.callback(synth.close)
        self.notes = NoteBatch(synth)     # a whole read's notes go out together (drain)
        self.hardware = hardware_factory(self.put)
        self._stack.callback(self.hardware.close)
        self._stack.callback(self._silence)     # runs first on close: notes off, then flush
        try:
            self.engine = Engine(config, synth=self.notes, clock=clock,
                                 pseudonym=journal.pseudonym, hardware=self.hardware)
        except BaseException:           # a config the gate refuses: no station, no threads
            self.hardware.close()
            raise
        self.clients = dict(clients or {})
        # The rooms around the engine, each with its ports (station.engine.compose).
        rooms = compose(config, self.engine, hardware=self.hardware, journal=journal,
                        synth=synth, clock=clock, seat_of=self.seat_of,
                        use_client=self.use_client)
        self.consent, self.stuck, self.sessions = rooms.consent, rooms.stuck, rooms.sessions
        self.lights, self.swaps, self.music = rooms.lights, rooms.swaps, rooms.music
        self.gate, self.recording = rooms.gate, rooms.recording
        # Objects with next_deadline() and tick(now) that run with the engine's timers:
        # the rooms' here, the audio guard and the start-up cue in the daemon.
        self.timers: list = rooms.timers
        self._stack.callback(self.music.close)
        self._session_at_start = session_at_start
        self._next_poll = 0
        self._poll_ns = int(config.input["poll_interval_ms"] * 1e6)
        if config.input["mode"] == "irq" and all(b.irq_gpio is not None for b in config.boards):
            # Every board raises IRQ, so poll() only looks for lost boards (its heartbeat
            # reads each board every 0.1 s): waking every 10 ms for it cost ~2 % idle CPU.
            self._poll_ns = max(self._poll_ns, IRQ_ONLY_POLL_NS)
        self._closed = False

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        now = self.clock.now_ns()
        if self._session_at_start:
            self.sessions.start(now, "run")
        else:
            self.sessions.expire()
        self.hardware.start()
        self.drain()
        for p in self.config.players:
            client = self.clients.get(p.player, p.client)
            if client:
                try:
                    self.use_client(p.player, client)
                except ProfileError as exc:
                    # Never a reason not to start: the refusal is journaled (and shown by
                    # the player's light); the seat stays empty until a good profile comes.
                    # The log names the client by pseudonym, never the file's path.
                    cid = Path(str(client)).stem
                    log.warning("player %d: %s", p.player, scrub(
                        str(exc).splitlines()[0], cid, f"the profile of {self.gate.who(cid)}"))

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stack.close()

    def _silence(self) -> None:
        now = self.clock.now_ns()
        self.engine.all_notes_off(now, "stop")
        self.sessions.stop(now, "stop")

    # -- clients ---------------------------------------------------------------------------------
    def use_client(self, player: int, client: str | Path) -> Profile:
        """Load and seat a client; on a bad profile log the refusal and re-raise."""
        now = self.clock.now_ns()
        try:
            profile = load_profile(client, self.config.clients_dir)
        except ProfileError as exc:
            self.engine.refuse_client(player, Path(str(client)).stem, str(exc), now)
            raise
        self.engine.use_client(player, profile, now)
        return profile

    def seat_of(self, player: int) -> tuple:
        """(profile, role) seated at ``player`` now (for the consent journal)."""
        seat = self.engine.seats.get(player)
        return (None, "") if seat is None else (seat.profile, seat.player.role)

    def status(self) -> dict:
        """The engine's status with the lights' (players, turns, lights, ...)."""
        out = {}
        for key, value in self.engine.status().items():
            out[key] = value
            if key == "turns":          # where station status has always shown them
                out["lights"] = self.lights.status()
        return out

    def interop_host(self):
        """The interop room's port on this station (station.interop.attach.Host)."""
        return interop_host(self.engine, self.submit, self.clock, self.gate)

    def put(self, event: Event) -> None:
        """Called by hardware threads: queue a raw event and wake the engine thread."""
        self.inbox.append(event)
        if not self.wake.is_set():      # a read of many touches wakes the engine once
            self.wake.set()

    def submit(self, job) -> None:
        """Called by the control thread: run ``job()`` in the engine thread."""
        self.jobs.append(job)
        self.wake.set()

    # -- running ---------------------------------------------------------------------------------
    def drain(self) -> int:
        """Feed every queued hardware event to the engine; return how many."""
        n = 0
        while self.jobs:
            self.jobs.popleft()()
        if not self.inbox:
            return 0
        self.engine.hold_listeners()    # sound every queued touch first, then log them
        done = False
        try:
            while not done:
                self.notes.hold()           # ... and send their notes in one go
                try:
                    while self.inbox:
                        event = self.inbox.popleft()
                        if event.kind == FAULT:
                            self.engine.fault(event)
                        else:
                            self.engine.handle(event)
                        n += 1
                finally:
                    self.notes.flush()
                # The journal, lights, MIDI out... never delay the next read: a read that
                # came while they ran is sounded first, then they go on where they were.
                done = self.engine.release_listeners(interrupt=self.inbox.__len__)
        finally:
            if not done:                    # an error: what was decided still gets logged
                self.engine.release_listeners()
        return n

    def next_wakeup(self) -> int:
        """Station time (ns) when ``step`` is next needed: a timer or the next poll."""
        best = self._next_poll          # (a plain loop: asked after every event)
        due = self.engine.next_deadline()
        if due is not None and due < best:
            best = due
        for timer in self.timers:
            due = timer.next_deadline()
            if due is not None and due < best:
                best = due
        return best

    def step(self, now: int) -> None:
        """Run timers due by ``now`` and poll the hardware when its interval has passed."""
        if now >= self._next_poll:
            self.hardware.poll(now)
            self._next_poll = now + self._poll_ns
            self.drain()
        self.engine.tick(now)
        for timer in self.timers:
            due = timer.next_deadline()
            if due is not None and due <= now:
                timer.tick(now)
                self.drain()
