"""MIDI out: every note the station plays, mirrored to a MIDI port as it happens.

An engine listener, so it runs after the synth has started the note (never before it):
NOTE_ON and NOTE_OFF go out on the player's own channel (``players[].channel``, the
channel the journal records), and when a client is seated the player's channel gets the
client's instrument (bank select and program change), so an external GM synth or a DAW
hears what the room hears. On close every channel used gets "all notes off".
"""

from __future__ import annotations

from collections.abc import Callable

from station.core.events import NOTE_OFF, NOTE_ON, PROFILE, Event

NOTE_ON_STATUS, NOTE_OFF_STATUS, CC_STATUS, PROGRAM_STATUS = 0x90, 0x80, 0xB0, 0xC0
BANK_SELECT, ALL_NOTES_OFF = 0, 123
DRUM_BANK = 128          # FluidSynth's percussion bank
XG_DRUM_BANK_MSB = 127   # how a bank select asks an external GM/XG synth for drum kits


class MidiMirror:
    """Send the station's notes to ``port`` (anything with ``send_message(list)``).

    ``sound_of(player)``: (channel 0..15, the seated client's Timbre with ``bank`` and
    ``program``), or None when nobody is seated there.
    """

    def __init__(self, port, sound_of: Callable[[int], tuple | None]) -> None:
        self.port = port
        self._sound_of = sound_of
        self.channels: set[int] = set()
        self.sent = 0
        self.failed = 0
        self._closed = False

    def __call__(self, event: Event) -> None:
        if self._closed:
            return
        kind = event.kind
        if kind == NOTE_ON and event.channel is not None:
            self._send([NOTE_ON_STATUS | event.channel, event.note & 0x7F,
                        max(1, min(127, event.velocity or 1))])
            self.channels.add(event.channel)
        elif kind == NOTE_OFF and event.channel is not None:
            self._send([NOTE_OFF_STATUS | event.channel, event.note & 0x7F, 0])
        elif kind == PROFILE and getattr(event.detail, "seated", False) \
                and event.player is not None:
            sound = self._sound_of(event.player)
            if sound is not None:
                self.program(*sound)

    def program(self, channel: int, timbre) -> None:
        """Select ``timbre`` on ``channel`` (0..15): bank select, then program change."""
        if timbre is None:
            return
        bank = XG_DRUM_BANK_MSB if timbre.bank == DRUM_BANK else min(timbre.bank, 127)
        self._send([CC_STATUS | channel, BANK_SELECT, bank])
        self._send([PROGRAM_STATUS | channel, timbre.program & 0x7F])

    def _send(self, message: list[int]) -> None:
        try:
            self.port.send_message(message)
            self.sent += 1
        except Exception:   # a vanished port must never disturb the engine thread
            self.failed += 1

    def close(self) -> None:
        """All notes off on every channel used, then close the port (idempotent)."""
        if self._closed:
            return
        for channel in sorted(self.channels):
            self._send([CC_STATUS | channel, ALL_NOTES_OFF, 0])
        self._closed = True
        try:
            self.port.close_port()
        finally:
            delete = getattr(self.port, "delete", None)
            if delete is not None:
                delete()
