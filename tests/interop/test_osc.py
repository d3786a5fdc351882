"""OSC: the address space, and a localhost round trip with a real sim daemon (commands in
through the one command path, replies and events out over real UDP sockets)."""

import logging
import socket
import struct
import threading
import time

import pytest
from conftest import launch_sim_daemon, wait_until
from daemon_fixtures import station_yaml

from station.core.events import NOTE_OFF, NOTE_ON, PHASE, TOUCH, TURN_START, Event
from station.interop.osc import OscControl, OscEvents, command
from station.service.control import ControlServer, request

pytest.importorskip("pythonosc")
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import build_msg
from pythonosc.parsing.ntp import system_time_to_ntp


def test_events_map_to_their_addresses_without_client_ids():
    out = OscEvents([], ["touch", "note", "turn", "phase", "beat"])
    assert out.message(Event(TOUCH, 5, player=2, pad=3, client="c-1234")) == \
        ("/station/touch", [2, 3, 1])
    assert out.message(Event(NOTE_ON, 5, player=2, note=64, velocity=90, channel=1)) == \
        ("/station/note", [2, 64, 90, 2])
    assert out.message(Event(NOTE_OFF, 5, player=2, note=64, channel=1)) == \
        ("/station/note", [2, 64, 0, 2])
    assert out.message(Event(TURN_START, 5, player=4)) == ("/station/turn", [4])
    assert out.message(Event(PHASE, 5, detail="warm-up")) == ("/station/phase", ["warm-up"])
    only_notes = OscEvents([], ["note"])
    assert only_notes.message(Event(TOUCH, 5, player=2, pad=3)) is None


@pytest.mark.parametrize("address, args, expected", [
    ("/station/seat", [2.0, "jo"], ("use_client", {"player": 2, "client": "jo"})),
    ("/station/phase", ["main"], ("session", {"op": "phase", "name": "main"})),
    ("/station/quiet", [], ("turn", {"op": "quiet"})),
    ("/station/quiet", [0], ("turn", {"op": "resume"})),
    ("/station/turn/set", [3], ("turn", {"op": "set", "player": 3})),
    ("/station/turn/mode", ["round_robin"], ("turn", {"op": "mode", "mode": "round_robin"})),
])
def test_commands(address, args, expected):
    assert command(address, args) == expected


@pytest.mark.parametrize("address, args, words", [
    ("/station/seat", [2, "../../etc/passwd"], "not a client id"),
    ("/station/seat", [2], "needs a client id"),
    ("/station/seat", ["two", "jo"], "must be a number"),
    ("/station/launch", [], "no OSC address"),
])
def test_bad_commands_say_what_is_wrong(address, args, words):
    with pytest.raises(ValueError, match=words):
        command(address, args)


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Peer:
    """Our end: sends commands from one UDP socket, which is also an event target."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.got: list[tuple[str, list]] = []

    def send(self, port: int, address: str, *args) -> None:
        self.sock.sendto(build_msg(address, list(args)).dgram, ("127.0.0.1", port))

    def expect(self, address: str, seconds: float = 20.0, **match) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for i, (a, params) in enumerate(self.got):
                if a == address and all(params[k] == v for k, v in match.get("at", {}).items()):
                    return self.got.pop(i)[1]
            try:
                data, _ = self.sock.recvfrom(65536)
            except TimeoutError:
                continue
            msg = OscMessage(data)
            self.got.append((msg.address, list(msg.params)))
        raise AssertionError(f"no {address} {match} within {seconds} s; got {self.got}")


def test_round_trip_on_localhost(tmp_path, station_env):
    peer = Peer()
    port = free_udp_port()
    cfg = station_yaml(tmp_path, extra=f"osc: {{enabled: true, port: {port}, "
                                       f"send_to: ['127.0.0.1:{peer.port}']}}\n")
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(lambda: sock.exists() and
                   request(sock, "status").get("startup", "ready") == "ready", proc)
        # control in, through the one command path; the reply comes back to the sender
        peer.send(port, "/station/seat", 2, "jo")
        assert peer.expect("/station/ok") == ["/station/seat"]
        assert request(sock, "status")["players"]["2"]["client"] == "jo"
        peer.send(port, "/station/seat", 2, "/etc/passwd")
        reply = peer.expect("/station/error")
        assert reply[0] == "/station/seat" and "not a client id" in reply[1]
        peer.send(port, "/station/seat", 2, "nobody-here")
        assert "nobody-here" in peer.expect("/station/error")[1]   # the station's own words
        # events out: a phase, a touch and the note it became
        peer.send(port, "/station/phase", "warm-up")
        assert peer.expect("/station/ok") == ["/station/phase"]
        assert peer.expect("/station/phase") == ["warm-up"]
        request(sock, "sim", action="touch", address=0x5A, electrode=2)
        assert peer.expect("/station/touch") == [1, 2, 1]
        player, note, velocity, channel = peer.expect("/station/note")
        assert (player, channel) == (1, 1) and velocity > 0
        # all quiet and resume, as the button does
        peer.send(port, "/station/quiet", 1)
        assert peer.expect("/station/ok") == ["/station/quiet"]
        assert request(sock, "turn")["turns"]["paused"] is True
        peer.send(port, "/station/quiet", 0)
        peer.expect("/station/ok")
        assert request(sock, "turn")["turns"]["paused"] is False
    finally:
        try:
            request(sock, "stop")
        except Exception:
            proc.kill()
        proc.wait(timeout=20)
        peer.sock.close()
    assert proc.returncode == 0, proc.stderr.read()


# -- bundles: timetags and nesting (real UDP on 127.0.0.1, the real command path) -------------


def bundle(timetag: bytes, *contents: bytes) -> bytes:
    return b"#bundle\0" + timetag + b"".join(struct.pack(">i", len(c)) + c for c in contents)


NOW = struct.pack(">Q", 1)          # OSC's "immediately"


@pytest.fixture
def control(tmp_path):
    """OscControl over ControlServer.call with a station that answers turn and session."""
    server = ControlServer(tmp_path / "station.sock", lambda job: job())
    seen: list[tuple[str, dict]] = []
    arrived = threading.Condition()

    def record(cmd):
        def handler(**args):
            with arrived:
                seen.append((cmd, args))
                arrived.notify_all()
            return {"paused": args.get("op") == "quiet"}
        return handler
    server.handlers["turn"] = record("turn")
    server.handlers["session"] = record("session")
    osc = OscControl(server.call, "127.0.0.1", 0).start()

    def wait_for(cmd, op, seconds):
        with arrived:
            return arrived.wait_for(lambda: any(c == cmd and a.get("op") == op
                                                for c, a in seen), timeout=seconds)
    osc.seen, osc.wait_for = seen, wait_for
    yield osc
    osc.close()


def test_a_future_bundle_does_not_hold_up_all_quiet(control):
    peer = Peer()
    later = bundle(system_time_to_ntp(time.time() + 15), build_msg("/station/phase",
                                                                   ["later"]).dgram)
    peer.sock.sendto(later, control.address)
    peer.send(control.address[1], "/station/quiet", 1)
    # a bound well short of the bundle's 15 s (not a speed): all quiet did not wait for it
    assert control.wait_for("turn", "quiet", 10.0), "all quiet waited for a future bundle"
    assert ("session", {"op": "phase", "name": "later"}) not in control.seen   # not yet
    peer.sock.close()


def test_a_near_future_bundle_is_played_at_its_time(control):
    peer = Peer()
    soon = bundle(system_time_to_ntp(time.time() + 0.3), build_msg("/station/phase",
                                                                  ["soon"]).dgram)
    peer.sock.sendto(soon, control.address)
    assert control.wait_for("session", "phase", 10.0)
    assert control.seen[-1] == ("session", {"op": "phase", "name": "soon"})
    peer.sock.close()


def test_a_far_future_bundle_is_refused_in_one_line(control, caplog):
    peer = Peer()
    far = bundle(system_time_to_ntp(time.time() + 365 * 86400),
                 build_msg("/station/phase", ["never"]).dgram)
    with caplog.at_level(logging.INFO, logger="station.interop.osc"):
        peer.sock.sendto(far, control.address)
        reply = peer.expect("/station/error", seconds=5)
        peer.send(control.address[1], "/station/quiet", 1)
        assert control.wait_for("turn", "quiet", 3.0)
    assert reply[0] == "/station/phase" and "timetag" in reply[1]
    assert len([r for r in caplog.records if "timetag" in r.getMessage()]) == 1
    peer.sock.close()


def test_a_deeply_nested_packet_is_refused_in_one_line(control, caplog, capfd):
    peer = Peer()
    packet = build_msg("/station/quiet", [1]).dgram
    for _ in range(2500):                        # about 50 KB: one UDP datagram
        packet = bundle(NOW, packet)
    with caplog.at_level(logging.INFO, logger="station.interop.osc"):
        peer.sock.sendto(packet, control.address)
        peer.send(control.address[1], "/station/phase", "after")
        assert control.wait_for("session", "phase", 5.0)
    lines = [r for r in caplog.records if "nested" in r.getMessage()]
    assert len(lines) == 1 and not lines[0].exc_info
    err = capfd.readouterr().err
    assert "Traceback" not in err and len(err.splitlines()) < 5
    assert not any(c == "turn" for c, _ in control.seen)      # the nested quiet: refused
    peer.sock.close()
