"""Turn-taking: who may play now. This module holds the gate interface and ``free`` mode.

``admit(player, now)`` answers "play", "quiet" (out of turn, played softer) or "mute"
(out of turn, suppressed). ``tick(now)`` returns turn_start/turn_end events when turns
change by time; ``next_deadline()`` says when that can next happen.
"""

from __future__ import annotations

from station.events import Event


class FreeGate:
    """Everyone plays, always."""

    mode = "free"

    def admit(self, player: int, now: int) -> str:
        return "play"

    def played(self, player: int, now: int) -> list[Event]:
        """A note of ``player`` sounded (round-robin counts these)."""
        return []

    def tick(self, now: int) -> list[Event]:
        return []

    def next_deadline(self) -> int | None:
        return None

    def current(self) -> int | None:
        return None
