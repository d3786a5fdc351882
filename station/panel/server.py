"""The panel's HTTP server: its own threads, a bounded number of connections, optional TLS.

Standard library only (``socketserver`` + ``http.server``): the panel serves one or two
tablets, and a small server we can bound in every direction is worth more than a
framework. Bounds (docs/panel.md):

* at most ``panel.max_connections`` connections are served at once; the accept thread
  answers the next ones ``503 busy`` at once and closes them (it never waits on them);
* each request must arrive whole (request line, headers and body) within ``REQUEST_S`` of
  the moment the server began waiting for it, whatever the pace of its bytes: a client
  that trickles a byte at a time (slow loris) is cut at that deadline, and an idle
  keep-alive connection is closed by it; no single read waits more than ``IDLE_S``;
* a body shorter than its ``Content-Length`` is a plain 400 (at once when the client
  closes its side, at the deadline otherwise), never a 500;
* bodies are at most ``limits.MAX_BODY`` bytes and ``limits.MAX_DEPTH`` deep; headers are
  bounded by ``http.server`` (100 lines of 64 KiB);
* live streams are few (``max_connections // 4``) and end after ``api.STREAM_MAX_S``.

None of this runs in the engine thread; the engine only sees the commands the API sends
through ``ControlServer.call``, and the status those commands ask for is shared between
requests for ``api.STATUS_MAX_AGE_S``. Responses never carry a traceback: anything
unexpected is logged and answered with one plain sentence.
"""

from __future__ import annotations

import http.server
import io
import logging
import socket
import socketserver
import ssl
import threading
import time
from pathlib import Path

from station.core.errors import ConfigError
from station.panel.deadline import DeadlineReader, read_body
from station.panel.limits import BadRequest

log = logging.getLogger("station.panel")
IDLE_S = 10.0
REQUEST_S = 10.0        # a whole request (line, headers, body) arrives within this
_BUSY_BODY = b'{"error": "the panel is busy; try again in a moment."}\n'
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        b"Retry-After: 1\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
        % len(_BUSY_BODY)) + _BUSY_BODY
PAGE_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
               "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
               "form-action 'none'")


class Response:
    """What a route answers: status, body bytes, type and extra headers."""

    def __init__(self, status: int, body: bytes, content_type: str,
                 headers: dict | None = None) -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.headers = headers or {}


class Stream:
    """A route's long answer (server-sent events): ``chunks()`` yields bytes to send."""

    def __init__(self, chunks, on_close=None) -> None:
        self.chunks, self.on_close = chunks, on_close


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    default_request_version = "HTTP/1.0"   # a garbled request still gets a status line
    server_version = "station-panel"
    sys_version = ""
    server: _Server                          # the server that made this handler

    def version_string(self) -> str:   # no Python version in the Server header
        return self.server_version
    timeout = IDLE_S

    def setup(self) -> None:
        super().setup()
        self.rfile.close()               # http.server's reader, replaced by a bounded one
        self._reader = DeadlineReader(self.connection, IDLE_S)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        self._reader.deadline = time.monotonic() + REQUEST_S
        try:
            super().handle_one_request()
        finally:
            self._reading_done()

    def _reading_done(self) -> None:
        if self._reader.deadline is not None:
            self._reader.deadline = None
            try:
                self.connection.settimeout(IDLE_S)     # the answer's writes
            except OSError:
                pass

    def log_message(self, fmt, *args) -> None:     # no access log on the Pi's journal
        log.debug("panel %s: " + fmt, self.client_address[0], *args)

    def send_error(self, code, message=None, explain=None) -> None:
        """http.server's own refusals (bad request line, too long a header), in our words."""
        words = {400: "the request is malformed.", 408: "the request took too long.",
                 414: "the address is too long.", 431: "the request's headers are too large.",
                 501: "this kind of request is not supported."}
        self.close_connection = True
        try:
            self._send(Response(code, _json_error(words.get(code, "the request was refused.")),
                                "application/json"))
        except OSError:
            pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_HEAD(self) -> None:
        self.send_error(501)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD

    def _dispatch(self, method: str) -> None:
        api = self.server.api
        try:
            body = self._body() if method == "POST" else b""
            self._reading_done()
            answer = api.handle(method, self.path, self.headers, body)
        except BadRequest as exc:
            answer = Response(exc.status, _json_error(str(exc)), "application/json")
            self.close_connection = exc.status == 413 or self.close_connection
        except Exception:             # a bug: logged here, one plain line to the browser
            log.exception("panel: internal error answering %s %s", method, self.path[:200])
            answer = Response(500, _json_error("the panel had an internal problem; the "
                                               "station keeps playing. Details are in the "
                                               "station's log."), "application/json")
        try:
            if isinstance(answer, Stream):
                self._stream(answer)
            else:
                self._send(answer)
        except OSError:
            self.close_connection = True     # the browser went away

    def _body(self) -> bytes:
        try:
            return read_body(self.rfile, self.headers)
        except BadRequest:
            self.close_connection = True      # what was left unread is no next request
            raise

    def _send(self, r: Response) -> None:
        self.send_response(r.status)
        self.send_header("Content-Type", r.content_type)
        self.send_header("Content-Length", str(len(r.body)))
        self._security_headers(r)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(r.body)

    def _security_headers(self, r: Response) -> None:
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                   "Cache-Control": "no-store", "X-Frame-Options": "DENY",
                   "Content-Security-Policy": PAGE_POLICY}
        headers.update(r.headers)
        for name, value in headers.items():
            self.send_header(name, value)

    def _stream(self, s: Stream) -> None:
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self._security_headers(Response(200, b"", ""))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.flush()
        try:
            for chunk in s.chunks:
                self.wfile.write(chunk)
                self.wfile.flush()
        finally:
            if s.on_close is not None:
                s.on_close()


def _json_error(message: str) -> bytes:
    import json

    from station.panel.words import panel_words     # no terminal command on a tablet
    return json.dumps({"error": panel_words(message)}).encode() + b"\n"


class _Server(socketserver.TCPServer):
    """A TCP server with a fixed number of worker slots (see the module docstring)."""

    allow_reuse_address = True
    request_queue_size = 64
    daemon_threads = True

    def __init__(self, address, api, slots: int, tls: ssl.SSLContext | None) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.api = api
        self.tls = tls
        self.slots = threading.BoundedSemaphore(slots)
        self.refused = 0
        super().__init__(address, Handler)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            self.refused += 1
            try:
                if self.tls is None:
                    request.settimeout(0.2)
                    request.sendall(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        threading.Thread(target=self._work, args=(request, client_address),
                         name="panel-worker", daemon=True).start()

    def _work(self, request, client_address) -> None:
        try:
            request.settimeout(IDLE_S)
            if self.tls is not None:
                request = self.tls.wrap_socket(request, server_side=True)
            self.finish_request(request, client_address)
        except (OSError, ssl.SSLError, ValueError):
            pass                     # the client went away or spoke no TLS
        except Exception:
            log.exception("panel: a connection failed")
        finally:
            self.shutdown_request(request)
            self.slots.release()


def tls_context(config_path: Path, cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """The HTTPS context of ``panel.tls_cert``/``tls_key`` (paths relative to the config)."""
    if cert is None:
        return None
    base = Path(config_path).parent
    cert_path, key_path = base / Path(cert).expanduser(), base / Path(key).expanduser()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert_path, key_path)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"{config_path}: panel.tls_cert/tls_key: {cert_path} and {key_path} "
                          f"cannot be used ({getattr(exc, 'strerror', None) or exc}). Give a "
                          f"PEM certificate and its key, or remove both for plain HTTP.") \
            from None
    return ctx


class HttpServer:
    """The listening socket and its accept thread; ``start`` never raises for a busy port:
    the station plays on without its panel and ``error`` says why."""

    def __init__(self, api, bind: str, port: int, slots: int,
                 tls: ssl.SSLContext | None) -> None:
        self.api, self.bind, self.port, self.slots, self.tls = api, bind, port, slots, tls
        self.error: str | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        try:
            self._server = _Server((self.bind, self.port), self.api, self.slots, self.tls)
        except OSError as exc:
            self.error = (f"the panel cannot listen on {self.bind}:{self.port} "
                          f"({exc.strerror or exc}); the station plays on without it. Choose "
                          f"another panel.port in the station config, then restart.")
            log.warning("%s", self.error)
            return
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.2,),
                                        name="panel", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._server is not None and self.error is None

    @property
    def refused(self) -> int:
        return self._server.refused if self._server is not None else 0

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
