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
