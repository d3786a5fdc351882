"""Resume after a restart: the same session goes on, or the old one is closed.

While the daemon runs, ``LiveRecorder`` (a station timer, every ``POLL_NS`` and at once
after an event that may change it: a phase, a seat, a turn, the backing) takes the live
state (``station.service.live_snapshot``) and, when it changed, and at least every
``HEARTBEAT_NS`` while a session runs (``HEARTBEAT_IDLE_NS`` without), hands it to
``journal.live_state`` to be written durably beside the journal; a stopping daemon writes
the last state it took, stamped with the time it stopped. Nothing is written during
start-up, so a station that dies while starting still resumes what ran before.

At the next start (``Resume``, built before the station), ``decide`` says what to do:

* **resume**, when the state was saved less than ``session.resume_window_min`` minutes
  ago (default 10; 0: never) by the wall clock: station time goes on from where it was
  (``OffsetClock``, so even after a power cut, when the machine's monotonic clock starts
  again from zero, the journal's times keep their order and the gap its true length),
  the same journal session is continued (``journal.resume_rows``), a ``resumed`` event
  marks the gap (detail: its length in seconds, from the last sign of life: the last
  event in the session or the last saved state), the same clients are seated, and once
  the start-up cue is over the plan is put back in the same phase, the turn mode, the
  backing at its tempo, the master volume and all-quiet;
* **fresh**, after the window (or when the wall clock went back, so nobody can tell how
  long the station was off): the old session is closed at its last event and the station
  starts as configured; the next session is a new one.

A session the therapist had ended (button, command, idle, plan) is never continued. At
any time after a resume the therapist can choose a fresh start instead (the ``resume``
control command, op ``close_previous``: the panel's "Close the previous session" and
``station session close-previous``): the resumed session ends there and a new one starts
with the clients as they are seated.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from station.core.clock import MonotonicClock
from station.core.errors import StationError
from station.core.events import Event
from station.journal import live_state, resume_rows
from station.service import live_snapshot

log = logging.getLogger("station")
POLL_NS = 1_000_000_000         # look for a changed state this often (ns) ...
# ... and at once after any event but the frequent ones (a touch or a beat changes nothing
# that is kept): a phase, a seat, a turn, the backing starting or stopping, a session
HOT = frozenset({"touch", "release", "note_on", "note_off", "suppressed", "beat", "echo",
                 "timbre", "consent", "goals", "counts"})
HEARTBEAT_NS = 10_000_000_000   # and write it anyway this often while a session runs,
HEARTBEAT_IDLE_NS = 60_000_000_000   # and this often without one (the window's clock)


@dataclass(frozen=True)
class Decision:
    action: str          # resume | fresh | none (nothing saved)
    reason: str          # in words, for the log and status
    age_s: float | None  # how long ago the state was saved (wall clock, s)


def decide(state: dict | None, now_unix_ns: int, window_s: float) -> Decision:
    """Resume or start fresh (a pure function of the saved state and the wall clock)."""
    if state is None:
        return Decision("none", "no saved session state", None)
    age_s = (now_unix_ns - int(state.get("saved_unix_ns", 0))) / 1e9
    if window_s <= 0:
        return Decision("fresh", "resuming is turned off (session.resume_window_min: 0)",
                        age_s)
    if age_s < 0:
        return Decision("fresh", "the clock went back, so how long the station was off is "
                        "not known", age_s)
    if age_s > window_s:
        return Decision("fresh", f"the station was off {age_s / 60:.1f} min, longer than "
                        f"the resume window of {window_s / 60:g} min", age_s)
    return Decision("resume", f"the station was off {age_s:.0f} s, within the resume "
                    f"window of {window_s / 60:g} min", age_s)


class OffsetClock:
    """Station time that goes on from an earlier life: ``time.monotonic_ns() + offset``."""

    def __init__(self, offset_ns: int) -> None:
        self.offset_ns = int(offset_ns)

    def now_ns(self) -> int:
        return time.monotonic_ns() + self.offset_ns


class Resume:
    """What this start does with the state the last run left (see the module docstring)."""

    def __init__(self, config, now_unix_ns: int | None = None) -> None:
        self.path = live_state.state_path(config.journal)
        self.journal_path = config.journal
        minutes = (config.raw.get("session") or {}).get("resume_window_min", 10.0)
        self.window_s = float(minutes or 0) * 60
        self.state = live_state.load(self.path)
        self.decision = decide(self.state, now_unix_ns or time.time_ns(), self.window_s)
        self.session_row = self._session_row()
        self.resumed: dict | None = None     # {"session", "gap_s", "restored"} once resumed
        self.closed: int | None = None       # the old session closed at start-up
        self.daemon: Any = None              # the Daemon, once attached
        self.recorder: LiveRecorder | None = None

    def _session_row(self) -> dict | None:
        sid = ((self.state or {}).get("session") or {}).get("id")
        if sid is None or not self.journal_path.exists():
            return None
        try:
            return {"id": int(sid), **(resume_rows.session_end(self.journal_path, int(sid))
                                       or {"missing": True})}
        except Exception as exc:   # an unreadable journal: the journal's own check says why
            log.warning("resume: the journal could not be read (%s)", exc)
            return None

    def continues_session(self) -> bool:
        return self.decision.action == "resume" and self._restart_ended()

    def _restart_ended(self) -> bool:
        """The saved session is in the journal, ended by the restart (not the therapist)."""
        row = self.session_row
        started = ((self.state or {}).get("session") or {}).get("started_ns")
        # the same id and start: not another session of a journal put there meanwhile
        return (row is not None and "missing" not in row and row["started_ns"] == started
                and row["ended_by"] in resume_rows.CONTINUABLE)

    def gap_start_ns(self) -> int:
        """The last sign of life before the restart (station ns)."""
        state, row = self.state or {}, self.session_row or {}
        times = [int(state.get("saved_ns") or 0), row.get("last_ns") or 0,
                 row.get("ended_ns") or 0]
        return max(times)

    def clock(self):
        """The daemon's clock: for a resume, station time from where it was (wall clock
        since the last save), so a power cut's new monotonic zero changes nothing."""
        if self.decision.action != "resume":
            return MonotonicClock()
        target = int(self.state.get("saved_ns") or 0) + int(self.decision.age_s * 1e9)
        target = max(target, self.gap_start_ns())
        return OffsetClock(max(0, target - time.monotonic_ns()))

    # -- in the daemon --------------------------------------------------------------------
    def attach(self, daemon) -> None:
        """Continue or close the old session, seat the clients; the rest follows once the
        start-up cue is over. Called before the station starts."""
        self.daemon = daemon
        station = daemon.station
        daemon.control.handlers["resume"] = self.command
        self.recorder = LiveRecorder(station, self.path, daemon.startup, self._apply_rest)
        station.timers.append(self.recorder)
        station.engine.add_listener("live_state", self.recorder.observe)
        row = self.session_row
        if self.continues_session():
            self._continue(station, row)
        elif row is not None and self._restart_ended():
            self.closed = row["id"]
            resume_rows.close_at_last_event(self.journal_path, row["id"])
            log.info("session %d was closed at its last event: %s", row["id"],
                     self.decision.reason)
        if self.decision.action == "resume":
            station.clients.update(live_snapshot.seats_to_use(self.state,
                                                              daemon.config.players))
            # the plan and the backing belong to the session: only with it do they go on
            self.recorder.pending = self.state if self.resumed else \
                {**self.state, "plan": None, "backing": None}
        else:
            self.recorder.pending = None

    def _continue(self, station, row: dict) -> None:
        sid, now = row["id"], station.clock.now_ns()
        station.journal.continue_session(sid)
        sessions = station.sessions
        sessions.started_ns = int(row["started_ns"])
        sessions.last_touch_ns = now             # the idle end counts from the resume
        sessions.phase_name = (self.state.get("session") or {}).get("phase")
        gap_s = max(0.0, (now - self.gap_start_ns()) / 1e9)
        station.engine.announce(Event(resume_rows.RESUMED, now, detail=f"{gap_s:.3f}"))
        self.resumed = {"session": sid, "gap_s": round(gap_s, 1), "restored": []}
        log.info("session %d resumed after %.1f s (%s)", sid, gap_s, self.decision.reason)

    def _apply_rest(self, state: dict, now: int) -> None:
        """Once the start-up cue is over: plan, turns, backing, volume, all-quiet."""
        done = live_snapshot.restore(self.daemon.station, state, self.gap_start_ns(), now)
        if self.resumed is not None:
            self.resumed["restored"] = ["session", "seats", *done]
        log.info("resumed: %s", ", ".join(done) or "the seats only")

    def close(self) -> None:
        """Stopping: the last state, stamped now (the last sign of life), is written;
        then the writer thread stops (idempotent)."""
        if self.recorder is not None:
            self.recorder.last_words()
            self.recorder.file.close()

    # -- the therapist's choice and status ------------------------------------------------
    def command(self, op: str = "status", by: str = "cli") -> dict:
        """``resume`` control command: ``status``, or ``close_previous``."""
        if op == "close_previous":
            station = self.daemon.station
            sid = (self.resumed or {}).get("session")
            if sid is None or station.journal.session != sid:
                raise StationError("no session was resumed after the last restart, so there "
                                   "is no previous session to close.")
            now = station.clock.now_ns()
            station.sessions.stop(now, "closed")       # the plan and its backing end too
            new = station.sessions.start(now, "panel" if by == "panel" else "cli")
            log.info("session %d closed by the therapist after its resume; session %d "
                     "starts", sid, new)
            self.closed, self.resumed = sid, None
        elif op != "status":
            raise StationError(f"unknown resume command '{op}': use status or "
                               f"close_previous.")
        return self.status()

    def status(self) -> dict:
        rec = self.recorder
        return {"window_min": self.window_s / 60, "decision": self.decision.action,
                "reason": self.decision.reason, "resumed": self.resumed,
                "closed": self.closed,
                "written": rec.file.written if rec else 0,
                "error": rec.file.error if rec else None}


class LiveRecorder:
    """A station timer that keeps the live state on disk (see the module docstring).

    ``pending``: a state to put back once ``startup.phase`` is "ready" (then
    ``apply(state, now)`` is called once); until then nothing is written."""

    def __init__(self, station, path, startup, apply) -> None:
        self.station = station
        self.startup = startup
        self.apply = apply
        self.file = live_state.LiveStateFile(path)
        self.pending: dict | None = None
        self._started = False
        self._last: dict | None = None
        self._last_write = -HEARTBEAT_IDLE_NS    # real time (monotonic ns) of the last write
        self._next = 0
        self._failed = False

    def next_deadline(self) -> int | None:
        return self._next

    def observe(self, event: Event) -> None:
        """Engine listener: something kept may have changed; look at the next step."""
        if event.kind not in HOT:
            self._next = 0

    def tick(self, now: int) -> None:
        self._next = now + POLL_NS
        if not self._started:
            if self.startup.phase != "ready":
                return                            # keep the last run's state meanwhile
            self._started = True
            if self.pending is not None:
                self.apply(self.pending, now)
                self.pending = None
        try:
            state = live_snapshot.snapshot(self.station)
        except Exception:    # a bug here must never stop the station: logged, skipped
            if not self._failed:
                log.exception("resume: the live state could not be taken; a restart "
                              "would not resume the session. Please report it.")
            self._failed = True
            return
        self._failed = False
        every = HEARTBEAT_NS if state["session"] is not None else HEARTBEAT_IDLE_NS
        # the heartbeat keeps the real time the station was last alive: counted on the
        # real clock, so the simulator's and the tests' virtual hours do not write it often
        beat = time.monotonic_ns() - self._last_write >= every
        if beat or not live_snapshot.same(state, self._last):
            self._save(state, now)

    def _save(self, state: dict, now: int) -> None:
        state["saved_ns"], state["saved_unix_ns"] = now, time.time_ns()
        self.file.save(state)
        self._last, self._last_write = state, time.monotonic_ns()

    def last_words(self) -> None:
        """The station stops: the last state taken (before the stop ended the session)
        is written again, stamped now. Nothing when none was taken (a start that did not
        finish keeps the earlier run's state)."""
        if self._last is not None:
            self._save(dict(self._last), self.station.clock.now_ns())
