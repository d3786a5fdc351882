"""Wire MIDI and OSC into a running station from the config's ``midi:`` and ``osc:``.

``attach(config, host, call)`` is all the daemon does: it reads the two sections, opens
what they enable, adds the listeners to the engine and returns an ``Interop`` whose
``close()`` ends them (after the station's own all-notes-off has been mirrored). A port
that cannot be opened is a warning in plain words, never a reason not to play.

``config`` is a StationConfig; ``host`` is this room's port on the running station (a
``Host``, built by ``engine.runtime.Station.interop_host``); ``call(cmd, args)`` is the
daemon's one command path (``ControlServer.call``).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from station.core.errors import StationError
from station.core.events import Event

if TYPE_CHECKING:          # imported only when the config enables midi: or osc:
    from station.interop.midi_in import MidiInput
    from station.interop.midi_out import MidiMirror
    from station.interop.osc import OscControl, OscEvents

log = logging.getLogger("station.interop")


class Seats(Protocol):
    """The seats as MIDI out reads them (read-only; ``engine.seat.SeatsView``)."""

    def players(self) -> tuple[int, ...]: ...

    def seated(self, player: int) -> bool: ...

    def channel(self, player: int) -> int: ...      # MIDI channel 0..15

    def timbre(self, player: int): ...              # the Timbre sounding now, or None


@dataclass(frozen=True)
class Host:
    """What interop needs of the running station (engine thread unless said).

    ``listen(owner, fn)``/``unlisten(owner)``: add or remove an engine listener;
    ``pad(player, pad, down, now, strength=, source=)``: play a pad (``Engine.pad``);
    ``submit(job)``: run ``job()`` in the engine thread (any thread may call it);
    ``now()``: station time, ns.
    """

    seats: Seats
    listen: Callable[[str, Callable[[Event], None]], None]
    unlisten: Callable[[str], None]
    pad: Callable[..., None]
    submit: Callable[[Callable[[], None]], None]
    now: Callable[[], int]


class Interop:
    """What ``attach`` opened; ``close()`` is idempotent."""

    def __init__(self) -> None:
        self.midi_out: MidiMirror | None = None
        self.midi_in: MidiInput | None = None
        self.osc_out: OscEvents | None = None
        self.osc_in: OscControl | None = None
        self.problems: list[str] = []
        self.host: Host | None = None

    def status(self) -> dict:
        return {"midi_out": self.midi_out is not None, "midi_in": self.midi_in is not None,
                "osc_in": list(self.osc_in.address) if self.osc_in else None,
                "osc_out": len(self.osc_out.clients) if self.osc_out else 0,
                "problems": list(self.problems)}

    def close_inputs(self) -> None:
        """Stop taking commands and notes (before the station closes)."""
        for name in ("osc_in", "midi_in"):
            self._close(name)

    def close(self) -> None:
        """Close everything; MIDI out last, after it mirrored the final notes-off."""
        for name in ("osc_in", "midi_in", "midi_out"):
            self._close(name)
        if self.host is not None and self.osc_out is not None:
            self.host.unlisten("osc_out")
        self.osc_out = None

    def _close(self, name: str) -> None:
        part = getattr(self, name)
        if part is not None:
            setattr(self, name, None)
            try:
                part.close()
            except Exception as exc:   # closing must go on for the others
                log.warning("closing %s: %s", name, exc)


def attach(config, host: Host, call: Callable[[str, dict], dict]) -> Interop:
    """Open the MIDI ports and OSC sockets the config enables (none by default)."""
    raw = config.raw
    out = Interop()
    out.host = host
    midi, osc = raw.get("midi") or {}, raw.get("osc") or {}
    if midi.get("enabled"):
        _try(out, "MIDI out", lambda: _midi_out(out, host, midi) if midi["out"] else None)
        _try(out, "MIDI in", lambda: _midi_in(out, config, host, midi)
             if midi["in_player"] is not None else None)
    if osc.get("enabled"):
        _try(out, "OSC", lambda: _osc(out, host, call, osc))
    return out


def _try(out: Interop, what: str, fn) -> None:
    try:
        fn()
    except StationError as exc:
        out.problems.append(f"{what}: {exc}")
        log.warning("%s is off: %s The station plays on without it.", what, exc)
    except OSError as exc:
        out.problems.append(f"{what}: {exc.strerror or exc}")
        log.warning("%s is off: %s. The station plays on without it.", what,
                    exc.strerror or exc)


def _midi_out(out: Interop, host: Host, midi: dict) -> None:
    from station.interop.midi_out import MidiMirror
    from station.interop.ports import open_port
    port = open_port("out", midi["api"], midi["name"], "out", midi["out_connect"])
    seats = host.seats

    def sound_of(player: int):
        timbre = seats.timbre(player) if player in seats.players() else None
        if timbre is None:
            return None
        return seats.channel(player), timbre
    out.midi_out = MidiMirror(port, sound_of)
    for n in seats.players():             # clients seated before the port opened
        if seats.seated(n):
            out.midi_out.program(*sound_of(n))
    host.listen("midi_out", out.midi_out)
    log.info("MIDI out: every note the station plays goes to %s '%s:out'%s.",
             midi["api"], midi["name"],
             f", connected to '{midi['out_connect']}'" if midi["out_connect"] else "")


def _midi_in(out: Interop, config, host: Host, midi: dict) -> None:
    from station.interop.midi_in import MidiInput, MidiPads
    from station.interop.ports import open_port
    player = config.player(midi["in_player"]) if any(
        p.player == midi["in_player"] for p in config.players) else None
    if player is None:
        raise StationError(f"midi.in_player is {midi['in_player']}, but the station config "
                           f"has no such player under 'players'.")
    pads = len(player.electrodes) + (player.switch_gpio is not None)
    # A client of its own ("station-in"): JACK client names must be unique.
    port = open_port("in", midi["api"], f"{midi['name']}-in", "in", midi["in_connect"])
    channel = None if midi["in_channel"] is None else midi["in_channel"] - 1
    mapper = MidiPads(pad=host.pad, submit=host.submit,
                      now=host.now, player=player.player, pads=pads,
                      first_note=midi["in_first_note"], channel=channel)
    out.midi_in = MidiInput(port, mapper)
    log.info("MIDI in: notes %d..%d on %s '%s-in:in' play player %d's pads.",
             mapper.first_note, mapper.first_note + pads - 1, midi["api"], midi["name"],
             player.player)


def _osc(out: Interop, host: Host, call, osc: dict) -> None:
    try:
        import pythonosc  # noqa: F401
    except ImportError:
        raise StationError("OSC is enabled in the station config but python-osc is not "
                           "installed: pip install python-osc, or set osc: {enabled: "
                           "false}.") from None
    from pythonosc.udp_client import SimpleUDPClient

    from station.interop.osc import OscControl, OscEvents, parse_target
    clients = [SimpleUDPClient(*parse_target(t)) for t in osc["send_to"]]
    if clients:
        out.osc_out = OscEvents(clients, osc["events"])
        host.listen("osc_out", out.osc_out)
    out.osc_in = OscControl(call, osc["listen"], osc["port"]).start()
    if not _is_loopback(osc["listen"]):
        log.warning("OSC listens on %s:%d: anyone on that network can seat clients and "
                    "change turns. Use 127.0.0.1 unless the network is the therapy room's "
                    "own.", osc["listen"], osc["port"])
    log.info("OSC: commands on %s:%d, events to %s.", osc["listen"], out.osc_in.address[1],
             ", ".join(osc["send_to"]) or "nobody")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
