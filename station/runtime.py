"""A running station: engine + synth + journal + hardware, composed and closed safely.

Used by both the daemon (real time) and the simulator (virtual time). Hardware threads
only put raw events on ``self.inbox``; everything else happens in the caller's thread
(``drain``, ``step``), so the engine needs no locks. ``close()`` always sends
all-notes-off and flushes the journal, whatever path leads there.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from pathlib import Path

from station.config import StationConfig
from station.engine import Engine
from station.errors import ProfileError
from station.events import FAULT, Event
from station.journal import Journal
from station.profile import Profile, load_profile


class Station:
    def __init__(self, config: StationConfig, *, synth, journal: Journal, clock,
                 hardware_factory, clients: dict[int, str] | None = None) -> None:
        """``hardware_factory(emit)`` builds the Hardware given the inbox's put function."""
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
        self.engine = Engine(config, synth=synth, clock=clock, pseudonym=journal.pseudonym)
        self.engine.listeners.append(journal.record)
        self.hardware = hardware_factory(self.put)
        self._stack.callback(self.hardware.close)
        self._stack.callback(self._silence)     # runs first on close: notes off, then flush
        self.clients = dict(clients or {})
        self._next_poll = 0
        self._poll_ns = int(config.input["poll_interval_ms"] * 1e6)
        self._closed = False

    # -- life cycle ------------------------------------------------------------------------------
    def start(self) -> None:
        now = self.clock.now_ns()
        self.journal.start_session(now, [(p.player, p.role) for p in self.config.players],
                                   latency_ms=getattr(self.synth, "latency_ms", None))
        self.hardware.start()
        self.drain()
        for p in self.config.players:
            client = self.clients.get(p.player, p.client)
            if client:
                self.use_client(p.player, client)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stack.close()

    def _silence(self) -> None:
        now = self.clock.now_ns()
        self.engine.all_notes_off(now, "stop")
        self.journal.end_session(now)

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

    def put(self, event: Event) -> None:
        """Called by hardware threads: queue a raw event and wake the engine thread."""
        self.inbox.append(event)
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
        while self.inbox:
            event = self.inbox.popleft()
            if event.kind == FAULT:
                self.engine.fault(event)
            else:
                self.engine.handle(event)
            n += 1
        return n

    def next_wakeup(self) -> int:
        """Station time (ns) when ``step`` is next needed: a timer or the next poll."""
        deadline = self.engine.next_deadline()
        return self._next_poll if deadline is None else min(deadline, self._next_poll)

    def step(self, now: int) -> None:
        """Run timers due by ``now`` and poll the hardware when its interval has passed."""
        if now >= self._next_poll:
            self.hardware.poll(now)
            self._next_poll = now + self._poll_ns
            self.drain()
        self.engine.tick(now)
