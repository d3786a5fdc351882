"""The per-client accessibility stage: raw touches of one seat in, pad intents out.

Input: touch/release of pad ``k`` at ``now`` (ns). Output: ``pad_on`` (the pad should
sound), ``pad_off`` (it should stop) or ``suppressed`` (with a reason) events. Stages
are synchronous state machines driven by (event, now) and ``tick(now)``; timers are
reported by ``next_deadline()`` so the runner wakes exactly when needed.

This module holds the stage's interface and the simplest stage (enabled pads only).
"""

from __future__ import annotations

from station.events import PAD_OFF, PAD_ON, SUPPRESSED, Event


class AccessStage:
    """Enabled pads sound while touched; touches on other pads are suppressed."""

    def __init__(self, touch: dict, player: int, client: str | None) -> None:
        pads = touch.get("pads", "all")
        self._enabled = None if pads == "all" else frozenset(pads)
        self._player = player
        self._client = client
        self._down: set[int] = set()

    def _event(self, kind: str, pad: int, now: int, **kw) -> Event:
        return Event(kind, now, player=self._player, client=self._client, pad=pad, **kw)

    def touch(self, pad: int, now: int, strength: float | None = None) -> list[Event]:
        if self._enabled is not None and pad not in self._enabled:
            return [self._event(SUPPRESSED, pad, now, detail="disabled_pad")]
        self._down.add(pad)
        return [self._event(PAD_ON, pad, now, strength=strength)]

    def release(self, pad: int, now: int) -> list[Event]:
        if pad in self._down:
            self._down.discard(pad)
            return [self._event(PAD_OFF, pad, now)]
        return []

    def tick(self, now: int) -> list[Event]:
        return []

    def next_deadline(self) -> int | None:
        return None

    def release_all(self, now: int) -> list[Event]:
        """End every sounding pad (swap, all-quiet, shutdown)."""
        out = [self._event(PAD_OFF, pad, now) for pad in sorted(self._down)]
        self._down.clear()
        return out
