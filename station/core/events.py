"""The one event type that flows through the station, hardware to sinks.

Times are integer nanoseconds on the station clock (see ``station.clock``).
Boards are I2C addresses (0x5A..0x5D), electrodes 0..11, notes and velocities
MIDI 0..127, channels 0..15 (MIDI channel 1 is 0 here).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

# Raw input edges (from hardware)
TOUCH = "touch"            # electrode or playable button went down
RELEASE = "release"        # ... and came up
PRESS = "press"            # a therapist control button went down (detail = role)
UNPRESS = "unpress"        # ... and came up
# What the station made of them
NOTE_ON = "note_on"
NOTE_OFF = "note_off"
SUPPRESSED = "suppressed"  # detail = reason (dwell, lockout, disabled, out_of_turn, ...)
# Session structure and health
TURN_START = "turn_start"  # detail: why (Turn)
TURN_END = "turn_end"
PROFILE = "profile"        # a client took a player's place, or was refused (SeatChange)
FAULT = "fault"            # hardware fault or recovery (Fault)
PHASE = "phase"
BEAT = "beat"              # a backing beat sounded (Beat)
NOTE = "note"              # a therapist's free-text note (detail)
BACKING = "backing"        # backing music started or stopped (BackingStart/BackingStop)
ECHO = "echo"              # a player's phrase was echoed, or an echo stopped (Echo)

# Between the accessibility stage and the music mapping (never journaled):
PAD_ON = "pad_on"          # an accepted touch: the pad should sound
PAD_OFF = "pad_off"        # the pad's sound should end

INPUT_KINDS = frozenset({TOUCH, RELEASE})
CONTROL_KINDS = frozenset({PRESS, UNPRESS})


_SAME: Any = object()      # Event.but: a field not given keeps its value


@dataclass(frozen=True, slots=True)
class Event:
    """One immutable fact: what happened, when, where, and what it became.

    ``strength`` is 0..1, how far the electrode's filtered data dropped below its
    baseline relative to a firm touch (None when not measured). ``detail`` is a word
    (``str``) or, for kinds with structure, a typed value of ``station.core.details``,
    which also writes it as journal text and reads it back.
    """

    kind: str
    t_ns: int
    board: int | None = None
    electrode: int | None = None
    button: str | None = None
    player: int | None = None
    client: str | None = None   # pseudonymous client id (never the display name)
    pad: int | None = None
    note: int | None = None
    velocity: int | None = None
    channel: int | None = None
    detail: Any = None          # str, or a station.core.details value (per kind)
    strength: float | None = None

    def but(self, *, kind=_SAME, t_ns=_SAME, board=_SAME, electrode=_SAME, button=_SAME,
            player=_SAME, client=_SAME, pad=_SAME, note=_SAME, velocity=_SAME,
            channel=_SAME, detail=_SAME, strength=_SAME) -> Event:
        """A copy with some fields changed (events are immutable).

        The touch path makes two or three per touch: written out, it costs about a
        quarter of ``dataclasses.replace`` (which looks up the fields and goes through
        the frozen ``__init__``); ``tests/core/test_events.py`` checks it against
        ``replace`` for every field."""
        e = _new(Event)
        _kind(e, self.kind if kind is _SAME else kind)
        _t_ns(e, self.t_ns if t_ns is _SAME else t_ns)
        _board(e, self.board if board is _SAME else board)
        _electrode(e, self.electrode if electrode is _SAME else electrode)
        _button(e, self.button if button is _SAME else button)
        _player(e, self.player if player is _SAME else player)
        _client(e, self.client if client is _SAME else client)
        _pad(e, self.pad if pad is _SAME else pad)
        _note(e, self.note if note is _SAME else note)
        _velocity(e, self.velocity if velocity is _SAME else velocity)
        _channel(e, self.channel if channel is _SAME else channel)
        _detail(e, self.detail if detail is _SAME else detail)
        _strength(e, self.strength if strength is _SAME else strength)
        return e


# Event.but's parts: the slots' own setters (a frozen dataclass refuses setattr, its
# slot descriptors do not) and a marker for "not given".
_new = object.__new__
(_kind, _t_ns, _board, _electrode, _button, _player, _client, _pad, _note, _velocity, _channel,
 _detail, _strength) = (Event.__dict__[f.name].__set__ for f in fields(Event))
