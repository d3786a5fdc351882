"""One electrode's measurement channel: sample period, second filter, touch detection
with hysteresis and debounce, then the baseline filter.

Timing (data sheet §5.8): in run mode the chip takes a data sample of every enabled
electrode each ESI (1 ms with the driver's CONFIG2 0x20; 16 ms after reset). Each
sample is the first filter's average of FFI conversions; the *filtered data* is the
second filter's average of the last SFI samples, so a step reaches the data in SFI x
ESI (the response time; 4 ms with the driver). The first sample after stop -> run
fills the second filter (its value is "the first electrode data value" the baseline
load uses).

Detection (§5.6, §5.7): touched when baseline - data > touch threshold, released when
baseline - data < release threshold; a change of status is taken only after DT+1
(touch) or DR+1 (release) consecutive samples agree (debounce DT, DR 0..7: the
number of *extra* samples). Then the baseline filter runs (``baseline.track``).

``settled`` says when a channel can stop being sampled one by one: its second filter
has converged on a steady level, no debounce is pending, the status is far enough
from both thresholds that noise (``margin`` counts) cannot flip it, and the baseline
filter would not move. The chip then skips its samples and only brings the baseline
along with slow drift; any change of the world or the registers wakes it again.
"""

from __future__ import annotations

from .baseline import CL_LOAD5, loaded, stable, track
from .registers import Config


class Channel:
    """The chip's state for one electrode (10-bit ``data`` and ``baseline``)."""

    __slots__ = ("buf", "sum", "pos", "data", "baseline", "touched", "debounce", "count",
                 "direction", "delay", "since", "load", "settled", "b_anchor", "p_anchor",
                 "wake_at", "ramp")

    def __init__(self) -> None:
        self.buf: list[float] = []
        self.sum = 0.0
        self.pos = 0
        self.data = 0
        self.baseline = 0
        self.touched = False
        self.debounce = 0        # consecutive samples asking for the other status
        self.count = 0           # baseline filter: consecutive samples beyond MHD
        self.direction = 0
        self.delay = 0           # baseline filter: samples since it last acted (FDL)
        self.since = 0           # samples since the physics last changed
        self.load = 0            # CL code of a baseline load due at the next sample (2, 3)
        self.settled = False
        self.b_anchor = 0        # baseline and noise-free level when it settled
        self.p_anchor = 0.0
        self.wake_at = None      # ns: drift may bring a threshold within reach by then
        # (t, filter oldest->newest, level): a ramp skipped at t
        self.ramp: tuple[int, list[float], float] | None = None

    def clone(self) -> Channel:
        c = Channel.__new__(Channel)
        c.buf, c.sum, c.pos, c.data = self.buf[:], self.sum, self.pos, self.data
        c.baseline, c.touched, c.debounce = self.baseline, self.touched, self.debounce
        c.count, c.direction, c.delay = self.count, self.direction, self.delay
        c.since, c.load, c.settled = self.since, self.load, self.settled
        c.b_anchor, c.p_anchor, c.wake_at = self.b_anchor, self.p_anchor, self.wake_at
        c.ramp = self.ramp
        return c

    def restart(self, cl: int) -> None:
        """Stop -> run: an empty second filter, no pending debounce, load per CL."""
        self.buf = []
        self.touched = False
        self.debounce = self.count = self.delay = self.since = 0
        self.load = cl if cl >= CL_LOAD5 else 0
        self.settled = False
        self.ramp = None

    def stop(self) -> None:
        """Run -> stop: outputs are reset (data 0, not touched); the baseline stays."""
        self.buf = []
        self.data = 0
        self.touched = False
        self.settled = False
        self.debounce = 0
        self.ramp = None

    def disturb(self) -> None:
        """The electrode's physics changed: sample it one by one again."""
        self.since = 0
        self.settled = False
        self.ramp = None

    def filter_after(self, samples: int) -> list[float]:
        """The second filter's contents (oldest first) ``samples`` after a skipped ramp
        began (see ``skip_ramp``)."""
        _, entries, level = self.ramp
        n = min(samples, len(entries))
        return entries[n:] + [level] * n


def sample(ch: Channel, x: float, cfg: Config, e: int) -> bool:
    """Take one data sample ``x`` (counts, noise included); True if the status flipped."""
    buf, sfi = ch.buf, cfg.sfi
    if len(buf) != sfi:                      # first sample of a run, or SFI changed
        ch.buf = buf = [x] * sfi
        ch.sum, ch.pos = x * sfi, 0
    else:
        pos = ch.pos
        ch.sum += x - buf[pos]
        buf[pos] = x
        ch.pos = pos + 1 if pos + 1 < sfi else 0
    d = int(ch.sum / sfi + 0.5)
    d = 0 if d < 0 else 1023 if d > 1023 else d
    ch.data = d
    ch.since += 1
    if ch.load:
        ch.baseline = loaded(ch.load, d, ch.baseline)
        ch.load = 0
    delta = ch.baseline - d
    flipped = False
    if ch.touched:
        wants, need = delta < cfg.release_th[e], cfg.dr
    else:
        wants, need = delta > cfg.touch_th[e], cfg.dt
    if wants:
        ch.debounce += 1
        if ch.debounce > need:
            ch.touched = not ch.touched
            ch.debounce = 0
            flipped = True
    else:
        ch.debounce = 0
    track(ch, d, cfg)
    return flipped


def skip_ramp(ch: Channel, level: float, t: int, cfg: Config, e: int) -> bool:
    """After a touch was taken, the second filter still moves toward ``level`` for a few
    samples. When nothing can come of them (no noise or drift, the baseline frozen while
    touched, every average on the way keeping the touch), skip them: ``ch`` holds the
    final filter and ``ramp`` what it held at ``t``, so readings on the way stay exact."""
    if not ch.touched or ch.debounce or ch.since >= cfg.sfi or ch.load or \
            (cfg.cl != 1 and cfg.touched.nhd):
        return False
    entries = ch.buf[ch.pos:] + ch.buf[:ch.pos]             # oldest first
    total, base, rth, sfi = ch.sum, ch.baseline, cfg.release_th[e], cfg.sfi
    for old in entries[:sfi - ch.since]:
        total += level - old
        d = int(total / sfi + 0.5)
        if base - (0 if d < 0 else 1023 if d > 1023 else d) < rth:
            return False                                     # it would release on the way
    ch.ramp = (t, entries, level)
    ch.buf, ch.sum, ch.pos = [level] * sfi, level * sfi, 0
    ch.since = sfi
    return True


def settled(ch: Channel, level: float, cfg: Config, e: int, margin: float) -> bool:
    """Whether ``ch`` may stop being sampled one by one (see the module docstring);
    ``level`` is the noise-free data now, ``margin`` the noise allowance in counts."""
    if ch.since < cfg.sfi or ch.debounce or ch.load:
        return False
    delta = ch.baseline - level
    if ch.touched:
        if delta < cfg.release_th[e] + margin:
            return False
    elif delta > cfg.touch_th[e] - margin:
        return False
    return stable(ch, level, cfg, margin)


def reach(ch: Channel, level: float, cfg: Config, e: int, margin: float) -> float:
    """Counts the noise-free level may still move (drift) before ``ch`` must be sampled
    again: its distance to the threshold that would flip it, less ``margin``. Infinite
    when the baseline follows the level (an untouched electrode being tracked)."""
    delta = ch.baseline - level
    if ch.touched:
        return delta - cfg.release_th[e] - margin
    if cfg.cl != 1:
        return float("inf")
    return cfg.touch_th[e] - margin - delta
