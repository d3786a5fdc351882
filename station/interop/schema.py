"""The ``midi:`` and ``osc:`` sections of the station config. Definitions only.

Both are off by default. Notes and channels are MIDI numbers (notes 0..127, channels
1..16 as written on instruments); ports are UDP ports 1024..65535.
"""

from __future__ import annotations

from station.core.schema import Field

NULL = Field("null")
OSC_EVENTS = ("touch", "note", "turn", "phase", "beat")


def _optional(field: Field, doc: str, default=None) -> Field:
    return Field("one_of", doc, default=default, options=(field, NULL))


def _target_check(value: str) -> str | None:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        return f"'{value}' is not HOST:PORT (like 127.0.0.1:9001)."
    return None


MIDI = Field("section", "Live MIDI: mirror the station's notes to a port, play a player's "
             "pads from a port (python-rtmidi).", fields={
    "enabled": Field("boolean", "Open the MIDI ports.", default=False),
    "api": Field("choice", "alsa: the ALSA sequencer (a Pi, a desktop); jack: a JACK server "
                 "(where ALSA's sequencer is missing, e.g. containers).", default="alsa",
                 choices=("alsa", "jack")),
    "name": Field("string", "The client name other MIDI programs see.", default="station"),
    "out": Field("boolean", "Open an output port that sends every note the station plays, "
                 "each player on their own channel, with the client's program.",
                 default=True),
    "out_connect": _optional(Field("string"), "Connect the output to the first port whose "
                             "name contains this text (e.g. 'FLUID', 'Digital Piano'); "
                             "null: other programs connect to it."),
    "in_player": _optional(Field("integer", min=1, max=6), "Open an input port whose notes "
                           "play this player's pads through the seated client's profile "
                           "(filters, turns, journal); null: no input."),
    "in_connect": _optional(Field("string"), "Read from the first port whose name contains "
                            "this text; null: other programs connect to the station's port."),
    "in_first_note": Field("integer", "The note that plays pad 1; the next note pad 2, and "
                           "so on (notes outside the player's pads are ignored).", default=60,
                           min=0, max=127),
    "in_channel": _optional(Field("integer", min=1, max=16), "Take notes only from this "
                            "channel; null: from every channel."),
})

OSC = Field("section", "Open Sound Control over UDP (python-osc): events out, control in. "
            "The address space is in docs/interop.md.", fields={
    "enabled": Field("boolean", "Listen for commands and send events.", default=False),
    "listen": Field("string", "Address to listen on. 127.0.0.1: this machine only; 0.0.0.0 "
                    "lets anyone on the network control the station.", default="127.0.0.1"),
    "port": Field("integer", "UDP port for commands.", default=9000, min=1024, max=65535),
    "send_to": Field("list", "Where events go, as HOST:PORT (e.g. 127.0.0.1:9001).",
                     default=list, item=Field("string", check=_target_check), max=8),
    "events": Field("list", "Which events are sent: " + ", ".join(OSC_EVENTS) + ".",
                    default=lambda: list(OSC_EVENTS), item=Field("choice",
                                                                 choices=OSC_EVENTS)),
})
