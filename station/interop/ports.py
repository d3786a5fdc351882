"""Opening python-rtmidi ports on ALSA's sequencer or JACK, with plain-words errors.

The station opens a *virtual* port under its own client name (other programs connect to
it, as a DAW or ``aconnect``/``jack_connect`` does), or connects to an existing port
whose name contains a given text. python-rtmidi is imported here only, and only when a
port is opened.
"""

from __future__ import annotations

from station.core.errors import StationError

APIS = ("alsa", "jack")


class InteropError(StationError, RuntimeError):
    """A MIDI or OSC port could not be opened (the station plays on without it)."""


def _rtmidi():
    try:
        import rtmidi
    except ImportError:
        raise InteropError("MIDI is enabled in the station config but python-rtmidi is not "
                           "installed: pip install python-rtmidi (Debian: apt install "
                           "python3-rtmidi), or set midi: {enabled: false}.") from None
    return rtmidi


def open_port(direction: str, api: str, client: str, port: str,
              connect: str | None = None):
    """A ``rtmidi.MidiOut`` (direction "out") or ``MidiIn`` ("in"), open.

    ``connect``: text contained in the name of an existing port to connect to; None opens
    a virtual port named ``port`` that other programs connect to.
    """
    rtmidi = _rtmidi()
    api_id = {"alsa": rtmidi.API_LINUX_ALSA, "jack": rtmidi.API_UNIX_JACK}[api]
    if api_id not in rtmidi.get_compiled_api():
        raise InteropError(f"this python-rtmidi was built without {api} support; set "
                           f"midi.api to one of "
                           f"{', '.join(a for a in APIS if a != api)}.")
    cls = rtmidi.MidiOut if direction == "out" else rtmidi.MidiIn
    try:
        device = cls(api_id, name=client)
    except (rtmidi.SystemError, rtmidi.RtMidiError) as exc:
        raise InteropError(f"cannot open MIDI ({api}): {exc}. "
                           + ("Is the JACK server running?" if api == "jack" else
                              "Is the ALSA sequencer there (/dev/snd/seq)?")) from None
    try:
        if connect is None:
            device.open_virtual_port(port)
        else:
            names = device.get_ports()
            match = [i for i, n in enumerate(names) if connect.lower() in n.lower()]
            if not match:
                raise InteropError(f"no MIDI {'output' if direction == 'in' else 'input'} "
                                   f"port's name contains '{connect}' (found: "
                                   f"{', '.join(names) or 'none'}). Check midi."
                                   f"{direction}_connect in the station config.")
            device.open_port(match[0], port)
    except InteropError:
        device.delete()
        raise
    except rtmidi.RtMidiError as exc:
        device.delete()
        raise InteropError(f"cannot open the MIDI {direction} port ({api}): {exc}.") from None
    return device
