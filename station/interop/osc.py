"""OSC over UDP: the station's events out, the therapist's commands in.

Out (an engine listener, after the sound): ``/station/touch player pad down``,
``/station/note player note velocity channel`` (velocity 0: the note ended; channel
1..16), ``/station/turn player``, ``/station/phase name``, ``/station/beat count`` to
every ``send_to`` target. Players and pads only: no client ids leave the station.

In (a UDP server thread, bound to 127.0.0.1 unless the config says otherwise): each
command goes through ``call(cmd, args)``, the daemon's one command path (the same as the
control socket's), and the reply goes back to the sender as ``/station/ok <address>`` or
``/station/error <address> <what is wrong, in words>``. Bundles are checked first
(station.interop.osc_intake): nesting is bounded, and a timed message waits on a timer of its
own, never in the receive thread, or is refused when it is due too far ahead:

    /station/seat PLAYER CLIENT_ID     seat a client (an id, never a path)
    /station/phase NAME                mark a session phase
    /station/quiet [1|0]               all quiet (1, the default) or resume (0)
    /station/turn/next                 pass the turn
    /station/turn/set PLAYER           give PLAYER the turn
    /station/turn/mode MODE            free, round_robin, therapist, call_response
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable

from station.core.events import BEAT, NOTE_OFF, NOTE_ON, PHASE, RELEASE, TOUCH, TURN_START, Event

log = logging.getLogger("station.interop.osc")
PREFIX = "/station"
CLIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def parse_target(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    return host, int(port)


class OscEvents:
    """Engine listener sending the chosen ``kinds`` (touch, note, turn, phase, beat) to
    ``clients`` (objects with ``send_message(address, args)``)."""

    def __init__(self, clients: list, kinds) -> None:
        self.clients = clients
        self.kinds = set(kinds)
        self.beats = 0
        self.sent = 0

    def __call__(self, event: Event) -> None:
        message = self.message(event)
        if message is None:
            return
        for client in self.clients:
            try:
                client.send_message(*message)
                self.sent += 1
            except OSError:
                pass    # nobody listening, a network down: never the engine's problem

    def message(self, e: Event) -> tuple[str, list] | None:
        """The (address, arguments) for ``e``, or None when it is not sent."""
        k = self.kinds
        if e.kind in (TOUCH, RELEASE) and "touch" in k and e.player is not None \
                and e.pad is not None:
            return f"{PREFIX}/touch", [e.player, e.pad, int(e.kind == TOUCH)]
        if e.kind in (NOTE_ON, NOTE_OFF) and "note" in k and e.player is not None:
            velocity = (e.velocity or 0) if e.kind == NOTE_ON else 0
            return f"{PREFIX}/note", [e.player, e.note, velocity, (e.channel or 0) + 1]
        if e.kind == TURN_START and "turn" in k and e.player is not None:
            return f"{PREFIX}/turn", [e.player]
        if e.kind == PHASE and "phase" in k:
            return f"{PREFIX}/phase", [e.detail or ""]
        if e.kind == BEAT and "beat" in k:
            self.beats += 1
            return f"{PREFIX}/beat", [self.beats]
        return None


def command(address: str, args: list) -> tuple[str, dict]:
    """The control command ``(cmd, args)`` for an OSC message; ValueError in plain words."""
    def arg(i: int, kind, what: str):
        if len(args) <= i:
            raise ValueError(f"{address} needs {what}.")
        value = args[i]
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)         # TouchOSC sends numbers as floats
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{address}: {what} must be "
                             f"{'a number' if kind is int else 'text'}, not {value!r}.")
        return value
    if address == f"{PREFIX}/seat":
        player, client = arg(0, int, "a player number"), arg(1, str, "a client id")
        if not CLIENT_ID.match(client):
            raise ValueError(f"'{client}' is not a client id (letters, digits, '-', '_'; "
                             f"no paths).")
        return "use_client", {"player": player, "client": client}
    if address == f"{PREFIX}/phase":
        return "session", {"op": "phase", "name": arg(0, str, "a phase name")}
    if address == f"{PREFIX}/quiet":
        on = arg(0, int, "1 (quiet) or 0 (resume)") if args else 1
        return "turn", {"op": "quiet" if on else "resume"}
    if address == f"{PREFIX}/turn/next":
        return "turn", {"op": "next"}
    if address == f"{PREFIX}/turn/set":
        return "turn", {"op": "set", "player": arg(0, int, "a player number")}
    if address == f"{PREFIX}/turn/mode":
        return "turn", {"op": "mode", "mode": arg(0, str, "a turn mode")}
    raise ValueError(f"the station has no OSC address {address} (see docs/interop.md).")


class OscControl:
    """A UDP server thread taking OSC commands into ``call(cmd, args) -> {"ok", ...}``."""

    def __init__(self, call: Callable[[str, dict], dict], host: str = "127.0.0.1",
                 port: int = 9000) -> None:
        from pythonosc.osc_server import BlockingOSCUDPServer

        from station.interop.osc_intake import Intake
        self._call = call
        self.intake = Intake(lambda sender, address, args: self._handle(sender, address, *args),
                             lambda sender, address, words: self._reply(
                                 sender, f"{PREFIX}/error", [address, words]))
        self.server = BlockingOSCUDPServer((host, port), self.intake)
        self.address = self.server.server_address
        self.handled = 0
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.2}, name="osc",
                                        daemon=True)
        self._closed = False

    def start(self) -> OscControl:
        self._thread.start()
        return self

    def _handle(self, sender, address: str, *args) -> None:
        self.handled += 1
        try:
            cmd, cmd_args = command(address, list(args))
        except ValueError as exc:
            self._reply(sender, f"{PREFIX}/error", [address, str(exc)])
            return
        reply = self._call(cmd, cmd_args)
        result = reply.get("result")
        if reply.get("ok") and isinstance(result, dict) and result.get("ok") is False:
            # a refused profile is an answer, not a failure: the seat kept its client
            self._reply(sender, f"{PREFIX}/error", [address, str(result.get("errors"))])
        elif reply.get("ok"):
            self._reply(sender, f"{PREFIX}/ok", [address])
        else:
            self._reply(sender, f"{PREFIX}/error", [address, str(reply.get("error"))])

    def _reply(self, sender, address: str, args: list) -> None:
        from pythonosc.osc_message_builder import build_msg
        try:
            self.server.socket.sendto(build_msg(address, args).dgram, sender)
        except OSError:
            pass

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.intake.close()
        if self._thread.is_alive():
            self.server.shutdown()
            self._thread.join(timeout=2)
        self.server.server_close()
