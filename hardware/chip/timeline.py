"""The chip's time: samples taken lazily, steady electrodes skipped, changes foreseen.

``SimMPR121`` inherits this. Its state is brought up to ``now`` whenever something
touches it (``_sync``): every sample due is taken, one per ESI period from the moment
the chip entered run mode, but only for the electrodes still settling (``_active``);
an electrode whose reading is steady (``sampling.settled``) leaves that list and is
only brought along with slow drift (``_refresh``), until the world or a register
disturbs it or the drift may bring a threshold within reach (``wake_at``). Noise is a
function of (seed, electrode, sample number), so skipping, foreseeing and re-taking
samples always gives the same readings.

``_predict`` runs the settling electrodes forward on copies to find the sample at which
the status will change: ``next_deadline()`` returns it, so a simulator wakes exactly
when IRQ falls, not every millisecond.
"""

from __future__ import annotations

import math

from . import registers as R
from .electrode import Pad
from .sampling import Channel, reach, sample, settled, skip_ramp

MAX_AHEAD = 4096              # samples a forecast looks ahead before it checks in again
MAX_WAKE_NS = 60_000_000_000  # a steady electrode is looked at again at least this often
NOISE_MARGIN = 4.0            # standard deviations of data noise kept from each threshold


class Timeline:
    """Mixed into ``SimMPR121`` (uses ``pads``, ``_chans``, ``_config``, ``_status``,
    ``_next``, ``_last``, ``_active``, ``_horizon``, ``_forecast``, ``_irq_low``)."""

    _forecast: int | None | bool          # as RegisterFile declares them
    _ahead: tuple | None

    # -- sampling -------------------------------------------------------------------------
    def _sync_now(self) -> None:
        self._sync(self.clock.now_ns())

    def _sync(self, now: int) -> None:
        """Take every sample due by ``now`` (see the module docstring)."""
        if self._next is None or now < self._next or not self.plugged:
            return
        # Taking the samples the forecast already ran through changes nothing ahead of
        # it: the forecast stays right unless its time has come.
        if isinstance(self._forecast, int) and not isinstance(self._forecast, bool) \
                and self._forecast <= now:
            self._forecast = False
        cfg = self._config()
        period = cfg.period_ns
        flipped = 0
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] <= now:      # the forecast took these samples
            t, chans, self._active, self._horizon, flipped = ahead
            for e, ch in chans.items():
                self._chans[e] = ch
            self._next, self._last = t + period, t
        while self._next <= now:
            t = self._next
            if self._horizon is not None and t >= self._horizon:
                self._wake_due(t, cfg)
            if not self._active:              # all steady: skip to the last due sample
                limit = now if self._horizon is None else min(now, self._horizon - 1)
                if limit >= t:
                    t += (limit - t) // period * period
                self._next, self._last = t + period, t
                continue
            self._next, self._last = t + period, t
            flips, wake = self._sample_all(t, cfg, self._chans, self._active)
            flipped ^= flips
            if wake is not None and (self._horizon is None or wake < self._horizon):
                self._horizon = wake
        if flipped:
            self._status ^= flipped
            self._irq_low = True

    def _sample_all(self, t: int, cfg: R.Config, chans, active: list[int]) \
            -> tuple[int, int | None]:
        """One sample of the electrodes in ``active`` (settled ones leave the list).
        Returns (the electrodes whose status flipped, as bits; the earliest wake time
        of those that settled)."""
        k = t // 1_000_000
        flips = 0
        wake = None
        for e in list(active):
            ch, pad = chans[e], self.pads[e]
            level = pad.counts(t, cfg.charge[e])
            if sample(ch, level + pad.noise(k, cfg.ffi) if pad.sigma else level, cfg, e):
                flips ^= 1 << e
            if not pad.sigma and not pad.amp:
                skip_ramp(ch, level, t, cfg, e)
            margin = NOISE_MARGIN * self._sigma(pad, cfg) if pad.sigma else 0.0
            if settled(ch, level, cfg, e, margin):
                active.remove(e)
                at = self._wake_time(e, ch, pad, level, t, cfg, margin)
                if at is not None and (wake is None or at < wake):
                    wake = at
                ch.settled = True
                ch.b_anchor, ch.p_anchor, ch.wake_at = ch.baseline, level, at
        return flips, wake

    @staticmethod
    def _wake_time(e, ch, pad, level, t, cfg, margin) -> int | None:
        """When drift may bring a settled electrode's threshold within reach (or None)."""
        rate = pad.drift_rate() * cfg.charge[e]
        if not rate:
            return None
        room = reach(ch, level, cfg, e, margin)
        if room == math.inf:
            return None
        wait = max(cfg.period_ns, min(MAX_WAKE_NS, room / rate))
        return t + math.ceil(wait / cfg.period_ns) * cfg.period_ns     # a sample time

    def _wake_due(self, t: int, cfg: R.Config) -> None:
        horizon = None
        for e, ch in enumerate(self._chans):
            if ch.settled and ch.wake_at is not None:
                if ch.wake_at <= t:
                    self._wake(e, ch, cfg)
                elif horizon is None or ch.wake_at < horizon:
                    horizon = ch.wake_at
        self._horizon = horizon

    def _wake(self, e: int, ch: Channel, cfg: R.Config) -> None:
        """A steady electrode is to be sampled one by one again, from its level now."""
        self._refresh_one(e, ch, cfg)
        if ch.ramp is not None:                  # in the middle of a skipped ramp
            ch.buf = ch.filter_after((self._last - ch.ramp[0]) // cfg.period_ns)
        else:
            ch.buf = [self.pads[e].counts(self._last, cfg.charge[e])] * cfg.sfi
        ch.sum, ch.pos = sum(ch.buf), 0
        ch.disturb()
        if e not in self._active and e < cfg.enabled and self._next is not None:
            self._active.append(e)

    def _refresh(self) -> None:
        """Bring the registers of steady electrodes up to the last sample (drift, noise)."""
        if self._next is None:
            return
        cfg = self._config()
        for e, ch in enumerate(self._chans):
            if ch.settled:
                self._refresh_one(e, ch, cfg)

    def _refresh_one(self, e: int, ch: Channel, cfg: R.Config) -> None:
        if not ch.settled:
            return
        pad = self.pads[e]
        level = pad.counts(self._last, cfg.charge[e])
        if ch.ramp is not None:                  # a skipped ramp: where it is now
            done = (self._last - ch.ramp[0]) // cfg.period_ns
            if done < cfg.sfi:
                ch.data = max(0, min(1023, int(sum(ch.filter_after(done)) / cfg.sfi + 0.5)))
                return
            ch.ramp = None
        if cfg.cl != 1 and not ch.touched:    # tracking keeps the baseline on the level
            ch.baseline = max(0, min(1023, ch.b_anchor + round(level - ch.p_anchor)))
        noise = pad.noise(self._last // 1_000_000, cfg.ffi) / math.sqrt(cfg.sfi) \
            if pad.sigma else 0.0
        ch.data = max(0, min(1023, int(level + noise + 0.5)))

    @staticmethod
    def _sigma(pad: Pad, cfg: R.Config) -> float:
        """Standard deviation of the filtered data's noise under ``cfg``'s filters."""
        return pad.sigma * math.sqrt(R.REF_FILTER / (cfg.ffi * cfg.sfi)) if pad.sigma else 0.0

    def _predict(self) -> int | None:
        """The sample at which the status will next change, taken on copies. What the
        copies went through is kept (``_ahead``) for ``_sync`` to adopt as it is,
        unless something changes first (``_invalidate``)."""
        if self._next is None or not self.plugged:
            return None
        if not self._active:
            return self._horizon
        cfg = self._config()
        chans = {e: self._chans[e].clone() for e in self._active}
        active = list(self._active)
        horizon = self._horizon
        t = self._next
        for _ in range(MAX_AHEAD):
            if horizon is not None and t >= horizon:
                return t
            flips, wake = self._sample_all(t, cfg, chans, active)
            if wake is not None and (horizon is None or wake < horizon):
                horizon = wake
            if flips or not active:
                self._ahead = (t, chans, active, horizon, flips)
                return t if flips else horizon
            t += cfg.period_ns
        return t

    def _invalidate(self) -> None:
        """Something changed the chip: the forecast and what it took no longer hold."""
        self._forecast = False
        self._ahead = None
