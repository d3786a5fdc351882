"""Measure rendered audio: pitch, silence, onset. Used by tests and latency benchmarks.

Samples are numpy arrays of int16 (as FluidSynth renders them, full scale ±32767) or
floats on the same scale. Stereo arrays have shape (frames, 2); mono arrays shape (frames,).
Frequencies are in Hz, pitch differences in cents (1/100 of an equal-tempered semitone).

FluidSynth dithers its int16 output by ±1, so digital silence is never exactly zero:
"silent" means every sample satisfies |x| <= threshold (default 2).
"""

from __future__ import annotations

import math

import numpy as np

SILENCE_THRESHOLD = 2
"""Largest |sample| (int16 units) still counted as silence: FluidSynth's dither is ±1."""


def midi_to_hz(note: float) -> float:
    """Equal-tempered frequency in Hz of MIDI ``note`` (0..127, fractional ok); A4 = 69 = 440 Hz."""
    return 440.0 * 2.0 ** ((note - 69.0) / 12.0)


def cents(f1: float, f2: float) -> float:
    """Interval from ``f2`` to ``f1`` in cents: positive when ``f1`` is higher. Both > 0 Hz."""
    if f1 <= 0 or f2 <= 0:
        raise ValueError(f"frequencies must be above 0 Hz, got {f1} and {f2}")
    return 1200.0 * math.log2(f1 / f2)


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Float64 mono copy of ``samples``: the mean of the channels when stereo."""
    data = np.asarray(samples, dtype=np.float64)
    return data.mean(axis=1) if data.ndim == 2 else data


def _frame_levels(samples: np.ndarray) -> np.ndarray:
    """Largest |sample| of each frame, as int32 so that abs(-32768) does not overflow int16."""
    data = np.abs(np.asarray(samples).astype(np.int32, copy=False))
    return data.max(axis=1) if data.ndim == 2 else data


def is_silent(samples: np.ndarray, threshold: int = SILENCE_THRESHOLD) -> bool:
    """True when no sample exceeds ``threshold`` in magnitude (int16 units, default 2)."""
    if len(samples) == 0:
        return True
    return bool(_frame_levels(samples).max() <= threshold)


def first_sound_frame(samples: np.ndarray, threshold: int = SILENCE_THRESHOLD) -> int | None:
    """Index of the first frame with any |sample| > ``threshold``, or None if all silent.

    Divide by the sample rate for seconds; used to measure note-on to sound latency.
    """
    loud = np.flatnonzero(_frame_levels(samples) > threshold)
    return int(loud[0]) if loud.size else None


def peak(samples: np.ndarray) -> int:
    """Largest |sample| in int16 units (0..32768)."""
    return int(_frame_levels(samples).max()) if len(samples) else 0


def rms_dbfs(samples: np.ndarray) -> float:
    """Root-mean-square level in dB relative to int16 full scale (0 dBFS = 32767); -inf if zero."""
    data = to_mono(samples)
    rms = float(np.sqrt(np.mean(data * data))) if data.size else 0.0
    return 20.0 * math.log10(rms / 32767.0) if rms > 0 else -math.inf


def loudest_rms_dbfs(samples: np.ndarray, sample_rate: int, seconds: float = 10.0) -> float:
    """RMS level in dBFS (as ``rms_dbfs``) of the loudest ``seconds``-long stretch; the
    whole recording's if it is shorter. How loud a session is when it is at its loudest."""
    data = to_mono(samples)
    n = min(len(data), max(1, int(round(seconds * sample_rate))))
    if not len(data):
        return -math.inf
    sums = np.cumsum(np.r_[0.0, data * data])
    mean_sq = float((sums[n:] - sums[:-n]).max()) / n
    return 10.0 * math.log10(mean_sq / 32767.0 ** 2) if mean_sq > 0 else -math.inf


def _refine(log_mag: np.ndarray, k: int) -> float:
    """Parabolic interpolation of a spectral peak at bin ``k``: fractional bin of the vertex.

    On the log magnitude of a Hann-windowed, zero-padded spectrum the peak is nearly a
    parabola, so three bins locate it to a small fraction of a bin (well under a cent here).
    """
    if k <= 0 or k >= len(log_mag) - 1:
        return float(k)
    a, b, c = log_mag[k - 1], log_mag[k], log_mag[k + 1]
    denom = a - 2.0 * b + c
    return float(k) if denom == 0 else k + 0.5 * (a - c) / denom


def fundamental_hz(samples_mono: np.ndarray, sample_rate: int, *,
                   fmin: float = 25.0, fmax: float = 5000.0) -> float:
    """Estimate the fundamental frequency in Hz of a steady tone.

    Hann window, FFT zero-padded 4x, strongest peak in ``fmin..fmax`` Hz, then a check for
    an octave/twelfth error: if a clear peak (>= 10 % of the strongest) sits at 1/2, 1/3,
    1/4 or 1/5 of it, the strongest peak was a harmonic and the lowest such peak is the
    fundamental. Accurate to a few cents on 0.2 s or more of piano, marimba, flute or harp.
    Stereo input is averaged to mono. Raises ValueError for too-short or silent input.
    """
    data = to_mono(samples_mono)
    if data.size < 256:
        raise ValueError(f"need at least 256 samples to estimate pitch, got {data.size}")
    if is_silent(data):
        raise ValueError("cannot estimate the pitch of silence")
    data = data - data.mean()
    n_fft = 1 << int(math.ceil(math.log2(data.size * 4)))
    mag = np.abs(np.fft.rfft(data * np.hanning(data.size), n_fft))
    bin_hz = sample_rate / n_fft
    lo, hi = max(1, int(fmin / bin_hz)), min(len(mag) - 2, int(fmax / bin_hz))
    k_peak = lo + int(np.argmax(mag[lo:hi + 1]))
    k_best = k_peak
    for divisor in (5, 4, 3, 2):  # lowest candidate first: the fundamental is the lowest
        centre = k_peak / divisor
        if centre < lo:
            continue
        # search +-3 % around the expected sub-harmonic: partials of real instruments
        # (piano especially) are slightly stretched
        a, b = int(centre * 0.97), int(math.ceil(centre * 1.03)) + 1
        k = a + int(np.argmax(mag[a:b]))
        is_local_max = mag[k] >= mag[k - 1] and mag[k] >= mag[k + 1]
        if is_local_max and mag[k] >= 0.1 * mag[k_peak]:
            k_best = k
            break
    log_mag = np.log(mag + 1e-12)
    return _refine(log_mag, k_best) * bin_hz
