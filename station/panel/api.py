"""The panel's routes: sign-in, the checks every request passes, static files, live feed.

Every ``/api/`` request first passes the Host and Origin checks of
``station.panel.origin`` (else 403, before sign-in: a foreign page's wrong PINs never count
toward the lock-out). Every ``/api/`` route but sign-in needs a signed-in session (else
401); every POST also needs the session's ``X-CSRF-Token`` header (else 403). Bodies are checked by
``station.panel.limits``; the routes themselves live in ``station.panel.actions``. Answers
are JSON (``{"error": "plain words"}`` on refusal), or a file, or the live event stream.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import threading
import time
from pathlib import Path
from collections.abc import Callable

from station.panel.auth import COOKIE, Gate, LoginRefused
from station.panel.feed import HEARTBEAT_S, POLL_S, LiveFeed
from station.panel.limits import BadRequest, parse_body
from station.panel.words import panel_status
from station.panel.origin import check_request, own_names, session_tokens
from station.panel.server import Response, Stream

STATIC = Path(__file__).parent / "static"
STREAM_MAX_S = 300.0        # a live stream ends after this; the page reconnects at once
OWN = {("GET", "/api/live"), ("POST", "/api/logout"), ("GET", "/api/me")}   # answered here
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".svg": "image/svg+xml",
         ".png": "image/png", ".woff2": "font/woff2"}


def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
    data = panel_status(data)     # no terminal command reaches a tablet (panel.words)
    return Response(status, json.dumps(data, default=str).encode() + b"\n",
                    "application/json", headers)


class Api:
    """Routes requests to ``actions`` after the sign-in and CSRF checks."""

    def __init__(self, actions, gate: Gate, feed: LiveFeed, *, secure: bool,
                 max_streams: int, now: Callable[[], float] = time.monotonic) -> None:
        self.actions = actions
        self.gate = gate
        self.feed = feed
        self.secure = secure
        self.now = now
        self.max_streams = max_streams
        self.closing = threading.Event()
        self._streams = 0
        self._lock = threading.Lock()
        self._files = _load_static()
        self._names = own_names()
        self.boot = secrets.token_hex(6)     # new at every start: the page sees a restart

    # -- entry point (worker threads) ---------------------------------------------------
    def handle(self, method: str, target: str, headers, body: bytes):
        path = target.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith("/api/"):
            return self._static(method, path)
        check_request(method, headers, self._names)
        if path == "/api/login":
            if method != "POST":
                raise BadRequest("sign in with POST.", 405)
            return self._login(parse_body(body))
        route = (None, {}) if (method, path) in OWN else self.actions.route(method, path)
        token, session = None, None
        for token in session_tokens(headers.get("Cookie"), COOKIE):
            session = self.gate.session(token)
            if session is not None:
                break
        if session is None:
            raise BadRequest("sign in first: your panel session has ended or never began.",
                             401)
        if route is None:
            raise BadRequest(f"there is no {method} {path[:80]} in the panel.", 404)
        if method == "POST" and not self.gate.csrf_ok(session, headers.get("X-CSRF-Token")):
            raise BadRequest("this request lacks the panel's CSRF token (X-CSRF-Token); "
                             "reload the page.", 403)
        handler, params = route
        if path == "/api/live":
            return self._live(token, headers.get("Last-Event-ID"))
        if path == "/api/logout":
            self.gate.logout(token)
            return json_response({"signed_out": True}, headers={"Set-Cookie": self._cookie("")})
        if path == "/api/me":
            return json_response({"csrf": session.csrf, "boot": self.boot})
        data = parse_body(body) if method == "POST" else {}
        answer = handler(data, **params)
        return answer if isinstance(answer, Response) else json_response(answer)

    # -- signing in ---------------------------------------------------------------------
    def _login(self, data: dict) -> Response:
        try:
            session = self.gate.login(data.get("pin"))
        except LoginRefused as exc:
            headers = {"Retry-After": "60"} if exc.status == 429 else None
            return json_response({"error": str(exc)}, exc.status, headers)
        return json_response({"csrf": session.csrf},
                             headers={"Set-Cookie": self._cookie(session.token)})

    def _cookie(self, token: str) -> str:
        cookie = f"{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
        if not token:
            cookie += "; Max-Age=0"
        return cookie + ("; Secure" if self.secure else "")

    # -- the page -----------------------------------------------------------------------
    def _static(self, method: str, path: str) -> Response:
        if method != "GET":
            raise BadRequest("the page is only read (GET).", 405)
        name = "index.html" if path in ("/", "/index.html") else path.lstrip("/")
        found = self._files.get(name)
        if found is None:
            raise BadRequest("there is no such page.", 404)
        data, content_type = found
        return Response(200, data, content_type, {"Cache-Control": "no-cache"})

    # -- the live feed ------------------------------------------------------------------
    def _live(self, token: str, last_id: str | None) -> Stream:
        with self._lock:
            if self._streams >= self.max_streams:
                raise BadRequest("too many live screens are open; close one.", 503)
            self._streams += 1
        try:
            seq = int(last_id) if last_id and last_id.isdigit() else self.feed.last
        except ValueError:
            seq = self.feed.last
        seq = min(seq, self.feed.last)      # an id from before a restart: from now on
        return Stream(self._events(token, seq), on_close=self._stream_closed)

    def _stream_closed(self) -> None:
        with self._lock:
            self._streams -= 1

    def _events(self, token: str, seq: int):
        yield f"retry: 1000\nevent: hello\ndata: {self.boot}\n\n".encode()
        started = last_beat = self.now()
        while not self.closing.is_set():
            now = self.now()
            if now - started > STREAM_MAX_S:
                return
            items, missed = self.feed.since(seq)
            if missed:
                yield b"event: reload\ndata: {}\n\n"
            if items:
                seq = items[-1][0]
                body = json.dumps([i[1:] for i in items], separators=(",", ":"))
                yield f"id: {seq}\ndata: {body}\n\n".encode()
            elif now - last_beat >= HEARTBEAT_S:
                if not self.gate.alive(token):
                    yield b"event: signedout\ndata: {}\n\n"
                    return
                last_beat = now
                yield f"event: beat\ndata: {self.boot}\n\n".encode()
            self.closing.wait(POLL_S)

    def status(self) -> dict:
        with self._lock:
            return {"live_streams": self._streams, **self.gate.status()}


def _load_static() -> dict[str, tuple[bytes, str]]:
    """Every file of ``static/`` in memory (a few tens of KB), by name."""
    files = {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] \
                or "application/octet-stream"
            files[path.relative_to(STATIC).as_posix()] = (path.read_bytes(), kind)
    return files
