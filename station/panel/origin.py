"""Which requests come from the panel's own page: the Host and Origin checks, and cookies.

A browser on the clinic's network visits other web sites too. Any of their pages can make
the browser POST to the panel's address (a form, ``fetch`` with ``mode: no-cors``); the
panel's SameSite=Strict cookie keeps such a request signed out, but a sign-in attempt
needs no cookie: before these checks, a foreign page could send wrong PINs and lock the
therapist out. So every ``/api/`` request is checked *before* sign-in:

* ``Host`` must name this machine: an IP address (what the panel's URL shows), ``localhost``
  or this machine's host name (with or without ``.local``). A foreign name is a DNS
  rebinding attempt: a page of ``evil.example`` whose name now points at the station.
* on a POST, ``Origin`` (sent by every browser on a cross-origin POST) must be the very
  address the request was sent to, and ``Sec-Fetch-Site``, when sent, must say
  ``same-origin`` (or ``none``: typed by the user). A client that sends neither (curl, the
  tests) is not a web page and passes.

``session_tokens`` reads the panel's cookie out of a ``Cookie`` header that may carry
other applications' cookies for the same host in any shape (an unterminated quote, a
space, non-ASCII): those are skipped, never a reason to sign the panel out.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from station.panel.limits import BadRequest

SAFE_FETCH_SITES = {"same-origin", "none"}


def _split_host(value: str) -> tuple[str, str] | None:
    """(host in lower case without brackets, port text) of a Host header, or None."""
    value = value.strip().lower()
    if value.startswith("["):
        host, sep, rest = value[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            return None
        return host, rest[1:]
    host, _, port = value.partition(":") if value.count(":") <= 1 else (value, "", "")
    return host, port


def own_names() -> set[str]:
    """The names by which this machine is reached, besides its IP addresses."""
    names = {"localhost"}
    try:
        name = socket.gethostname().lower()
    except OSError:
        name = ""
    if name:
        names |= {name, name.split(".", 1)[0], name.split(".", 1)[0] + ".local"}
    return names


def host_ok(host: str, names: set[str]) -> bool:
    if host in names or host.endswith(".localhost"):
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_request(method: str, headers, names: set[str]) -> None:
    """``BadRequest(403)`` in plain words for a request from another web page."""
    host_header = headers.get("Host")
    split = _split_host(host_header) if host_header is not None else None
    if host_header is not None and (split is None or not host_ok(split[0], names)):
        raise _foreign(f"it was sent to the name {host_header.strip()[:60]!r}, which is not "
                       f"this station's")
    if method != "POST":
        return
    site = headers.get("Sec-Fetch-Site")
    if site is not None and site.strip().lower() not in SAFE_FETCH_SITES:
        raise _foreign(f"the browser says it came from a {site.strip()[:20]} page")
    origin = headers.get("Origin")
    if origin is None:
        return
    try:
        parts = urlsplit(origin.strip())
        origin_host, origin_port = (parts.hostname or ""), parts.port
        default = {"http": 80, "https": 443}.get(parts.scheme)
    except ValueError:                    # a port that is not a number
        origin_host, origin_port, default = "", None, None
    if split is not None and origin_host and origin_host == split[0] and \
            (origin_port or default) == (int(split[1]) if split[1].isdigit() else default):
        return
    raise _foreign(f"it came from {origin.strip()[:60]!r}")


def _foreign(why: str) -> BadRequest:
    return BadRequest(f"this request came from another web page ({why}); the panel only "
                      f"answers its own page. Open the panel at its own address.", 403)


def session_tokens(header: str | None, name: str) -> list[str]:
    """Every value of the cookie ``name`` in a Cookie header, skipping malformed parts."""
    if not header:
        return []
    tokens = []
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() == name:
            value = value.strip().strip('"')
            if value:
                tokens.append(value)
    return tokens
