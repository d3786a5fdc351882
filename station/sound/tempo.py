"""Tempo for the iso principle: the client's own tempo, a gradual ramp, and "with the beat".

The iso principle (Altshuler): meet the client where they are, then move them gradually.
So a pulse may start at the client's tempo (``tempo_of``: the median inter-onset interval
of their last valid touches), then ramp towards a goal tempo (``Ramp``). With
``follow_client`` the ramp only moves while the client is with the beat (``with_beat``):
touches that keep landing near the beats; it waits while they drift or stop, so the
station never leaves the client behind.

Tempos are beats per minute, 30..180; times are station ns; pure functions of data.
"""

from __future__ import annotations

from statistics import median

from station.sound.entrain import gestures, lock_ratio

MIN_BPM, MAX_BPM = 30.0, 180.0
MAX_RAMP_BPM_PER_S = 1.0      # the steepest ramp: 60 -> 90 BPM takes at least 30 s
FOLLOW_ONSETS = 9             # tempo_of: the last 9 touches (8 intervals) at most
FOLLOW_MIN_INTERVALS = 3      # ... and at least 3 intervals
FOLLOW_MAX_GAP_S = 2.5        # a longer pause is between phrases, not a beat


def clamp_bpm(bpm: float) -> float:
    return max(MIN_BPM, min(MAX_BPM, float(bpm)))


def tempo_of(onsets_ns: list[int], now: int, within_s: float = 20.0) -> float | None:
    """The client's current tempo (BPM) from their recent valid touches, or None.

    Intervals longer than ``FOLLOW_MAX_GAP_S`` are pauses between phrases and are left
    out; a chord's notes (equal times) count once, and so does a gesture: a touch less
    than ``entrain.GESTURE_S`` (0.35 s) after the one before is a tremor's or a roll's,
    not a tempo (station.sound.entrain.gestures). Clamped to 30..180 BPM.
    """
    recent = gestures(t for t in onsets_ns if now - t <= within_s * 1e9)[-FOLLOW_ONSETS:]
    gaps = [(b - a) / 1e9 for a, b in zip(recent, recent[1:])]
    gaps = [g for g in gaps if 0.0 < g <= FOLLOW_MAX_GAP_S]
    if len(gaps) < FOLLOW_MIN_INTERVALS:
        return None
    return clamp_bpm(60.0 / median(gaps))


def ramp_seconds(start_bpm: float, target_bpm: float, ramp_s: float) -> float:
    """``ramp_s``, lengthened if needed so the tempo moves at most MAX_RAMP_BPM_PER_S."""
    return max(float(ramp_s), abs(target_bpm - start_bpm) / MAX_RAMP_BPM_PER_S)


class Ramp:
    """A tempo moving linearly from ``start`` to ``target`` BPM over ``seconds`` of progress.

    Progress is what the owner says it is (``advance``): all the time that passes, or with
    follow_client only the time the client was with the beat.
    """

    def __init__(self, start: float, target: float | None = None, seconds: float = 0.0) -> None:
        self.start = clamp_bpm(start)
        self.target = self.start if target is None else clamp_bpm(target)
        self.seconds = ramp_seconds(self.start, self.target, seconds) \
            if self.target != self.start else 0.0
        self.progress_s = 0.0

    @property
    def done(self) -> bool:
        return self.progress_s >= self.seconds

    @property
    def fraction(self) -> float:
        return 1.0 if self.seconds <= 0 else min(1.0, self.progress_s / self.seconds)

    def bpm(self) -> float:
        return self.start + (self.target - self.start) * self.fraction

    def advance(self, seconds: float) -> None:
        self.progress_s = min(self.seconds, self.progress_s + max(0.0, seconds))


def with_beat(beats_ns: list[int], onsets_ns: list[int]) -> bool:
    """True when the client is locked to the pulse: on its beats, at half time or at
    double time, with agreeing phases (station.sound.entrain.lock_ratio)."""
    return lock_ratio(beats_ns, onsets_ns) is not None
