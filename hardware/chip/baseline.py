"""The MPR121's baseline: loaded when it starts, then tracked by its third filter.

Loading (ECR CL bits, data sheet §5.11) on the first sample after stop -> run:
CL 00 keeps the baseline registers (as written in stop mode), 01 keeps them and turns
tracking off, 10 loads the 5 high bits of the first data value (``data & 0x3E0``: 700
counts load as 672, 704 exactly), 11 loads all 10 bits.

Tracking (§5.5; application note AN3891 describes the same filter): every data sample
falls into one of three scenarios, *rising* (data above the baseline), *falling*
(below) or *touched* (the electrode's status is touched), each with its own
parameters:

* FDL (filter delay count limit, 0..255): the filter acts on every (FDL+1)-th sample.
* MHD (maximum half delta, counts; none when touched): a difference of at most MHD
  passes through: the baseline takes the data value.
* NCL (noise count limit, 0..255): a larger difference is noise until it has lasted
  more than NCL consecutive acting samples in the same direction; then
* NHD (noise half delta, counts): the baseline moves NHD toward the data (never past
  it) and the count starts again. NHD 0 stops that scenario's tracking.

With the driver's values (rising 1/1/14/0, falling 1/5/1/0, touched 0/0/0) a baseline
taken under a resting hand rises 1 count every 15 samples once the hand lifts (96
counts in 1.44 s at 1 ms), a weak slow change is eaten 5 counts at a time, and a held
touch is never tracked away. Register values are taken as counts of the 10-bit data.
"""

from __future__ import annotations

from .registers import Config

CL_TRACK, CL_FROZEN, CL_LOAD5, CL_LOAD10 = 0, 1, 2, 3


def loaded(cl: int, data: int, baseline: int) -> int:
    """The baseline after the first sample of a run (see the module docstring)."""
    if cl == CL_LOAD5:
        return data & 0x3E0
    if cl == CL_LOAD10:
        return data
    return baseline


def track(ch, data: int, cfg: Config) -> None:
    """One sample of the third filter for channel ``ch`` (see ``sampling.Channel``)."""
    if cfg.cl == CL_FROZEN:
        return
    base = ch.baseline
    if ch.touched:
        p = cfg.touched
    elif data > base:
        p = cfg.rising
    elif data < base:
        p = cfg.falling
    else:
        ch.count = 0
        return
    ch.delay += 1
    if ch.delay <= p.fdl:
        return
    ch.delay = 0
    diff = data - base
    if p.mhd is not None and -p.mhd <= diff <= p.mhd:
        ch.baseline = data
        ch.count = 0
        return
    sign = 1 if diff > 0 else -1
    if sign != ch.direction:
        ch.direction, ch.count = sign, 0
    ch.count += 1
    if ch.count > p.ncl:
        ch.count = 0
        if p.nhd:
            ch.baseline = base + sign * min(p.nhd, abs(diff))


def stable(ch, level: float, cfg: Config, margin: float) -> bool:
    """Whether tracking would leave ``ch``'s baseline where it is (up to ``margin``
    counts of noise) while the noise-free data stays at ``level``."""
    if cfg.cl == CL_FROZEN:
        return True
    if ch.touched:
        return not cfg.touched.nhd or abs(level - ch.baseline) < 0.5
    if not margin:                 # steady data passes through: the baseline equals it
        return abs(level - ch.baseline) <= 0.5
    p = cfg.rising if level > ch.baseline else cfg.falling
    return abs(level - ch.baseline) <= p.mhd + margin
