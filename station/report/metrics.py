"""Engagement metrics of one subject (a client column in one phase of one session).

Every metric is defined in docs/metrics.md with its formula, source and what it does not
mean; the names are declared once (``station.config.metric_registry``) and
``metric_functions`` attaches these functions to them. Each returns a ``Metric``: a
number, or ``None`` with the reason when there is too little to say anything (the report
prints the reason, the export an empty cell). Times are seconds over the subject's
*available* time: seated, board online, in the phase.
Statistics come from NumPy/SciPy (``scipy.stats.iqr``, ``circmean``,
``directional_stats``); the Rayleigh p-value is the one formula written here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from station.report.intervals import which
from station.report.subject import Subject

WINDOW_S = 6.0             # time-on-task stretch; the longest interval within a phrase
MIN_SEATED_S = 30.0        # rates and time on task need half a minute of seated time
MIN_COUNT = 5              # holds, intervals
MIN_TURNS = 3
MIN_PULSE_TOUCHES = 8
PHRASE_GAP_FACTOR = 2.0    # a phrase ends at a pause longer than twice the usual interval,
PHRASE_GAP_MIN_S = 1.0     # but never shorter than 1 s (a fast run's small hesitation) ...
PHRASE_GAP_MAX_S = 4.0     # ... nor longer than 4 s (notes further apart are no phrase)
RESPONSE_WINDOW_S = 2.0    # without turns: a phrase this soon after a partner's note replies
NO_CONSENT = "no journal consent: only counts are kept"


@dataclass(frozen=True)
class Metric:
    value: float | None
    why: str = ""          # why there is no value (too little data, no pulse, ...)

    @property
    def ok(self) -> bool:
        return self.value is not None and math.isfinite(self.value)


def none(why: str) -> Metric:
    return Metric(None, why)


# -- time and rates ------------------------------------------------------------------------
def valid_per_min(s: Subject) -> Metric:
    """Valid touches per minute of available time."""
    if s.seated_s < MIN_SEATED_S:
        return none(f"seated less than {MIN_SEATED_S:.0f} s")
    return Metric(len(s.onsets) / (s.seated_s / 60.0))


def time_on_task(s: Subject) -> Metric:
    """% of 6 s stretches of the available time that hold a touch. Stretches are laid
    from the start of each available interval; a shorter last stretch counts as one."""
    if s.seated_s < MIN_SEATED_S:
        return none(f"seated less than {MIN_SEATED_S:.0f} s")
    hit = total = 0
    for a, b in s.windows:
        n = max(1, math.ceil((b - a) / WINDOW_S - 1e-9))
        t = s.touches[(s.touches >= a) & (s.touches <= b)]
        k = np.minimum(((t - a) // WINDOW_S).astype(np.int64), n - 1)
        hit += len(np.unique(k))
        total += n
    return Metric(100.0 * hit / total)


def longest_silence(s: Subject) -> Metric:
    """Longest available stretch without a touch (an outage or a time unseated ends it)."""
    if not s.windows:
        return none("not seated")
    longest = 0.0
    for a, b in s.windows:
        t = np.sort(s.touches[(s.touches >= a) & (s.touches <= b)])
        longest = max(longest, float(np.max(np.diff(np.concatenate(([a], t, [b]))))))
    return Metric(longest)


def holds(s: Subject) -> np.ndarray:
    """Hold durations (s): each touch to the next release of the same pad."""
    out = []
    for pad in np.unique(s.touch_pads):
        down = np.sort(s.touches[s.touch_pads == pad])
        up = np.sort(s.releases[s.release_pads == pad])
        i = np.searchsorted(up, down, side="left")
        ok = i < len(up)
        d = up[i[ok]] - down[ok]
        nxt = np.append(down[1:], np.inf)[ok]      # a release after the next touch is lost
        out.append(d[up[i[ok]] <= nxt])
    return np.concatenate(out) if out else np.empty(0)


def hold_median(s: Subject) -> Metric:
    h = holds(s)
    if len(h) < MIN_COUNT:
        return none(f"fewer than {MIN_COUNT} holds")
    return Metric(float(np.median(h)))


# -- phrases and timing --------------------------------------------------------------------
def phrase_breaks(s: Subject) -> tuple[np.ndarray, np.ndarray, float]:
    """Intervals between successive valid touches, a mask of those *within* a phrase,
    and the phrase gap used (s).

    An interval is within a phrase when both touches lie in one available stretch, no
    own turn starts or ends between them, it is longer than 0 (a chord) and at most the
    phrase gap: twice the median of the candidate intervals (those ≤ 6 s), within 1..4 s.
    """
    t = s.onsets
    d = np.diff(t)
    if not len(d):
        return d, np.zeros(0, dtype=bool), PHRASE_GAP_MIN_S
    where = which(t, s.windows)
    same = (where[:-1] == where[1:]) & (where[:-1] >= 0)
    edges = s.turn_edges
    crossed = np.searchsorted(edges, t[1:], side="right") \
        - np.searchsorted(edges, t[:-1], side="right") > 0
    candidate = same & ~crossed & (d > 0) & (d <= WINDOW_S)
    usual = float(np.median(d[candidate])) if np.any(candidate) else 0.0
    gap = min(PHRASE_GAP_MAX_S, max(PHRASE_GAP_MIN_S, PHRASE_GAP_FACTOR * usual))
    return d, candidate & (d <= gap), gap


def phrase_starts(s: Subject) -> np.ndarray:
    """Start times of the phrases (see ``phrase_breaks``; a chord is one step)."""
    if not len(s.onsets):
        return np.empty(0)
    d, within, _ = phrase_breaks(s)
    joined = within | (d == 0)
    return s.onsets[np.concatenate(([True], ~joined))]


def ioi_median_cv(s: Subject) -> tuple[Metric, Metric]:
    """Median interval within phrases (s) and its unevenness IQR/median (no unit)."""
    d, within, _ = phrase_breaks(s)
    x = d[within]
    if len(x) < MIN_COUNT:
        why = f"fewer than {MIN_COUNT} intervals within phrases"
        return none(why), none(why)
    med = float(np.median(x))
    return Metric(med), Metric(float(stats.iqr(x)) / med)


# -- pads and filters ----------------------------------------------------------------------
def pads_used(s: Subject) -> Metric:
    if not len(s.touches):
        return none("no touches")
    return Metric(float(len(np.unique(s.onset_pads))))


def suppressed_pct(s: Subject) -> Metric:
    if not len(s.touches):
        return none("no touches")
    return Metric(100.0 * sum(s.suppressed.values()) / len(s.touches))


def out_of_turn_pct(s: Subject) -> Metric:
    if not len(s.turn_edges) and not s.out_of_turn:
        return none("no turn-taking")
    if not len(s.touches):
        return none("no touches")
    return Metric(100.0 * s.out_of_turn / len(s.touches))


# -- turns -----------------------------------------------------------------------------------
def turn_responses(s: Subject) -> tuple[Metric, Metric, np.ndarray]:
    """% of own turns (starting while available) in which the client played, however
    late; median time from turn start to the first valid touch in it (s); latencies."""
    starts = np.array([a for a, _ in s.turns], dtype=float)
    turns = [t for t, ok in zip(s.turns, which(starts, s.windows) >= 0) if ok]
    n = len(turns)
    if n < MIN_TURNS:
        why = f"fewer than {MIN_TURNS} turns" if n else "no turns"
        return none(why), none(why), np.empty(0)
    answers = []
    for a, b in turns:
        i = np.searchsorted(s.onsets, a, side="left")
        if i < len(s.onsets) and s.onsets[i] <= b:
            answers.append(s.onsets[i] - a)
    lat = np.asarray(answers)
    rate = Metric(100.0 * len(lat) / n)
    if not len(lat):
        return rate, none("no turn was answered"), lat
    return rate, Metric(float(np.median(lat))), lat


def in_turn(times: np.ndarray, turns: list[tuple[float, float]]) -> np.ndarray:
    """Mask of the times that fall in one of ``turns`` (sorted, start and end included)."""
    if not turns:
        return np.zeros(len(times), dtype=bool)
    a = np.array([t[0] for t in turns])
    b = np.array([t[1] for t in turns])
    k = np.searchsorted(a, times, side="right") - 1
    return (k >= 0) & (times <= b[np.maximum(k, 0)])


def initiations_responses(s: Subject) -> tuple[Metric, Metric]:
    """Phrases begun on the client's own vs. in reply: with turn-taking a phrase begun in
    the client's own turn is a reply whatever its delay; without turns, one begun within
    2 s after a partner's note."""
    starts = phrase_starts(s)
    if not len(starts):
        return none("no notes"), none("no notes")
    if len(s.turn_edges):
        replies = int(np.sum(in_turn(starts, s.turns)))
    else:
        o = s.others_onsets
        before = np.searchsorted(o, starts, side="left") - 1
        prev = np.where(before >= 0, o[np.maximum(before, 0)] if len(o) else 0.0, -np.inf)
        replies = int(np.sum(starts - prev <= RESPONSE_WINDOW_S))
    return Metric(float(len(starts) - replies)), Metric(float(replies))


# -- synchronisation with a pulse ----------------------------------------------------------
def beat_phases(touches: np.ndarray, beats: np.ndarray) -> tuple[np.ndarray, float]:
    """Relative phases (rad, -pi..pi) of touches within the beat cycle, and the median
    beat period (s). Beat rows are stamped when the beat sounds, so a touch is compared
    with the beat as heard."""
    b = np.sort(beats)
    if len(b) < 2:
        return np.empty(0), float("nan")
    period = float(np.median(np.diff(b)))
    t = touches[(touches >= b[0] - period / 2) & (touches <= b[-1] + period / 2)]
    k = np.clip(np.searchsorted(b, t) - 1, 0, len(b) - 2)   # beat at or before
    phase = 2 * np.pi * (t - b[k]) / (b[k + 1] - b[k])
    return np.angle(np.exp(1j * phase)), period


def rayleigh_p(n: int, r: float) -> float:
    """Rayleigh test of circular uniformity: p for ``n`` angles with mean resultant length
    ``r`` (Zar 1999, eq. 27.4; the approximation of CircStat and astropy). SciPy has no
    Rayleigh test; this formula is checked against a published example in the tests."""
    big_r = n * r
    return float(min(1.0, math.exp(math.sqrt(1 + 4 * n + 4 * (n * n - big_r * big_r))
                                    - (1 + 2 * n))))


def synchronisation(s: Subject) -> tuple[Metric, Metric, Metric]:
    """Vector strength R (0..1), Rayleigh p, and circular mean asynchrony (ms; negative:
    the touches come before the beat)."""
    if len(s.beats) < 2:
        why = "no pulse"
        return none(why), none(why), none(why)
    phases, period = beat_phases(s.onsets, s.beats)
    if len(phases) < MIN_PULSE_TOUCHES:
        why = f"fewer than {MIN_PULSE_TOUCHES} notes during the pulse"
        return none(why), none(why), none(why)
    unit = np.column_stack((np.cos(phases), np.sin(phases)))
    r = float(stats.directional_stats(unit).mean_resultant_length)
    mean = float(stats.circmean(phases, high=np.pi, low=-np.pi))
    return (Metric(r), Metric(rayleigh_p(len(phases), r)),
            Metric(1000.0 * mean / (2 * np.pi) * period))
