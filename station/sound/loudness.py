"""Loudness of rendered audio: ITU-R BS.1770-4 integrated loudness, balance, small speakers.

``lufs`` is the integrated loudness in LUFS (pyloudnorm: K-weighting, 400 ms blocks,
-70 LUFS absolute and -10 LU relative gates); a full-scale 997 Hz sine in one channel
reads -3.01 LUFS. ``balance_db`` is left over right in dB (positive: left louder).
``highpass_loss_db`` is what a small speaker takes away: the level lost through a 4th-order
Butterworth high-pass (150 Hz by default, where a Pi's usual speaker stops).

Samples are int16 (FluidSynth's scale, ±32767) or floats on that scale, stereo
(frames, 2) or mono. Used by the calibration (station.sound.calibrate), the simulator's
summary and the tests; the real-time daemon never imports it (numpy, scipy).
"""

from __future__ import annotations

import math

import numpy as np

FULL_SCALE = 32768.0
SMALL_SPEAKER_HZ = 150.0


def _float(samples) -> np.ndarray:
    return np.asarray(samples, dtype=np.float64) / FULL_SCALE


def lufs(samples, rate: int) -> float:
    """Integrated loudness in LUFS; -inf for silence (or less than one 400 ms block)."""
    import pyloudnorm

    data = _float(samples)
    if len(data) < int(0.4 * rate) + 1:
        return -math.inf
    value = float(pyloudnorm.Meter(rate).integrated_loudness(data))
    return value if math.isfinite(value) else -math.inf


def balance_db(samples) -> float:
    """Energy of the left channel over the right, in dB (0: centred; +: left louder)."""
    data = _float(samples)
    left, right = float((data[:, 0] ** 2).sum()), float((data[:, 1] ** 2).sum())
    if left <= 0 or right <= 0:
        return 0.0 if left == right else math.copysign(math.inf, left - right)
    return 10.0 * math.log10(left / right)


def highpass_loss_db(samples, rate: int, cutoff_hz: float = SMALL_SPEAKER_HZ) -> float:
    """Energy lost through a 4th-order Butterworth high-pass at ``cutoff_hz``, in dB
    (0: nothing lost; a bass drum loses about 11 dB at 150 Hz)."""
    from scipy.signal import butter, sosfilt

    data = _float(samples)
    sos = butter(4, cutoff_hz, "highpass", fs=rate, output="sos")
    kept = sosfilt(sos, data, axis=0)
    before, after = float((data ** 2).sum()), float((kept ** 2).sum())
    if before <= 0:
        return 0.0
    return 10.0 * math.log10(before / max(after, 1e-30))


class LoudnessMeter:
    """Integrated loudness (BS.1770-4, as ``lufs``) of audio fed in pieces: a session's
    worth without holding it. K-weighting (pyloudnorm's filters) carries its state from
    piece to piece; the mean square of every 100 ms is kept, and the 400 ms gating blocks
    (75 % overlap) are four of them in a row."""

    def __init__(self, rate: int) -> None:
        from pyloudnorm.iirfilter import IIRfilter
        from scipy.signal import lfilter_zi

        self.rate = rate
        self._stages = [IIRfilter(4.0, 1 / math.sqrt(2), 1500.0, rate, "high_shelf"),
                        IIRfilter(0.0, 0.5, 38.0, rate, "high_pass")]
        self._zi = [np.zeros((2, len(lfilter_zi(s.b, s.a)))) for s in self._stages]
        self._step = rate // 10                   # 100 ms
        self._acc, self._filled = 0.0, 0          # the 100 ms being summed
        self._squares: list[float] = []           # sum over both channels, per 100 ms

    def feed(self, samples) -> None:
        """Add stereo int16 (or int16-scaled float) frames."""
        from scipy.signal import lfilter

        data = _float(samples).T.copy()           # (2, frames)
        for i, stage in enumerate(self._stages):
            data, self._zi[i] = lfilter(stage.b, stage.a, data, axis=1, zi=self._zi[i])
        energy = (data ** 2).sum(axis=0)
        pos = 0
        while pos < len(energy):
            take = min(self._step - self._filled, len(energy) - pos)
            self._acc += float(energy[pos:pos + take].sum())
            self._filled += take
            pos += take
            if self._filled == self._step:
                self._squares.append(self._acc)
                self._acc, self._filled = 0.0, 0

    def silence(self, frames: int) -> None:
        """Add ``frames`` of digital silence (the filters' state decays meanwhile)."""
        whole = (self._filled + frames) // self._step
        if whole:
            self._squares.append(self._acc)
            self._squares.extend([0.0] * (whole - 1))
            self._acc = 0.0
        self._filled = (self._filled + frames) % self._step
        if frames >= self._step:
            self._zi = [np.zeros_like(z) for z in self._zi]

    def lufs(self) -> float:
        """The integrated loudness so far (-inf: silence, or under 400 ms)."""
        sq = np.array(self._squares)
        if len(sq) < 4:
            return -math.inf
        blocks = (sq[:-3] + sq[1:-2] + sq[2:-1] + sq[3:]) / (4 * self._step)
        with np.errstate(divide="ignore"):
            loud = -0.691 + 10 * np.log10(blocks)
        above = blocks[loud >= -70.0]
        if not above.size:
            return -math.inf
        relative = -0.691 + 10 * math.log10(above.mean()) - 10.0
        kept = blocks[(loud >= -70.0) & (loud >= relative)]
        return float(-0.691 + 10 * math.log10(kept.mean()))
