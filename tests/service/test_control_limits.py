"""The control socket cannot be exhausted or tricked: a cap on connections, a deadline per
request, limits on size and nesting, arguments checked, a plain reply to every refusal,
and the socket path removed only when it is a stale socket. A real daemon (simulator,
virtual clock) answers on a real socket; a thread plays its engine loop."""

import json
import logging
import os
import socket
import threading
import time

import pytest
from daemon_fixtures import ask, served  # noqa: F401  (served: a fixture)

from station.core.errors import StationError
from station.service import limits
from station.service.control import ControlServer, request


MALFORMED = [
    (b"[" * 20000 + b"]" * 20000 + b"\n", "nested more than 16 levels"),
    (b'{"cmd": "turn", "args": {"op": "set", "player": NaN}}\n', "NaN is not a number"),
    (b'{"cmd": "status", "args": {"verbose": true}}\n', "wrong arguments"),
    (b'{"cmd": "use_client", "args": {"player": "1", "client": "alex"}}\n',
     "'player' must be a whole number"),
    (b'{"cmd": "session", "args": {"op": "note", "text": "' + b"x" * 5000 + b'"}}\n',
     "longer than 4096 characters"),
    (b'{"cmd": "status", "args": [1, 2]}\n', "args must be an object"),
    (b'["status"]\n', 'a request is {"cmd"'),
    (b"\xff\xfe garbage\n", "not UTF-8"),
    (b"status please\n", "not one JSON object"),
    (b"x" * (70 * 1024), "longer than 64 KB"),
    (b'{"cmd": "explode"}\n', "does not know the command 'explode'"),
]


def test_every_malformed_request_gets_a_plain_refusal(served):
    for data, words in MALFORMED:                       # one daemon for them all
        reply = ask(served.config.control_socket, data)
        assert reply["ok"] is False and words in reply["error"], (data[:60], reply)
        assert "internal error" not in reply["error"]
        assert request(served.config.control_socket, "status")["startup"], "still serving"


def test_a_path_for_a_client_is_refused_without_reading_the_file(served, tmp_path, caplog):
    secret = tmp_path / "secret.yaml"
    secret.write_text("root: $6$saltsalt$hashhashhash\ndaemon: x\n")
    os.utime(secret, (0, 0))
    caplog.set_level(logging.INFO)
    for client in (str(secret), "../secret", "/etc/shadow"):
        reply = request(served.config.control_socket, "use_client", player=1, client=client)
        assert reply["ok"] is False and "is not a client id" in reply["errors"]
        assert "hashhash" not in json.dumps(reply) and "daemon" not in reply["errors"]
    assert os.stat(secret).st_atime == 0, "the file was never opened for reading"
    assert "hashhash" not in caplog.text
    assert served.status()["players"]["1"]["client"] == "alex"


def test_idle_connections_cannot_exhaust_the_station(served):
    path = served.config.control_socket
    before = threading.active_count()
    idle = []
    for _ in range(200):                       # connect and say nothing
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(path))
        idle.append(s)
    time.sleep(0.3)
    assert threading.active_count() <= before + limits.MAX_CONNECTIONS, \
        "one thread per connection, at most MAX_CONNECTIONS of them"
    busy = [s for s in idle[-50:] if b"busy" in _read(s, 1.0)]
    assert len(busy) == 50, "connections over the cap are told 'busy' at once"
    status = request(path, "status", retry_s=10.0)    # what 'station status' does
    assert status["startup"]
    for s in idle:
        s.close()


def test_a_request_sent_a_byte_at_a_time_is_cut_at_the_deadline(served):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(str(served.config.control_socket))
    s.settimeout(10)
    started = time.monotonic()
    reply = b""
    for byte in b'{"cmd": "status"}':
        try:
            s.sendall(bytes([byte]))
        except OSError:
            break
        time.sleep(0.3)
        s.setblocking(False)
        try:
            reply += s.recv(4096)
        except BlockingIOError:
            pass
        s.setblocking(True)
        if reply:
            break
    # the station's own words say it cut the request at its deadline (how soon after
    # the deadline the reply arrives is the machine's load, not the station's)
    assert b"did not arrive within 2 s" in reply
    assert time.monotonic() - started >= limits.REQUEST_DEADLINE_S - 0.5, "not before it"
    s.close()


def _read(s, timeout):
    s.settimeout(timeout)
    try:
        return s.recv(4096)
    except OSError:
        return b""


def test_the_socket_path_is_removed_only_when_it_is_a_stale_socket(tmp_path):
    journal = tmp_path / "station.db"
    journal.write_bytes(b"SQLite format 3\x00 the journal")
    with pytest.raises(StationError, match="is a file, not a socket"):
        ControlServer(journal, lambda job: job()).start()
    assert journal.read_bytes() == b"SQLite format 3\x00 the journal"
    folder = tmp_path / "folder.sock"
    folder.mkdir()
    with pytest.raises(StationError, match="is a folder"):
        ControlServer(folder, lambda job: job()).start()
    stale = tmp_path / "stale.sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(stale))
    s.close()                                  # a crashed daemon's socket: nobody listens
    server = ControlServer(stale, lambda job: job())
    server.handlers["ping"] = lambda: "pong"
    server.start()
    try:
        assert request(stale, "ping") == "pong"
        with pytest.raises(StationError, match="already running"):
            ControlServer(stale, lambda job: job()).start()
    finally:
        server.close()
    assert not stale.exists()
    stale.write_text("someone's file now")     # replaced after we left: not ours to remove
    server.remove()
    assert stale.read_text() == "someone's file now"
