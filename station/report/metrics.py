"""Engagement metrics of one subject (a player, or a client, in one session).

Every metric is defined in docs/metrics.md with its formula, source and what it does not
mean. Each returns a ``Metric``: a number, or ``None`` with the reason when the window
holds too little data to say anything (the report prints the reason, never a number).
Times are seconds; statistics come from NumPy/SciPy (``scipy.stats.iqr``,
``scipy.stats.entropy``, ``scipy.stats.circmean``, ``scipy.stats.directional_stats``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from station.report.data import Subject

WINDOW_S = 6.0            # time-on-task window and the gap that ends a bout
MINUTE_S = 60.0
RESPONSE_WINDOW_S = 2.0   # a bout starting this soon after a partner's note or a cue responds
MIN_SPAN_S = 30.0         # time-on-task needs at least 5 windows
MIN_COUNT = 5             # holds, inter-onset intervals
MIN_TURNS = 3
MIN_PULSE_ONSETS = 8


@dataclass(frozen=True)
class Metric:
    value: float | None
    unit: str = ""
    why: str = ""          # why there is no value (too little data, no pulse, ...)

    @property
    def ok(self) -> bool:
        return self.value is not None and math.isfinite(self.value)


def none(why: str) -> Metric:
    return Metric(None, "", why)


def _windows_with(times: np.ndarray, span: float, width: float) -> tuple[int, int]:
    """(windows holding a time, windows in total) for consecutive windows over [0, span]."""
    total = max(1, math.ceil(span / width - 1e-9))
    hit = np.unique(np.minimum((times // width).astype(np.int64), total - 1)) if len(times) \
        else []
    return len(hit), total


def touches_per_active_minute(s: Subject) -> Metric:
    """Valid touches / minutes (60 s windows from the start) holding any touch."""
    active, _ = _windows_with(s.touches, s.span_s, MINUTE_S)
    if active == 0:
        return none("no touches")
    return Metric(len(s.onsets) / active, "per min")


def time_on_task(s: Subject) -> Metric:
    """Share (%) of the session's 6 s windows that hold at least one touch."""
    if s.span_s < MIN_SPAN_S:
        return none(f"session shorter than {MIN_SPAN_S:.0f} s")
    hit, total = _windows_with(s.touches, s.span_s, WINDOW_S)
    return Metric(100.0 * hit / total, "%")


def bouts(s: Subject) -> list[tuple[float, float, int]]:
    """(start, end, touches) of each bout: touches whose gaps are at most 6 s."""
    t = np.sort(s.touches)
    if not len(t):
        return []
    breaks = np.flatnonzero(np.diff(t) > WINDOW_S)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(t) - 1]))
    return [(float(t[a]), float(t[b]), int(b - a + 1)) for a, b in zip(starts, ends)]


def longest_silence(s: Subject) -> Metric:
    """Longest stretch without a touch, counting from the start and up to the end."""
    edges = np.concatenate(([0.0], np.sort(s.touches), [s.span_s]))
    return Metric(float(np.max(np.diff(edges))) if len(edges) > 1 else s.span_s, "s")


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


def median_iqr(x: np.ndarray, unit: str, what: str) -> tuple[Metric, Metric]:
    if len(x) < MIN_COUNT:
        why = f"fewer than {MIN_COUNT} {what}"
        return none(why), none(why)
    return Metric(float(np.median(x)), unit), Metric(float(stats.iqr(x)), unit)


def inter_onset_intervals(s: Subject) -> np.ndarray:
    """Intervals (s) between successive valid touches within a bout (≤ 6 s apart)."""
    d = np.diff(np.sort(s.onsets))
    return d[(d > 0) & (d <= WINDOW_S)]


def ioi_median_cv(s: Subject) -> tuple[Metric, Metric]:
    """Median IOI (s) and its robust coefficient of variation IQR/median (no unit)."""
    d = inter_onset_intervals(s)
    if len(d) < MIN_COUNT:
        why = f"fewer than {MIN_COUNT} intervals"
        return none(why), none(why)
    med = float(np.median(d))
    return Metric(med, "s"), Metric(float(stats.iqr(d)) / med, "")


def pads_used(s: Subject) -> tuple[Metric, Metric]:
    """Distinct pads that sounded, and the entropy (bits) of touches over pads."""
    if not len(s.touch_pads):
        return none("no touches"), none("no touches")
    _, counts = np.unique(s.touch_pads, return_counts=True)
    return (Metric(float(len(np.unique(s.onset_pads))), "pads"),
            Metric(float(stats.entropy(counts, base=2)), "bits"))


def suppressed_ratio(s: Subject) -> Metric:
    if not len(s.touches):
        return none("no touches")
    return Metric(100.0 * sum(s.suppressed.values()) / len(s.touches), "%")


def out_of_turn_rate(s: Subject) -> Metric:
    if not len(s.turn_starts) and not s.out_of_turn:
        return none("no turn-taking in this session")
    if not len(s.touches):
        return none("no touches")
    return Metric(100.0 * s.out_of_turn / len(s.touches), "%")


def turn_responses(s: Subject) -> tuple[Metric, Metric, np.ndarray]:
    """Response rate (% of turns with a touch) and median latency (s) from turn start to
    the first touch in that turn; also the latencies themselves."""
    n = len(s.turn_starts)
    if n < MIN_TURNS:
        why = f"fewer than {MIN_TURNS} turns" if n else "no turns"
        return none(why), none(why), np.empty(0)
    t = np.sort(s.touches)
    lat = []
    for a, b in zip(s.turn_starts, s.turn_ends):
        i = np.searchsorted(t, a, side="left")
        if i < len(t) and t[i] <= b:
            lat.append(t[i] - a)
    lat = np.asarray(lat)
    rate = Metric(100.0 * len(lat) / n, "%")
    if not len(lat):
        return rate, none("no turn was answered"), lat
    return rate, Metric(float(np.median(lat)), "s"), lat


def initiations_responses(s: Subject) -> tuple[Metric, Metric]:
    """Bouts started on the subject's own (initiations) vs. within 2 s after a partner's
    note or the subject's turn start (responses)."""
    starts = np.array([b[0] for b in bouts(s)])
    if not len(starts):
        return none("no touches"), none("no touches")
    cues = np.sort(np.concatenate((s.others_onsets, s.turn_starts)))
    i = np.searchsorted(cues, starts, side="right") - 1     # last cue at or before the bout
    prev = np.where(i >= 0, cues[np.maximum(i, 0)] if len(cues) else 0, -np.inf)
    responses = int(np.sum(starts - prev <= RESPONSE_WINDOW_S))
    return Metric(float(len(starts) - responses), "bouts"), Metric(float(responses), "bouts")


# -- synchronisation with a pulse ---------------------------------------------------------
def beat_phases(onsets: np.ndarray, beats: np.ndarray, latency_s: float
                ) -> tuple[np.ndarray, float]:
    """Relative phases (rad, -pi..pi) of the onsets within the beat cycle, and the median
    beat period (s). The beat is heard ``latency_s`` after it is logged, the touch's own
    sound equally late; so the touch is compared with the *heard* beat."""
    b = np.sort(beats) + latency_s
    if len(b) < 2:
        return np.empty(0), float("nan")
    period = float(np.median(np.diff(b)))
    t = onsets[(onsets >= b[0] - period / 2) & (onsets <= b[-1] + period / 2)]
    k = np.clip(np.searchsorted(b, t) - 1, 0, len(b) - 2)   # beat at or before
    local = b[k + 1] - b[k]
    phase = 2 * np.pi * (t - b[k]) / local
    return np.angle(np.exp(1j * phase)), period


def rayleigh_p(n: int, r: float) -> float:
    """Rayleigh test of circular uniformity: p for ``n`` angles with mean resultant length
    ``r`` (Zar 1999, eq. 27.4; the approximation used by CircStat and astropy).
    SciPy has no Rayleigh test, so this one formula is ours; it is checked against
    published examples in the tests."""
    big_r = n * r
    return float(min(1.0, math.exp(math.sqrt(1 + 4 * n + 4 * (n * n - big_r * big_r))
                                    - (1 + 2 * n))))


def synchronisation(s: Subject) -> tuple[Metric, Metric, Metric]:
    """Vector strength R (0..1), Rayleigh p, and circular mean asynchrony (ms; negative:
    the touches come before the heard beat)."""
    if len(s.beats) < 2:
        why = "no pulse in this session"
        return none(why), none(why), none(why)
    phases, period = beat_phases(s.onsets, s.beats, s.latency_s)
    if len(phases) < MIN_PULSE_ONSETS:
        why = f"fewer than {MIN_PULSE_ONSETS} touches during the pulse"
        return none(why), none(why), none(why)
    unit = np.column_stack((np.cos(phases), np.sin(phases)))
    r = float(stats.directional_stats(unit).mean_resultant_length)
    mean = float(stats.circmean(phases, high=np.pi, low=-np.pi))
    return (Metric(r, ""), Metric(rayleigh_p(len(phases), r), ""),
            Metric(1000.0 * mean / (2 * np.pi) * period, "ms"))


def session_metrics(s: Subject) -> dict[str, Metric]:
    """Every per-session metric of one subject, by name (the report's rows)."""
    hold_med, hold_iqr = median_iqr(holds(s), "s", "holds")
    ioi_med, ioi_cv = ioi_median_cv(s)
    used, entropy = pads_used(s)
    rate, latency, _ = turn_responses(s)
    init, resp = initiations_responses(s)
    vs, p, asyn = synchronisation(s)
    b = bouts(s)
    return {
        "touches": Metric(float(len(s.touches)), ""),
        "valid_touches": Metric(float(len(s.onsets)), ""),
        "touches_per_active_minute": touches_per_active_minute(s),
        "time_on_task": time_on_task(s),
        "bouts": Metric(float(len(b)), ""),
        "longest_silence": longest_silence(s),
        "hold_median": hold_med, "hold_iqr": hold_iqr,
        "ioi_median": ioi_med, "ioi_cv": ioi_cv,
        "pads_used": used, "pad_entropy": entropy,
        "suppressed_ratio": suppressed_ratio(s),
        "turn_response_rate": rate, "turn_latency_median": latency,
        "out_of_turn_rate": out_of_turn_rate(s),
        "initiations": init, "responses": resp,
        "vector_strength": vs, "rayleigh_p": p, "mean_asynchrony": asyn,
    }
