"""MIDI in: a MIDI port plays one player's pads, exactly as if they were touched.

A therapist's USB keyboard, a commercial switch interface (many send a note per switch)
or a sequencer becomes a player: note ``first_note`` is pad 0, the next note pad 1, and
so on. Each note-on is a touch and each note-off (or note-on with velocity 0) a release
of that pad, handed to the engine thread, where the seated client's profile filters it
(dwell, release grace, hold ...), the turn gate admits it, the mapping picks the notes
and the journal records the touch (``detail`` "midi"). The velocity becomes the touch
strength (0..1), used by profiles with ``velocity: touch``.

rtmidi calls ``on_message`` from its own thread; nothing here touches the engine there.
"""

from __future__ import annotations

from collections.abc import Callable

SOURCE = "midi"      # the journaled touch's detail


class MidiPads:
    """Turn MIDI note messages into ``pad(player, pad, down, now, strength=, source=)``
    calls run in the engine thread by ``submit(job)``.

    player: the player number 1..6; pads: how many pads that player has (notes beyond
    are ignored); first_note: MIDI note 0..127 of pad 0; channel: 0..15 or None (any).
    """

    def __init__(self, *, pad: Callable, submit: Callable, now: Callable[[], int],
                 player: int, pads: int, first_note: int = 60,
                 channel: int | None = None) -> None:
        self._pad = pad
        self._submit = submit
        self._now = now
        self.player = player
        self.pads = pads
        self.first_note = first_note
        self.channel = channel
        self.received = 0
        self.ignored = 0

    def on_message(self, message, data=None) -> None:
        """rtmidi's callback: ``message`` is (bytes as a list, delta seconds)."""
        raw = message[0] if isinstance(message, tuple) else message
        if len(raw) < 3:
            return                          # not a note message
        status, note, velocity = raw[0], raw[1], raw[2]
        kind, channel = status & 0xF0, status & 0x0F
        if kind not in (0x80, 0x90):
            return
        if self.channel is not None and channel != self.channel:
            self.ignored += 1
            return
        pad = note - self.first_note
        if not 0 <= pad < self.pads:
            self.ignored += 1
            return
        down = kind == 0x90 and velocity > 0
        strength = velocity / 127 if down else None
        self.received += 1
        player, pad_fn, now = self.player, self._pad, self._now

        def job() -> None:   # engine thread: its own clock reading keeps time in order
            pad_fn(player, pad, down, now(), strength=strength, source=SOURCE)
        self._submit(job)


class MidiInput:
    """An open rtmidi input port feeding a ``MidiPads``; ``close()`` is idempotent."""

    def __init__(self, port, pads: MidiPads) -> None:
        self.port = port
        self.pads = pads
        port.ignore_types(sysex=True, timing=True, active_sense=True)
        port.set_callback(pads.on_message)
        self._closed = False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self.port.cancel_callback()
            self.port.close_port()
        finally:
            self.port.delete()
