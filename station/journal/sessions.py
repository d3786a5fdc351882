"""Journal sessions: when one starts and ends, its phases and the therapist's notes.

A session starts by the therapist's ``session`` button (which toggles), by
``station session start``, by the runner (the simulator: one session per run), or on its
own at the first touch of a seated client while none is running (``session.auto_start``;
a touch at a player where nobody is seated is journaled without a client and starts
nothing: it must not open a session listed with the other players). It ends by the
button, ``station session stop``, the station stopping, or after ``session.idle_end_min``
minutes without a touch; an idle session is closed at its last touch, so reports do not
count the idle wait as session time.

Everything here runs in the engine thread (a listener and ``tick``), so it needs no locks;
the journal call it makes only queues work.

``forget(client, now)`` (``station forget`` while the station runs) first ends the
running session if that client plays or played in it, so no later row can refer to a
session the deletion removed; the journal's writer then deletes, in order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import TYPE_CHECKING, Protocol

from station.core.details import SeatChange, Timbre
from station.core.errors import StationError
from station.core.events import NOTE, PHASE, PROFILE, TOUCH, Event

if TYPE_CHECKING:
    from station.config.profile import Profile
    from station.journal.late_notes import Ended

TIMBRE = "timbre"   # journal-only: a seat's sound (detail "bank:program:name"), for MIDI export
PHASES = ("warm-up", "main", "reflection")   # the usual shape; any short name is accepted
MAX_NOTE = 2000                                # characters of one note


class Seats(Protocol):
    """The seats as sessions read them (read-only; ``engine.seat.SeatsView`` implements it)."""

    def players(self) -> tuple[int, ...]: ...

    def profile(self, player: int) -> Profile | None: ...

    def client(self, player: int) -> str | None: ...        # the pseudonym

    def channel(self, player: int) -> int: ...              # MIDI channel 0..15


class Sessions:
    """The session state of one station. ``observe`` must be the engine's first listener.

    ``seats``: who sits where (read-only); ``announce(event)``: send an event to every
    listener of the engine (a phase mark reaches the journal and OSC out).
    """

    def __init__(self, config, journal, seats: Seats,
                 announce: Callable[[Event], None]) -> None:
        settings = config.raw.get("session") or {}
        self.auto_start: bool = settings.get("auto_start", True)
        idle = settings.get("idle_end_min", 15.0)
        self.idle_end_ns: int | None = None if idle is None else int(idle * 60e9)
        self.retention_days: float | None = settings.get("retention_days")
        self.config = config
        self.journal = journal
        self.seats = seats
        self.announce = announce
        self.started_ns: int | None = None
        self.last_touch_ns: int | None = None
        self.phase_name: str | None = None
        self.clients: set[str] = set()     # pseudonyms with events in the running session
        self.last_ended: Ended | None = None      # what a note written after it joins
        self.wall: Callable[[], float] = time.time      # wall clock (s), for late notes
        self.on_stop: list = []   # fn(now): run inside the session, just before it ends
        self.extra_players: list[tuple[int, str]] = []   # (position, role): the tablet

    @property
    def active(self) -> bool:
        return self.started_ns is not None

    # -- starting and ending ----------------------------------------------------------------
    def start(self, now: int, by: str = "cli") -> int:
        """Start a session (ending a running one first); return its id."""
        if self.active:
            self.stop(now, by)
        self.expire()
        sid = self.journal.start_session(
            now, [(p.player, p.role) for p in self.config.players] + self.extra_players,
            latency_ms=self.latency_ms(), by=by)
        self.started_ns = now
        self.last_touch_ns = now
        self.phase_name = None
        self.clients = set()
        self._announce_seats(now)
        return sid

    def expire(self) -> None:
        """Apply ``session.retention_days`` (the journal's writer does the deleting)."""
        if self.retention_days is not None:
            self.journal.purge(self.retention_days)

    def stop(self, now: int, by: str = "cli") -> int | None:
        """End the running session; return its id (None if none was running)."""
        sid = self.journal.session
        if not self.active:
            return None
        for hook in list(self.on_stop):   # the plan and the backing stop inside the session
            hook(now)
        self.journal.end_session(now, by)
        from station.journal.late_notes import Ended
        self.last_ended = Ended(sid, now, self.wall()) if sid is not None else None
        self.started_ns = None
        self.phase_name = None
        return sid

    def forget(self, client: str, now: int) -> Future:
        """Delete every trace of ``client`` (an id or a ``c-…`` pseudonym): end the
        running session first if they are in it; the future gets the counts."""
        from station.journal.retention import PSEUDONYM
        text = str(client)
        if PSEUDONYM.match(text):
            who = text
        else:
            from station.config.profile import ID_PATTERN
            if not ID_PATTERN.match(text):
                raise StationError(f"'{text[:40]}' is not a client id (like alex) or a "
                                   f"pseudonym (like c-1a2b3c4d).")
            who = self.journal.pseudonym(text)
        seated = any(self.seats.client(p) == who for p in self.seats.players())
        if self.active and (who in self.clients or seated):
            self.stop(now, "forget")
        return self.journal.forget(text)

    def toggle(self, now: int) -> None:
        """The therapist's session button: start if idle, else stop."""
        if self.active:
            self.stop(now, "button")
        else:
            self.start(now, "button")

    # -- marks --------------------------------------------------------------------------------
    def phase(self, name: str, now: int, by: str = "cli") -> int:
        """Mark the start of a phase (warm-up, main, reflection, ...); starts a session if
        none is running, since marking the warm-up is how many therapists begin."""
        name = " ".join(str(name).split())
        if not name or len(name) > 40:
            raise StationError(f"a phase name must be 1 to 40 characters, like "
                               f"{', '.join(PHASES)}; got {name!r}.")
        if not self.active:
            self.start(now, by)
        self.phase_name = name
        self.announce(Event(PHASE, now, detail=name))   # journal and OSC listeners
        return self.journal.session

    def note(self, text: str, now: int, session: int | None = None) -> int | Future:
        """Add the therapist's free-text note to the running session, or (none running,
        or ``session`` named) to an ended one (``station.journal.late_notes``): the
        session's id, or a Future of it when the journal must be read first."""
        text = str(text).strip()
        if not text or len(text) > MAX_NOTE:
            raise StationError(f"a note must be 1 to {MAX_NOTE} characters (got "
                               f"{len(text)}). Write no names: use the client's id.")
        if self.active and session in (None, self.journal.session):
            self.journal.record(Event(NOTE, now, detail=text))
            return self.journal.session
        from station.journal import late_notes
        last = self.last_ended
        if session is None and last is not None:    # the usual case: nothing to read
            return self._late(text, late_notes.note_target(last, None, self.wall()))
        # A named session, or none kept here (it ended before a restart): the journal is
        # read on a thread of its own, never the engine's; the reply waits for it.
        return late_notes.in_background(lambda: self._late(text, late_notes.target_in(
            self.journal.path, session, last, self.wall())))

    def _late(self, text: str, target) -> int:
        self.journal.record_in(target.id, Event(NOTE, target.ended_ns, detail=text))
        return target.id

    # -- automatic start and end -----------------------------------------------------------
    def observe(self, event: Event) -> None:
        """Engine listener (first in the list, so a session opened here holds the touch)."""
        if event.client is not None and self.active:
            self.clients.add(event.client)
        if event.kind == PROFILE and getattr(event.detail, "seated", False):
            self._record_timbre(event.player, event.t_ns)
        if event.kind != TOUCH or event.player is None:
            return
        if not self.active:
            if not self.auto_start or self.seats.profile(event.player) is None:
                return  # nobody seated: journaled as an unseated touch, starts nothing
            self.start(event.t_ns, "touch")
        self.last_touch_ns = event.t_ns

    def tick(self, now: int) -> None:
        due = self.next_deadline()
        if due is not None and now >= due:
            self.stop(self.last_touch_ns, "idle")

    def next_deadline(self) -> int | None:
        if not self.active or self.idle_end_ns is None:
            return None
        return self.last_touch_ns + self.idle_end_ns

    # -- helpers ------------------------------------------------------------------------------
    def latency_ms(self) -> float:
        """The configured output latency: ALSA periods x period size / sample rate."""
        a = self.config.audio
        return a["periods"] * a["period_size"] / a["sample_rate"] * 1000.0

    def _announce_seats(self, now: int) -> None:
        """Journal who sits where and with which profile version, inside the new session
        (the swaps themselves may have happened before it started)."""
        seats = self.seats
        for n in seats.players():
            profile = seats.profile(n)
            if profile is not None:
                self._record_timbre(n, now)
                self.journal.record(Event(PROFILE, now, player=n, client=seats.client(n),
                                          channel=seats.channel(n),
                                          detail=SeatChange("use", profile.version)))

    def _record_timbre(self, player: int | None, now: int) -> None:
        profile = None if player is None else self.seats.profile(player)
        if profile is None:
            return
        try:
            t = profile.timbre()
        except Exception:   # a catalogue problem must never stop a touch being journaled
            return
        self.journal.record(Event(TIMBRE, now, player=player, client=self.seats.client(player),
                                  channel=self.seats.channel(player),
                                  detail=Timbre(t.bank, t.program, t.name)))

    def status(self) -> dict:
        return {"session": self.journal.session, "active": self.active,
                "started_ns": self.started_ns, "phase": self.phase_name,
                "auto_start": self.auto_start,
                "idle_end_min": None if self.idle_end_ns is None else self.idle_end_ns / 60e9}
