"""Fuzzing the panel's HTTP layer with hypothesis: request lines, headers (Host, Origin,
Cookie, Content-Length), bodies, sent over real sockets to the real panel on 127.0.0.1.
Every answer is an HTTP status line with a plain JSON refusal or a page, never a 500 or a
traceback, and the panel answers the tablet afterwards. The cases that once broke
something are kept below as regular test cases (the corpus)."""

import json
import socket

import pytest
from fuzz_strategies import FUZZ
from hypothesis import given
from hypothesis import strategies as st
from test_panel_network import PIN, ask

import station.panel.server as server_module
from station.config.station import load_config
from station.panel.actions import Actions
from station.panel.api import Api
from station.panel.auth import Gate
from station.panel.feed import LiveFeed
from station.panel.pin import pin_path, store_pin
from station.panel.reports import Reports
from station.panel.server import HttpServer
from station.service.control import ControlServer


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    from conftest import CONFIGS
    tmp = tmp_path_factory.mktemp("fuzz-panel")
    patch = pytest.MonkeyPatch()
    patch.setattr(server_module, "REQUEST_S", 0.5)     # a short body answers within this
    control = ControlServer(tmp / "station.sock", lambda job: job())
    control.handlers["status"] = lambda: {"players": {}}
    control.handlers["session"] = lambda op, name=None, text=None: {"op": op}
    feed = LiveFeed()
    actions = Actions(load_config(CONFIGS / "station.yaml"), control.call, None,
                      Reports(tmp / "j" / "station.db", CONFIGS / "clients"), feed)
    gate = Gate(store_pin(pin_path(tmp / "j" / "station.db"), PIN), idle_s=600)
    server = HttpServer(Api(actions, gate, feed, secure=False, max_streams=2),
                        "127.0.0.1", 0, 16, None)
    server.start()
    yield server
    server.close()
    patch.undo()


def exchange(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(10)
        try:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass                                    # the panel closed first: fine
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
        return answer


def check(panel, raw: bytes) -> None:
    answer = exchange(panel.port, raw)
    if answer:                                      # a garbled line may just be closed
        assert answer.startswith(b"HTTP/1."), answer[:80]
        status = int(answer.split(b" ", 2)[1])
        assert status < 500 or status in (501, 503, 505), answer[:300]
        assert b"Traceback" not in answer and b"File \"" not in answer
    assert ask(panel.port, "GET", "/")[0] == 200    # the tablet is still served
    assert panel.api.gate.status()["locked_s"] == 0


TOKEN = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=12)
VALUE = st.one_of(st.text(max_size=40), st.sampled_from(
    ["0", "-1", "99999999999", "1e3", " 5", "abc", "null", "http://evil.example",
     "http://127.0.0.1", 'a="b', "station_panel=; x", "chunked", "\x00", "[::1]:80"]))
HEADER_NAMES = st.sampled_from(["Host", "Origin", "Cookie", "Content-Length",
                                "Transfer-Encoding", "Sec-Fetch-Site", "X-CSRF-Token",
                                "Content-Type", "Last-Event-ID", "Connection"]) | TOKEN


@FUZZ
@given(method=st.sampled_from(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "BREW"])
       | TOKEN,
       path=st.sampled_from(["/", "/api/login", "/api/me", "/api/session", "/api/note",
                             "/api/live", "/api/clients/kim", "/api/sessions/1/csv",
                             "/../../etc/passwd", "/api/clients/..%2F..", "*"]) | TOKEN,
       version=st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1", b""]),
       headers=st.lists(st.tuples(HEADER_NAMES, VALUE), max_size=6),
       body=st.binary(max_size=200) | st.builds(lambda d: json.dumps(d).encode(),
                                                st.dictionaries(TOKEN, VALUE, max_size=3)))
def test_any_request_gets_a_plain_answer(panel, method, path, version, headers, body):
    lines = [f"{method} {path} ".encode("utf-8", "surrogatepass") + version]
    lines += [f"{k}: {v}".encode("utf-8", "surrogatepass") for k, v in headers]
    check(panel, b"\r\n".join(lines) + b"\r\n\r\n" + body)


CORPUS = [
    b"POST /api/login HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"pin\": \"0\"}",     # short body
    b"POST /api/login HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
    b"POST /api/login HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
    b"POST /api/login HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"POST /api/login HTTP/1.1\r\nOrigin: null\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /api/login HTTP/1.1\r\nHost: evil.example\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /api/login HTTP/1.1\r\nHost: [::1\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /api/login HTTP/1.1\r\nOrigin: http://127.0.0.1:notaport\r\n\r\n",
    b"GET /api/me HTTP/1.1\r\nCookie: x=\"unterminated; station_panel=\"\r\n\r\n",
    b"GET /api/me HTTP/1.1\r\nCookie: \xff\xfe=\xff\r\n\r\n",
    b"GET /\x00 HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: " + b"a" * 70_000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X: a\r\n" * 120 + b"\r\n",
    b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n",
    b"\r\n\r\n",
    b"GET\r\n\r\n",
    b"POST /api/note HTTP/1.1\r\nContent-Length: 20\r\n\r\n{\"text\": \"\\udcff\"}  ",
    b"POST /api/login HTTP/1.1\r\nContent-Length: 9\r\n\r\n[[[[[[[[[",
]


@pytest.mark.parametrize("raw", CORPUS, ids=range(len(CORPUS)))
def test_the_corpus(panel, raw):
    check(panel, raw)
