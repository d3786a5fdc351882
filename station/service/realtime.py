"""Real-time scheduling for the engine thread: the touch-to-sound path runs before
ordinary work on the machine (a log rotation, a report being written, a browser).

Linux's SCHED_FIFO lets a thread run as soon as it is woken, ahead of every normal
thread, until it sleeps again. The engine thread sleeps almost always (it wakes for a
touch, a timer or a poll), so this costs the rest of the machine nothing, and the
kernel keeps 5 % of each second for normal threads anyway (sched_rt_runtime_us).

Who may: a process needs RLIMIT_RTPRIO >= the priority (the service unit sets
``LimitRTPRIO=95``) or CAP_SYS_NICE (root). Without either the station says so in
one plain line and runs at normal priority: it plays, with longer tails.

Order of priorities: FluidSynth's audio thread (``audio.realtime-prio``, 60 by
default; under JACK the server's clients run at its ``-P``) sits *above* the engine
(default 40): a late block is a click for everyone, a late note is one late note.

The threads that bring touches in (gpiozero's edge threads: they read the boards)
run ``EDGE_ABOVE`` above the engine (``EdgeThreads``), so a palm's whole read is queued
before the engine starts on it instead of the two trading the GIL.

``SCHED_RESET_ON_FORK`` is set too, so threads and processes the engine starts later
(a report, a helper) run at normal priority instead of inheriting it.
"""

from __future__ import annotations

import logging
import os
import resource
import threading

log = logging.getLogger("station")

EDGE_ABOVE = 5          # edge threads' priority above the engine's


class EngineRealtime:
    """SCHED_FIFO for the *calling* thread; ``restore()`` puts its old policy back.

    ``priority`` 1..99 (0: do nothing). ``state`` is "fifo", "off" (priority 0), or
    "refused" (not permitted; ``message`` says why and what to do)."""

    def __init__(self, priority: int) -> None:
        self.priority = int(priority)
        self.state = "off"
        self.message = ""
        self._old: tuple[int, int] | None = None
        if self.priority <= 0:
            return
        if not hasattr(os, "sched_setscheduler"):     # not Linux
            self.state, self.message = "refused", "real-time scheduling needs Linux"
            return
        old = (os.sched_getscheduler(0), os.sched_getparam(0).sched_priority)
        policy = os.SCHED_FIFO | getattr(os, "SCHED_RESET_ON_FORK", 0)
        try:
            os.sched_setscheduler(0, policy, os.sched_param(self.priority))
        except PermissionError:
            soft, _ = resource.getrlimit(resource.RLIMIT_RTPRIO)
            self.state = "refused"
            self.message = (
                f"the engine thread runs at normal priority: real-time priority "
                f"{self.priority} was not permitted (this process may use up to "
                f"{soft}; the service unit raises it with LimitRTPRIO=95, or run "
                f"`ulimit -r 95` first). Touches still sound, with longer delays when "
                f"the machine is busy.")
            return
        except OSError as exc:
            self.state = "refused"
            self.message = f"the engine thread runs at normal priority ({exc.strerror})"
            return
        self._old = old
        self.state = "fifo"
        self.message = f"engine thread at real-time priority {self.priority} (SCHED_FIFO)"

    def restore(self) -> None:
        """Give the calling thread its previous policy back (idempotent)."""
        if self._old is None:
            return
        policy, priority = self._old
        self._old = None
        try:
            os.sched_setscheduler(0, policy, os.sched_param(priority))
        except OSError:      # lowering one's own priority is always allowed; be safe
            pass


def engine_realtime(priority: int) -> EngineRealtime:
    """Raise the calling thread to ``priority`` and log what happened, plainly."""
    rt = EngineRealtime(priority)
    if rt.state == "fifo":
        log.info("%s", rt.message)
    elif rt.state == "refused":
        log.warning("%s", rt.message)
    return rt


class EdgeThreads:
    """Raise every thread that hands the station a hardware event to SCHED_FIFO.

    On a Pi the IRQ edge reaches Python in gpiozero's callback thread (lgpio's or
    RPi.GPIO's), which then reads the boards over I2C and queues the touches: that
    thread is on the touch-to-sound path as much as the engine, but it is not ours to
    create. ``wrap(emit)`` returns an ``emit`` that, the first time a given thread calls
    it after ``arm()``, gives that thread ``priority`` (once per thread: a set lookup
    per event after that). The engine thread passed to ``arm`` is left as it is.

    Measured (docs/performance.md): with the engine alone at SCHED_FIFO the edge thread
    was still preempted by other processes in the middle of its read on a loaded
    machine (edge -> note_on p99 2.6 ms); with the edge thread raised too, 0.6 ms.
    """

    def __init__(self, priority: int) -> None:
        self.priority = int(priority)
        self.raised: list[str] = []     # names of the threads raised (for status)
        self._seen: set[int] = set()
        self._armed = False

    def arm(self, engine_ident: int) -> None:
        """Start raising callers (after the engine thread got its own priority)."""
        self._seen.add(engine_ident)
        self._armed = self.priority > 0

    def wrap_factory(self, make):
        """``make(emit)`` (a hardware factory) that builds its Hardware on ``wrap(emit)``."""
        return lambda emit: make(self.wrap(emit))

    def wrap(self, emit):
        def emit_raising(event) -> None:
            if self._armed and threading.get_ident() not in self._seen:
                self._raise_caller()
            emit(event)
        return emit_raising

    def _raise_caller(self) -> None:
        self._seen.add(threading.get_ident())
        policy = os.SCHED_FIFO | getattr(os, "SCHED_RESET_ON_FORK", 0)
        try:
            os.sched_setscheduler(0, policy, os.sched_param(self.priority))
        except OSError as exc:
            log.warning("the input thread %s stays at normal priority (%s)",
                        threading.current_thread().name, exc.strerror)
            return
        self.raised.append(threading.current_thread().name)
