"""The station-level stuck-electrode guard: a pad touched for too long is recalibrated.

Why at station level and not in a client's filters: a pad can read "touched" forever
for reasons that have nothing to do with a client — a hand rested on it at power-up
and then lifted (the baseline now sits too low), a wet pad, a cable brushing it, an
unassigned electrode, a seat with nobody in it. The per-client stage may end a long
*note* (a musical max-hold); this guard repairs the *electrode*: once an electrode has
read touched without a break for ``daemon.stuck_limit_s`` seconds, it logs a fault
``stuck_electrode``, asks the hardware to re-take that electrode's baseline (which
ends the touch, so the engine releases the note the normal way, once the chip has
re-read it: ``CHECK_NS`` later at most) and, if the electrode still reads touched
then, releases the note itself. It acts once per stuck episode: the next action
waits for a real release.

Timing comes only from event times and ``tick(now)`` (ns), so it runs identically in
the daemon and in the simulator.
"""

from __future__ import annotations

from collections.abc import Callable

from station.core.clock import s_to_ns
from station.core.details import Fault
from station.core.events import FAULT, RELEASE, TOUCH, Event

STUCK = "stuck_electrode"
CHECK_NS = 10_000_000    # after re-taking a baseline, the chip restarts and is re-read


class StuckGuard:
    """Watches raw touch/release events (an engine listener) and acts on stuck pads.

    limit_s: seconds of continuous touch before acting (0 disables the guard).
    hardware: has ``recalibrate(address, [electrode])`` and ``touched_mask(address)``.
    report(event): logs the fault (the engine's ``fault``: journal and lights see it).
    release(event): feeds a synthetic release to the engine when recalibrating did not
    end the touch.
    players: (board, electrode) -> (player, pad), to say whose pad it was.
    """

    def __init__(self, limit_s: float, hardware, report: Callable[[Event], None],
                 release: Callable[[Event], None],
                 players: dict[tuple[int, int], tuple[int, int]] | None = None) -> None:
        self.limit_ns = s_to_ns(limit_s)
        self.hardware = hardware
        self._report = report
        self._release = release
        self._players = players or {}
        self._down: dict[tuple[int, int], int] = {}    # (board, electrode) -> touch t_ns
        self._handled: set[tuple[int, int]] = set()    # acted on; waiting for a release
        self._check: dict[tuple[int, int], int] = {}   # re-taken: check it is free by then
        self.count = 0                                  # stuck episodes handled

    def observe(self, event: Event) -> None:
        """Engine listener: remember when each electrode went down and came up."""
        if event.board is None or event.electrode is None:
            return
        key = (event.board, event.electrode)
        if event.kind == TOUCH:
            self._down.setdefault(key, event.t_ns)
        elif event.kind == RELEASE:
            self._down.pop(key, None)
            self._handled.discard(key)
            self._check.pop(key, None)

    def next_deadline(self) -> int | None:
        if not self.limit_ns:
            return None
        times = [t + self.limit_ns for k, t in self._down.items() if k not in self._handled]
        times += self._check.values()
        return min(times) if times else None

    def tick(self, now: int) -> None:
        if not self.limit_ns:
            return
        due = [k for k, t in self._down.items()
               if k not in self._handled and now - t >= self.limit_ns]
        for key in sorted(due):
            self._act(key, now)
        for key in sorted(k for k, t in self._check.items() if t <= now):
            del self._check[key]
            self._release_if_held(key, now)

    def _act(self, key: tuple[int, int], now: int) -> None:
        board, electrode = key
        player, pad = self._players.get(key, (None, None))
        held_s = (now - self._down[key]) / 1e9
        self._handled.add(key)
        self.count += 1
        self._report(Event(FAULT, now, board=board, electrode=electrode, player=player,
                           pad=pad, detail=Fault(STUCK, f"{held_s:.0f}s")))
        try:
            self.hardware.recalibrate(board, [electrode])
        except (OSError, KeyError):
            pass    # the board went away meanwhile: its own fault releases the pad
        self._check[key] = now + CHECK_NS

    def _release_if_held(self, key: tuple[int, int], now: int) -> None:
        board, electrode = key
        if key in self._down and self.hardware.touched_mask(board) >> electrode & 1:
            # Still reads touched (a real hand that never lifts, or a fault the new
            # baseline did not cure): end the note anyway; the guard waits for a release.
            self._release(Event(RELEASE, now, board=board, electrode=electrode,
                                detail=STUCK))
