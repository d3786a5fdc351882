"""How noisy the machine was while measuring: so the tails can be read honestly.

Latency tails (p99, max) on a shared machine are mostly other processes taking the CPU
and the Python garbage collector stopping the world, not the station's code. Two probes
run alongside the latency measurements and are reported next to them:

* ``probe(n)``: a fixed pure-Python computation (about 50 us) timed ``n`` times; on a
  quiet machine its p99 is close to its median. Its p99 - median is the delay the
  machine itself added to a sub-millisecond task during the run.
* ``GcWatch``: every garbage collection (``gc.callbacks``) with its generation and
  duration while active; gen-2 collections of a large heap pause every thread. The
  daemon's own planned full collections (``station.service.heap``: once at start-up,
  then only when nobody plays) are kept apart in ``planned``: they are not on the
  touch path.
"""

from __future__ import annotations

import gc
import os
import time

from bench.stats import summary_ms


def _work() -> int:
    total = 0
    for i in range(1500):
        total += i * i % 7
    return total


def probe(n: int) -> dict:
    """Wall-time summary (ms) of ``n`` runs of a fixed computation, and the load average."""
    samples = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        _work()
        samples.append(time.perf_counter_ns() - t0)
        time.sleep(0.0002)      # let the scheduler interleave, as touches do
    return {"probe": summary_ms(samples), "load_avg": os.getloadavg()[0]}


class GcWatch:
    """Context manager: ``pauses`` = [(generation, ms)] of collections inside it."""

    def __init__(self) -> None:
        from station.service import heap
        self.pauses: list[tuple[int, float]] = []
        self.planned: list[tuple[int, float]] = []
        self._t0 = 0
        self._heap = heap

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter_ns()
        else:
            pause = (info["generation"], (time.perf_counter_ns() - self._t0) / 1e6)
            (self.planned if self._heap.planned() else self.pauses).append(pause)

    def __enter__(self) -> GcWatch:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc) -> None:
        gc.callbacks.remove(self._callback)

    def worst_ms(self) -> float:
        return max((ms for _, ms in self.pauses), default=0.0)

    def count(self, generation: int) -> int:
        return sum(1 for g, _ in self.pauses if g == generation)
