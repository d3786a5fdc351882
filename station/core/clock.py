"""Injected clocks. Every stage takes ``now`` (ns) from one of these, never from time.*.

The daemon uses ``MonotonicClock``; the simulator and the tests use ``VirtualClock``,
which only moves when told to, so scenarios run faster than real time and exactly.
"""

from __future__ import annotations

import datetime as _dt
import time

NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000


def s_to_ns(seconds: float) -> int:
    return int(round(seconds * NS_PER_S))


def ms_to_ns(ms: float) -> int:
    return int(round(ms * NS_PER_MS))


class MonotonicClock:
    """Real time: ``time.monotonic_ns``."""

    def now_ns(self) -> int:
        return time.monotonic_ns()


class VirtualClock:
    """Time that moves only by ``advance``/``set``; never goes backwards."""

    def __init__(self, start_ns: int = 0) -> None:
        self._now = int(start_ns)

    def now_ns(self) -> int:
        return self._now

    def set(self, t_ns: int) -> None:
        if t_ns < self._now:
            raise ValueError(f"virtual time cannot go back from {self._now} to {t_ns} ns")
        self._now = int(t_ns)

    def advance(self, dt_ns: int) -> None:
        self.set(self._now + int(dt_ns))


def utc_iso(unix_ns: int | None = None) -> str:
    """Wall-clock time as ISO 8601 UTC with milliseconds."""
    t = time.time_ns() if unix_ns is None else unix_ns
    return _dt.datetime.fromtimestamp(t / 1e9, _dt.UTC).isoformat(
        timespec="milliseconds")
