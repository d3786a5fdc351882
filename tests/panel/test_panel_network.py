"""The panel against the network it sits on: foreign pages, other apps' cookies, slow
clients, short bodies, and where it listens by default.

The panel here is the real one (``Api``, ``Gate``, ``HttpServer``, ``Actions``) over the
real command path (``ControlServer.call``) with a station that only answers status and
session; requests are real HTTP over real sockets on 127.0.0.1.
"""

import http.client
import json
import logging
import socket
import threading
import time

import pytest
from conftest import CONFIGS, station_config

import station.panel.server as server_module
from station.config.station import load_config
from station.panel.actions import Actions
from station.panel.api import Api
from station.panel.app import Panel
from station.panel.auth import MAX_WRONG, Gate
from station.panel.feed import LiveFeed
from station.panel.pin import pin_path, store_pin
from station.panel.reports import Reports
from station.panel.server import HttpServer
from station.service.control import ControlServer

PIN = "482913"


@pytest.fixture
def panel(tmp_path):
    control = ControlServer(tmp_path / "station.sock", lambda job: job())
    control.handlers["status"] = lambda: {"players": {}}
    control.handlers["session"] = lambda op, name=None, text=None, by=None: {"op": op, "name": name}
    feed = LiveFeed()
    actions = Actions(load_config(CONFIGS / "station.yaml"), control.call, None,
                      Reports(tmp_path / "j" / "station.db", CONFIGS / "clients"), feed)
    gate = Gate(store_pin(pin_path(tmp_path / "j" / "station.db"), PIN), idle_s=600)
    api = Api(actions, gate, feed, secure=False, max_streams=4)
    http_server = HttpServer(api, "127.0.0.1", 0, 16, None)
    http_server.start()
    assert http_server.running
    yield http_server
    http_server.close()


def ask(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        raw = r.read()
        return r.status, dict(r.getheaders()), json.loads(raw) if raw.startswith(b"{") else raw
    finally:
        conn.close()


def login(port, pin, headers=None):
    return ask(port, "POST", "/api/login", json.dumps({"pin": pin}).encode(),
               {"Content-Type": "application/json", **(headers or {})})


def signed_in(port):
    status, headers, data = login(port, PIN)
    assert status == 200, data
    return headers["Set-Cookie"].split(";", 1)[0], data["csrf"]


# -- foreign pages ---------------------------------------------------------------------------
@pytest.mark.parametrize("foreign", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Host": "evil.example:8080"},                                  # DNS rebinding
    {"Host": "evil.example:8080", "Origin": "http://evil.example:8080"},
])
def test_a_foreign_pages_posts_never_count_toward_the_lock_out(panel, foreign):
    for _ in range(MAX_WRONG + 2):
        status, _, data = login(panel.port, "000000", foreign)
        assert status == 403, data
        assert "another web page" in data["error"] and "Traceback" not in data["error"]
    assert panel.api.gate.status()["locked_s"] == 0
    status, _, data = login(panel.port, PIN)                          # the therapist's tablet
    assert status == 200, data


def test_the_panels_own_page_and_plain_clients_pass(panel):
    port = panel.port
    own = {"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}
    assert login(port, PIN, own)[0] == 200
    assert login(port, PIN, {"Origin": f"http://localhost:{port}",
                             "Host": f"localhost:{port}"})[0] == 200
    assert login(port, PIN, {"Host": f"[::1]:{port}"})[0] == 200
    assert login(port, PIN, {"Host": f"{socket.gethostname()}:{port}"})[0] == 200
    cookie, csrf = signed_in(port)
    status, _, data = ask(port, "POST", "/api/session", b'{"op": "start"}',
                          {"Cookie": cookie, "X-CSRF-Token": csrf, **own})
    assert status == 200 and data == {"op": "start", "name": None}
    status, _, data = ask(port, "POST", "/api/session", b'{"op": "start"}',
                          {"Cookie": cookie, "X-CSRF-Token": csrf,
                           "Origin": "http://evil.example"})
    assert status == 403 and "another web page" in data["error"]


# -- other apps' cookies ------------------------------------------------------------------------
@pytest.mark.parametrize("others", [
    'x="unterminated', "a=b c", "a=\u00e9", "lonely", "", 'a="b\\"', "a=b;;c=d",
    "station_panel=; a=1", "station_panel=stale-token-of-an-old-session",
])
def test_other_cookies_of_the_host_do_not_sign_the_panel_out(panel, others):
    cookie, _ = signed_in(panel.port)
    for header in (f"{others}; {cookie}", f"{cookie}; {others}"):
        status, _, data = ask(panel.port, "GET", "/api/me", headers={"Cookie": header})
        assert status == 200, (header, data)


# -- slow clients and short bodies ----------------------------------------------------------------
def test_slow_connections_cannot_keep_the_panel_busy(panel, monkeypatch):
    """16 connections that each send a byte every 0.3 s (within any per-read timeout)
    are cut at the request deadline; the tablet is served again within a bounded time."""
    monkeypatch.setattr(server_module, "IDLE_S", 1.0)
    monkeypatch.setattr(server_module, "REQUEST_S", 1.0, raising=False)
    slow = [socket.create_connection(("127.0.0.1", panel.port)) for _ in range(16)]
    stop = threading.Event()

    def trickle():
        for s in slow:
            s.sendall(b"GET / HTTP/1.1\r\n")
        while not stop.wait(0.3):
            for s in slow:
                try:
                    s.sendall(b"X")
                except OSError:
                    pass
    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        end = time.monotonic() + 6.0                   # the bound of this test, not a speed
        served = None
        while time.monotonic() < end:
            try:
                served = ask(panel.port, "GET", "/")[0]
            except OSError:
                served = None
            if served == 200:
                break
            time.sleep(0.2)
        assert served == 200, "slow connections kept the panel busy"
    finally:
        stop.set()
        sender.join()
        for s in slow:
            s.close()


def raw_request(port, head: bytes, body: bytes, half_close: bool) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(8)
        s.sendall(head + body)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
        return answer


@pytest.mark.parametrize("half_close", [True, False])
def test_a_short_body_gets_a_plain_400(panel, monkeypatch, caplog, half_close):
    monkeypatch.setattr(server_module, "IDLE_S", 1.0)
    monkeypatch.setattr(server_module, "REQUEST_S", 1.0, raising=False)
    body = json.dumps({"pin": "000000"}).encode()
    head = (f"POST /api/login HTTP/1.1\r\nHost: 127.0.0.1:{panel.port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body) + 40}\r\n\r\n"
            ).encode()
    with caplog.at_level(logging.DEBUG, logger="station.panel"):
        answer = raw_request(panel.port, head, body, half_close)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert b"shorter than its Content-Length" in answer and b"Traceback" not in answer
    assert not any(r.exc_info for r in caplog.records)
    assert panel.api.gate.status()["locked_s"] == 0 and not panel.api.gate._wrong


# -- where the panel listens ------------------------------------------------------------
def test_the_panel_listens_on_this_machine_only_unless_told(tmp_path):
    config = load_config(station_config(tmp_path, extra="panel: {enabled: true}\n"))
    assert config.raw["panel"]["bind"] == "127.0.0.1"


def test_every_network_without_tls_is_warned_at_start_and_in_status(tmp_path, caplog):
    config = load_config(station_config(
        tmp_path, extra="panel: {enabled: true, port: 0, bind: 0.0.0.0}\n"))
    panel = Panel(config, lambda cmd, args: {"ok": True, "result": {}})
    with caplog.at_level(logging.WARNING, logger="station.panel"):
        panel.start()
    try:
        assert panel.http.running
        warning = panel.status()["warning"]
        assert "every network" in warning and "plain HTTP" in warning
        assert any("every network" in r.getMessage() for r in caplog.records)
    finally:
        panel.close()
    config = load_config(station_config(tmp_path, extra="panel: {enabled: true, port: 0}\n"))
    panel = Panel(config, lambda cmd, args: {"ok": True, "result": {}})
    panel.start()
    try:
        assert panel.status()["warning"] is None
    finally:
        panel.close()
