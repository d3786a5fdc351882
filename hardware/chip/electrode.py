"""The physical side of one electrode: its charge, a hand on it, noise and drift.

The MPR121 charges each electrode with a constant current I for a time T and converts
the voltage V = I*T/C to 10 bits: counts = V / Vdd * 1024 (data sheet §3, equation 4:
C = I*T/V). A pad is described by its counts at the reference charge the driver sets
(CDC 16 uA, CDT 0.5 us): ``rest`` untouched (704 by default), and ``firm`` (96): how
far a firm palm lowers them. A touch of strength s lowers the reference counts by
s*firm (0.2: a light fingertip, 19 counts; 0.1: a brush, 10 counts). Any other charge
scales the counts by I*T / (16 uA * 0.5 us): twice the current, twice the counts
(and twice the drop of a touch); counts clip at 0 and 1023.

* ``wet`` (stick): a film of water on the pad lowers it like a firm palm until it dries.
* ``shorted``: the pad's wire touches ground: it reads 0 whatever the charge.
* Noise: Gaussian, ``sigma`` counts as seen in the filtered data at the driver's filter
  settings (FFI 6 x SFI 4 = 24 conversions per data value); each data sample carries
  ``sigma * sqrt(24 / FFI)``, so more first-filter averaging means less noise and the
  second filter averages the rest. Values come from a table indexed by (electrode,
  sample number) and a seed: the same scenario gives the same noise whatever order
  the simulator computes it in.
* Drift: humidity and temperature move a pad's untouched level slowly and boundedly:
  ``amplitude`` counts over ``period_s`` (a sine per electrode, seeded amplitude
  0.5..1 x, period 0.75..1.25 x and phase), 0 at the start.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from functools import lru_cache

from .registers import REF_FILTER

REST_COUNTS = 704           # a multiple of 32: the driver's 5-bit baseline load is exact
FIRM_COUNTS = 96
TABLE_BITS = 16
_MASK = (1 << TABLE_BITS) - 1


@lru_cache(maxsize=8)
def gauss_table(seed: int) -> tuple[float, ...]:
    """65,536 standard normal values for ``seed`` (shared by every chip using it)."""
    rng = random.Random(seed)
    return tuple(rng.gauss(0.0, 1.0) for _ in range(1 << TABLE_BITS))


@dataclass(frozen=True)
class Noise:
    """Per-sample noise: ``sigma`` counts in the filtered data at the driver's filters."""

    sigma: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.sigma, (int, float)) and 0 <= self.sigma <= 50):
            raise ValueError(f"noise sigma must be 0..50 counts, got {self.sigma!r}")


@dataclass(frozen=True)
class Drift:
    """Slow bounded drift of every pad's untouched level (see the module docstring)."""

    amplitude: float = 0.0    # counts
    period_s: float = 600.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.amplitude, (int, float)) and 0 <= self.amplitude <= 200):
            raise ValueError(f"drift amplitude must be 0..200 counts, got {self.amplitude!r}")
        if not (isinstance(self.period_s, (int, float)) and self.period_s >= 1):
            raise ValueError(f"drift period must be at least 1 s, got {self.period_s!r}")


class Pad:
    """One electrode's physics. ``counts(t_ns, charge)`` is its noise-free reading."""

    __slots__ = ("rest", "firm", "strength", "wet", "shorted", "amp", "omega", "phase",
                 "offset", "t0", "sigma", "table", "salt")

    def __init__(self, index: int, rest: int = REST_COUNTS, firm: int = FIRM_COUNTS) -> None:
        self.rest = float(rest)
        self.firm = float(firm)
        self.strength = 0.0
        self.wet = 0.0
        self.shorted = False
        self.amp = self.omega = self.phase = self.offset = 0.0
        self.t0 = 0
        self.sigma = 0.0
        self.table: tuple[float, ...] = ()
        self.salt = index * 0x9E3779B1

    # -- set-up -----------------------------------------------------------------------------
    def set_noise(self, noise: Noise, chip_salt: int = 0) -> None:
        self.sigma = float(noise.sigma)
        self.table = gauss_table(noise.seed) if noise.sigma else ()
        self.salt = (self.salt ^ chip_salt * 0x85EBCA6B) & 0xFFFFFFFF

    def set_drift(self, drift: Drift, index: int, t0_ns: int, chip_salt: int = 0) -> None:
        if not drift.amplitude:
            self.amp = self.omega = self.phase = self.offset = 0.0
            return
        rng = random.Random(f"{drift.seed}:{chip_salt}:{index}")
        self.amp = drift.amplitude * rng.uniform(0.5, 1.0) * rng.choice((-1, 1))
        self.omega = 2 * math.pi / (drift.period_s * rng.uniform(0.75, 1.25) * 1e9)
        self.phase = rng.uniform(0, 2 * math.pi)
        self.offset = math.sin(self.phase)
        self.t0 = t0_ns

    # -- readings ---------------------------------------------------------------------------
    def drift(self, t_ns: int) -> float:
        """Counts the untouched level has moved by at ``t_ns`` (reference charge)."""
        if not self.amp:
            return 0.0
        return self.amp * (math.sin(self.omega * (t_ns - self.t0) + self.phase) - self.offset)

    def drift_rate(self) -> float:
        """The fastest the drift can move, counts per ns (0 without drift)."""
        return abs(self.amp * self.omega)

    def counts(self, t_ns: int, charge: float) -> float:
        """Noise-free counts at ``t_ns`` for a charge of ``charge`` x the reference."""
        if self.shorted or not charge:
            return 0.0
        level = self.rest - self.firm * (self.strength + self.wet)
        if self.amp:
            level += self.drift(t_ns)
        return min(1023.0, max(0.0, level * charge))

    def noise(self, sample: int, ffi: int) -> float:
        """This electrode's noise at data sample number ``sample`` (counts)."""
        if not self.sigma:
            return 0.0
        k = ((sample * 0x9E3779B1) ^ self.salt) & 0xFFFFFFFF
        k = (k ^ (k >> 15)) * 0x2C1B3C6D & 0xFFFFFFFF
        return self.table[(k ^ (k >> 12)) & _MASK] * self.sigma * math.sqrt(REF_FILTER / ffi)
