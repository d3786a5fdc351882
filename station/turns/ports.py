"""What the turns room is handed by the engine: its ports (the engine implements them).

The gate, the therapist's buttons and the lights never hold the engine. They see the
seats through a ``modes.Seating`` (five functions), the all-quiet state through a
``Quiet``, and plug themselves in through a ``Hooks``: emit an event, add a listener,
register a button, end every note, set a channel's volume. ``engine.pipeline.Engine``
builds both when it builds its gate; ``engine.compose`` hands the lights theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Protocol

from station.core.events import Event

Listener = Callable[[Event], None]
Action = Callable[[int], None]          # fn(now): a button pressed or let go (station ns)


class Quiet(Protocol):
    """All-quiet: while it is on, pads pause (touches are logged, suppressed as
    ``all_quiet``) and turns do not pass."""

    def is_quiet(self) -> bool: ...

    def set_quiet(self, quiet: bool) -> None: ...


@dataclass(frozen=True)
class Hooks:
    """How a turns stage plugs into the engine (all run in the engine thread).

    ``emit(event)``: to every listener (journal, lights, MIDI/OSC out);
    ``listen(owner, fn)``: add a listener under an owner's name;
    ``control(name, owner, press, release)``: own a therapist button (a second owner
    of the same button is refused, never silently replaces the first);
    ``all_notes_off(now, reason)``: end every sounding note;
    ``channel_volume(channel, volume)``: a MIDI channel 0..15 to 0..1 (the fade).
    """

    emit: Listener
    listen: Callable[[str, Listener], None]
    control: Callable[[str, str, Action, Action | None], None]
    all_notes_off: Callable[[int, str], None]
    channel_volume: Callable[[int, float], None]
