"""The per-client accessibility stage: one seat's raw pad touches in, pad intents out.

Input: touch/release of pad ``k`` at ``now`` (ns). Output: ``pad_on`` (the pad should
sound), ``pad_off`` (it should stop) or ``suppressed`` (with a reason) events. The
stage is synchronous: driven by (event, now) and ``tick(now)``, with ``next_deadline()``
saying when ``tick`` is next due, so the runner wakes exactly when needed.

Before a pad's own filter (``pad.PadFilter``) two checks apply, in this order:

The settings come resolved (``rules.TouchRules``, made when the profile was loaded).

* disabled pads (not in ``touch.pads``) are suppressed (``disabled_pad``), still logged;
* grouped pads (``touch.groups``) merge into one logical pad, their first: the group is
  touched while any member is, so a palm across two electrodes is one note. A second
  member touched meanwhile is suppressed as ``group``.

A ``suppressed`` event with detail ``long_touch`` also asks the engine to recalibrate
that pad's electrodes (``filters.chip``).
"""

from __future__ import annotations

from station.access.pad import PadFilter
from station.access.rules import TouchRules
from station.core.events import PAD_OFF, PAD_ON, SUPPRESSED, Event

RECALIBRATE_REASONS = frozenset({"long_touch"})


class AccessStage:
    """The filter chain of one seated client (see the module docstring)."""

    def __init__(self, rules: TouchRules, player: int, client: str | None) -> None:
        self._rules = rules             # resolved when the profile was loaded
        self._enabled = rules.enabled
        self._player = player
        self._client = client
        self._leader: dict[int, int] = {}
        for group in rules.groups:
            for pad in group:
                self._leader[pad] = group[0]
        self._members: dict[int, set[int]] = {}     # group leader -> members touched
        self._filters: dict[int, PadFilter] = {}
        self._timed: set[int] = set()   # pads whose filter has a timer running: the runner
        # asks next_deadline() after every event, so it must not walk every pad
        self._due: int | None | bool = None     # their earliest deadline; False: stale

    def filter(self, pad: int) -> PadFilter:
        """The filter of logical pad ``pad`` (made on first use)."""
        f = self._filters.get(pad)
        if f is None:
            f = self._filters[pad] = PadFilter(self._rules.of(pad))
        return f

    def enabled(self, pad: int) -> bool:
        return self._enabled is None or pad in self._enabled

    def _event(self, kind: str, pad: int, now: int, **kw) -> Event:
        return Event(kind, now, player=self._player, client=self._client, pad=pad, **kw)

    # -- input -----------------------------------------------------------------------------
    def touch(self, pad: int, now: int, strength: float | None = None) -> list[Event]:
        if not self.enabled(pad):
            return [self._event(SUPPRESSED, pad, now, detail="disabled_pad")]
        leader = self._leader.get(pad)
        if leader is not None:
            members = self._members.setdefault(leader, set())
            members.add(pad)
            if len(members) > 1:
                return [self._event(SUPPRESSED, pad, now, detail="group")]
            pad = leader
        f = self.filter(pad)
        return self._convert(pad, f.touch(now, strength), f)

    def release(self, pad: int, now: int) -> list[Event]:
        if not self.enabled(pad):
            return []
        leader = self._leader.get(pad)
        if leader is not None:
            members = self._members.get(leader, set())
            members.discard(pad)
            if members:
                return []
            pad = leader
        f = self._filters.get(pad)
        return self._convert(pad, f.release(now), f) if f is not None else []

    def seated(self, touched: list[int], now: int, guard: bool) -> list[Event]:
        """Pads already touched when the client takes the place: with ``guard`` each is a
        resting hand (ignored until lifted, recalibrated); without, a touch now."""
        out: list[Event] = []
        for pad in touched:
            if guard and self.enabled(pad):
                leader = self._leader.get(pad, pad)
                self._members.setdefault(leader, set()).add(pad)
                f = self.filter(leader)
                if not f.down:
                    out += self._convert(leader, f.resting(now), f, raw_pad=pad)
            else:
                out += self.touch(pad, now)
        return out

    # -- time --------------------------------------------------------------------------------
    def tick(self, now: int) -> list[Event]:
        due = self.next_deadline()
        if due is None or due > now:         # the runner ticks every seat at every wake-up
            return []
        out: list[Event] = []
        for pad in sorted(self._timed):
            f = self._filters[pad]
            due = f.next_deadline()
            if due is not None and due <= now:
                out += self._convert(pad, f.tick(now), f)
        if len(out) > 1:
            out.sort(key=lambda e: e.t_ns)
        return out

    def next_deadline(self) -> int | None:
        # Cached: a filter's deadlines change only through this stage (every change ends
        # in _convert, which marks it stale), and the runner asks several times per event.
        if self._due is not False:
            return self._due
        best = None
        for pad in self._timed:
            due = self._filters[pad].next_deadline()
            if due is not None and (best is None or due < best):
                best = due
        self._due = best
        return best

    def release_all(self, now: int) -> list[Event]:
        """End every sounding pad and forget all contacts (swap, all-quiet, shutdown)."""
        out: list[Event] = []
        for pad in sorted(self._filters):
            f = self._filters[pad]
            out += self._convert(pad, f.reset(now), f)
        self._members.clear()
        return out

    def pads_of(self, pad: int) -> list[int]:
        """The physical pads behind logical pad ``pad`` (its group, or itself)."""
        members = [p for p, leader in self._leader.items() if leader == pad]
        return members or [pad]

    def sounding(self) -> list[int]:
        return sorted(p for p, f in self._filters.items() if f.sounding)

    # -- internals -----------------------------------------------------------------------------
    def _convert(self, pad: int, actions: list[tuple], f: PadFilter,
                 raw_pad: int | None = None) -> list[Event]:
        self._due = False
        if f.next_deadline() is None:
            self._timed.discard(pad)
        else:
            self._timed.add(pad)
        out = []
        for action, t, detail in actions:
            if action == "on":
                out.append(self._event(PAD_ON, pad, t, strength=f.strength))
            elif action == "off":
                out.append(self._event(PAD_OFF, pad, t, detail=detail))
            elif action == "suppress":
                out.append(self._event(SUPPRESSED, pad if raw_pad is None else raw_pad, t,
                                       detail=detail))
            # "recalibrate" travels as the suppressed event with that reason
        return out
