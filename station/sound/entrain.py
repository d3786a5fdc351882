"""Is the client with the pulse? Entrainment judged on phase at the pulse's period, its
half and its double; and which touches are a tempo at all.

A client is *locked* to a pulse of period P when, over the last few beats, their touches
come at one of three periods and keep one phase against the beat grid:

* ``1``: on every beat (their period P);
* ``2``: every other beat, half time (period 2P): a slower client entrained all the same;
* ``0.5``: twice a beat, double time (period P/2, the touches on the beats and halfway).

Three tests, all scaled to the period: the median time between their touches is within
``TEMPO_TOLERANCE`` (10 %) of the candidate period (so tapping at an unrelated tempo,
101–113 BPM against a 62.5 BPM pulse, is not locked, however close some touches fall to
a beat); at least ``LOCK_HITS`` (3) touches fall within ``WINDOW`` (15 %) of the grid
step (P, or P/2 for double time) of a beat or half-beat; and those touches agree in phase
(vector strength at least ``LOCK_MIN_R``, 0.8: about a tenth of a period of spread).

``gestures`` drops touches that come less than ``GESTURE_S`` (0.35 s) after the touch
before them: the taps of a tremor (4–12 Hz, 83–250 ms apart) or a roll are one gesture,
not a tempo (a tempo faster than 171 BPM is not one the pulse should follow).

Times are station ns; periods and windows fractions as stated; pure functions of data.
"""

from __future__ import annotations

import math
from statistics import median

LOCK_RATIOS = (1.0, 2.0, 0.5)   # the client's period / the pulse's, in the order tried
TEMPO_TOLERANCE = 0.10          # median interval within 10 % of the candidate period
WINDOW = 0.15                   # a touch within 15 % of the grid step of a beat is on it
LOCK_HITS = 3                   # ... at least 3 such touches
LOCK_MIN_R = 0.8                # ... agreeing in phase (vector strength)
SPAN_PERIODS = 4                # judged over the last 4 of the client's periods (>= 4 beats)
GESTURE_S = 0.35                # touches closer than this are one gesture (tremor, roll)


def gestures(onsets_ns, min_gap_s: float = GESTURE_S) -> list[int]:
    """The touches that start a gesture: a touch less than ``min_gap_s`` after the one
    before it (kept or not: a whole tremor burst is one gesture) is left out."""
    out: list[int] = []
    last: int | None = None
    for t in sorted(set(onsets_ns)):
        if last is None or t - last >= min_gap_s * 1e9:
            out.append(t)
        last = t
    return out


def beat_period(beats_ns: list[int]) -> float | None:
    """The pulse's period (ns): the median of its last 8 intervals, or None."""
    last = beats_ns[-9:]
    gaps = [b - a for a, b in zip(last, last[1:]) if b > a]
    return float(median(gaps)) if gaps else None


def locked_at(beats_ns: list[int], onsets_ns, ratio: float) -> bool:
    """Is the client locked at ``ratio`` (1, 2 or 0.5: see the module docstring)?"""
    period = beat_period(beats_ns)
    span_beats = math.ceil(max(SPAN_PERIODS, SPAN_PERIODS * ratio))
    if period is None or len(beats_ns) < span_beats + 1:
        return False
    start = beats_ns[-span_beats] - period / 2
    end = beats_ns[-1] + period / 2
    touches = [t for t in gestures(onsets_ns, min(GESTURE_S, 0.6 * ratio * period / 1e9))
               if start <= t <= end]
    if len(touches) < LOCK_HITS:
        return False
    own = median(b - a for a, b in zip(touches, touches[1:]))
    if abs(own / (ratio * period) - 1.0) > TEMPO_TOLERANCE:
        return False
    step = period * min(ratio, 1.0)
    anchor = beats_ns[-1]
    phases = []
    for t in touches:
        x = (t - anchor) / step
        off = (x - round(x)) * step          # ns from the nearest beat (or half-beat)
        if abs(off) <= WINDOW * step:
            phases.append(2 * math.pi * off / step)
    if len(phases) < LOCK_HITS:
        return False
    c = sum(math.cos(p) for p in phases) / len(phases)
    s = sum(math.sin(p) for p in phases) / len(phases)
    return math.hypot(c, s) >= LOCK_MIN_R


def lock_ratio(beats_ns: list[int], onsets_ns) -> float | None:
    """The ratio the client is locked at (1, 2 or 0.5), or None when they are not."""
    for ratio in LOCK_RATIOS:
        if locked_at(beats_ns, onsets_ns, ratio):
            return ratio
    return None
