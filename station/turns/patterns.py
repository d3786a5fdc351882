"""Light patterns as pure functions of time: brightness now, and when it next changes.

Each pattern maps ``t`` (ns since the pattern started on that light) to
``(brightness 0..1, ns until the next change or None)``. Smooth patterns ask for an
update at a fixed step (the only times the station wakes for them); blinking patterns
ask exactly for their next edge. Nothing here sleeps or reads a clock, so a pattern
on the simulator is exact to the nanosecond.

Patterns (what a therapist sees):
    on        steady on: this player's turn (or free play)
    off       off
    ready     a gentle pulse (0.08..0.43, 1.6 s period): "get ready, you are next"
    breathe   a slow breath (0.03..0.53, 6 s period): the station is idle, waiting
    choose    a fast blink (4 Hz): the held next_turn button is offering this player
    fault     two short flashes every 1.2 s: this player's board is not answering
    refused   three quick flashes every 1.5 s (for 6 s): a profile was refused here
    journal   one long flash every 2 s, on every light: the journal is not writing
    cue       a slow, soft swell on every light (3 s period, for 9 s): the plan's phase
              has reached its suggested length; time to move on when it suits
"""

from __future__ import annotations

import math

MS = 1_000_000
READY_PERIOD_NS = 1600 * MS
READY_STEP_NS = 20 * MS          # 50 updates a second while a light pulses
BREATHE_PERIOD_NS = 6000 * MS
BREATHE_STEP_NS = 200 * MS       # 5 updates a second: a slow breath needs no more
REFUSED_SHOW_NS = 6000 * MS      # how long the refused pattern is shown
JOURNAL_SHOW_NS = 6000 * MS      # the journal pattern, shown over everything at first
CUE_PERIOD_NS = 3000 * MS
CUE_SHOW_NS = 9000 * MS          # how long the phase cue is shown: three slow swells


def _flashes(count: int, on_ns: int, off_ns: int, period_ns: int):
    """``count`` flashes, then dark until the period ends; exact edges."""
    edges = []
    for i in range(count):
        start = i * (on_ns + off_ns)
        edges += [(start, 1.0), (start + on_ns, 0.0)]

    def pattern(t: int) -> tuple[float, int | None]:
        phase = t % period_ns
        value, nxt = 0.0, period_ns     # after the last flash: dark until the next period
        for at, v in edges:
            if at <= phase:
                value = v
            else:
                nxt = at
                break
        return value, nxt - phase
    return pattern


def _smooth(low: float, high: float, period_ns: int, step_ns: int):
    """A raised-cosine swell from ``low`` up to ``high`` and back, starting at ``low``."""
    def pattern(t: int) -> tuple[float, int | None]:
        swell = (1 - math.cos(2 * math.pi * (t % period_ns) / period_ns)) / 2
        return low + (high - low) * swell, step_ns - t % step_ns
    return pattern


def _steady(value: float):
    return lambda t: (value, None)


PATTERNS = {
    "on": _steady(1.0),
    "off": _steady(0.0),
    "ready": _smooth(0.08, 0.43, READY_PERIOD_NS, READY_STEP_NS),
    "breathe": _smooth(0.03, 0.53, BREATHE_PERIOD_NS, BREATHE_STEP_NS),
    "choose": _flashes(1, 125 * MS, 125 * MS, 250 * MS),
    "fault": _flashes(2, 100 * MS, 100 * MS, 1200 * MS),
    "refused": _flashes(3, 80 * MS, 80 * MS, 1500 * MS),
    "journal": _flashes(1, 700 * MS, 0, 2000 * MS),
    "cue": _smooth(0.05, 0.6, CUE_PERIOD_NS, BREATHE_STEP_NS),
}


def level(pattern: str, t_ns: int) -> tuple[float, int | None]:
    """Brightness of ``pattern`` at ``t_ns`` since it started (rounded to 1/1000, so a
    light is written only when it visibly changes), and ns until it next changes."""
    value, nxt = PATTERNS[pattern](max(0, t_ns))
    return round(value, 3), nxt
