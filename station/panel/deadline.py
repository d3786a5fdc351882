"""Reading one request within its deadline, and its body exactly as long as it says.

``http.server`` bounds each read of a connection by the socket's timeout, so a client that
sends one byte just before each timeout holds a worker slot for ever (a slow loris; 16 of
them kept the panel answering 503). ``DeadlineReader`` bounds every read by what is left of
the request's own deadline instead; the server sets that deadline when it starts waiting
for a request and clears it once the body is read (answers are written under the plain
per-write timeout). ``read_body`` reads exactly ``Content-Length`` bytes and refuses, in
plain words, a body that is missing, too large or shorter than announced.
"""

from __future__ import annotations

import io
import time

from station.panel.limits import MAX_BODY, BadRequest


class DeadlineReader(io.RawIOBase):
    """A socket's bytes; while ``deadline`` (time.monotonic seconds) is set, no read waits
    past it, and none ever waits more than ``idle_s`` seconds."""

    def __init__(self, sock, idle_s: float) -> None:
        super().__init__()
        self.sock = sock
        self.idle_s = idle_s
        self.deadline: float | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request's deadline passed")
            self.sock.settimeout(min(left, self.idle_s))
        return self.sock.recv_into(buffer)


def read_body(rfile, headers) -> bytes:
    """The request's body (``b""`` without one); ``BadRequest`` in plain words otherwise."""
    if headers.get("Transfer-Encoding"):
        raise BadRequest("send the request with a Content-Length.", 411)
    try:
        length = int(headers.get("Content-Length") or 0)
    except ValueError:
        raise BadRequest("the Content-Length is not a number.") from None
    if length < 0 or length > MAX_BODY:
        raise BadRequest(f"the request is too large (at most {MAX_BODY // 1024} KB).", 413)
    if not length:
        return b""
    try:
        body = rfile.read(length)
    except (TimeoutError, ConnectionError):      # the deadline passed, or the client left
        body = b""
    if len(body) < length:
        raise BadRequest(f"the request's body is shorter than its Content-Length ({length} "
                         f"bytes); send the whole body.")
    return body
