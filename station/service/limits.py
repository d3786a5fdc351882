"""Limits of the control socket: what a request may be, and how many may wait at once.

The control socket is local (a Unix socket, mode 0660), but anything that can open it
must not be able to stop the station: thousands of idle connections, a request sent a
byte a minute, a 64 KB nest of brackets, NaN where a number belongs, or arguments a
command does not take. Each gets a plain one-line refusal and costs a bounded amount:

* at most ``MAX_CONNECTIONS`` requests are served at once; one more is answered
  "busy" straight away and closed (``station status`` retries briefly);
* a request must arrive whole within ``REQUEST_DEADLINE_S`` and be at most
  ``MAX_REQUEST`` bytes of UTF-8 JSON, nested at most ``MAX_DEPTH`` deep, without
  NaN or Infinity, shaped ``{"cmd": NAME, "args": {...}}``;
* the arguments must fit the handler's signature and annotated types (an ``int`` is a
  whole number, a ``str`` at most ``MAX_TEXT`` characters, a ``float`` finite).
"""

from __future__ import annotations

import inspect
import json
import math
import socket
import time
import typing
from collections.abc import Callable
from typing import Any

from station.core.jsondepth import depth

MAX_CONNECTIONS = 16
REQUEST_DEADLINE_S = 2.0
MAX_REQUEST = 64 * 1024
MAX_DEPTH = 16
MAX_TEXT = 4096
BUSY = "the station is busy (too many requests at once); try again in a moment."


class RequestError(ValueError):
    """A request the station refuses; ``str()`` is the plain-words reply."""


def read_request(conn: socket.socket, deadline_s: float = REQUEST_DEADLINE_S) -> bytes:
    """One line from ``conn``, whole within ``deadline_s`` (not per byte: a trickle of
    bytes cannot keep a connection forever), at most ``MAX_REQUEST`` bytes."""
    end = time.monotonic() + deadline_s
    data = b""
    while not data.endswith(b"\n"):
        left = end - time.monotonic()
        if left <= 0:
            raise RequestError(f"the request did not arrive within {deadline_s:g} s.")
        conn.settimeout(left)
        try:
            chunk = conn.recv(4096)
        except TimeoutError:
            raise RequestError(f"the request did not arrive within {deadline_s:g} s.") from None
        if not chunk:
            break
        data += chunk
        if len(data) > MAX_REQUEST:
            raise RequestError(f"the request is longer than {MAX_REQUEST // 1024} KB.")
    return data


def _no_constant(name: str) -> Any:
    raise RequestError(f"{name} is not a number the station accepts.")


def parse_request(data: bytes) -> tuple[str, dict]:
    """``(cmd, args)`` of a request line; RequestError in plain words otherwise."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise RequestError("the request is not UTF-8 text.") from None
    if not text.strip():
        raise RequestError("the request is empty.")
    if depth(text) > MAX_DEPTH:
        raise RequestError(f"the request is nested more than {MAX_DEPTH} levels deep.")
    try:
        request = json.loads(text, parse_constant=_no_constant)
    except RequestError:
        raise
    except (ValueError, RecursionError):
        raise RequestError("the request is not one JSON object on one line.") from None
    if not isinstance(request, dict) or not isinstance(request.get("cmd"), str):
        raise RequestError('a request is {"cmd": NAME, "args": {...}}.')
    args = request.get("args")
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise RequestError("the request's args must be an object of name: value.")
    return request["cmd"], args


def check_args(cmd: str, handler: Callable[..., Any], args: dict) -> None:
    """Raise RequestError unless ``handler(**args)`` fits its signature and types."""
    try:
        sig = inspect.signature(handler)
    except (TypeError, ValueError):
        return
    try:
        bound = sig.bind(**args)
    except TypeError as exc:
        allowed = [p for p in sig.parameters if sig.parameters[p].kind in
                   (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)]
        raise RequestError(f"the command '{cmd}' was given the wrong arguments ({exc}); it "
                           f"takes: {', '.join(allowed) or 'nothing'}.") from None
    try:
        hints = typing.get_type_hints(handler)
    except Exception:    # an annotation this check cannot read: the handler checks itself
        hints = {}
    for name, value in bound.arguments.items():
        param = sig.parameters[name]
        if param.kind in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL):
            continue
        problem = _type_problem(value, hints.get(name))
        if problem:
            raise RequestError(f"the command '{cmd}': '{name}' {problem}.")


def _type_problem(value: Any, hint: Any) -> str | None:
    if hint is None or hint is Any:
        return None
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union,
                                                                    _union_type()) else (hint,)
    if value is None:
        return None if type(None) in options else "must be given"
    for option in options:
        if option is bool and isinstance(value, bool):
            return None
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return None if abs(value) < 1 << 53 else "is too large"
        if option is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return None if math.isfinite(value) else "must be a finite number"
        if option is str and isinstance(value, str):
            return None if len(value) <= MAX_TEXT else f"is longer than {MAX_TEXT} characters"
        if option not in (bool, int, float, str, type(None)):
            return None      # a type this check does not know: the handler checks it
    names = {bool: "true or false", int: "a whole number", float: "a number", str: "text"}
    wanted = " or ".join(names.get(o, getattr(o, "__name__", str(o))) for o in options
                         if o is not type(None))
    return f"must be {wanted}"


def _union_type():
    import types
    return types.UnionType


# The simulator's "sim" command (tests and demos drive a sim daemon's world with it):
# only these world actions, with these arguments (required first, then optional).
SIM_ACTIONS = {
    "touch": (("address", "electrode"), ("strength",)),
    "release": (("address", "electrode"), ()),
    "stick": (("address", "electrode"), ()),
    "unstick": (("address", "electrode"), ()),
    "unplug": (("address",), ()),
    "plug": (("address",), ()),
    "press": (("name",), ()),
    "unpress": (("name",), ()),
}


def sim_call(world, action: str, args: dict) -> None:
    """Do ``action`` in the simulated world, or raise StationError in plain words."""
    from station.core.errors import StationError
    if action not in SIM_ACTIONS:
        raise StationError(f"the simulator has no action '{str(action)[:30]}'; actions: "
                           f"{', '.join(SIM_ACTIONS)}.")
    need, may = SIM_ACTIONS[action]
    missing = [k for k in need if k not in args]
    extra = [k for k in args if k not in need + may]
    if missing or extra:
        raise StationError(f"the simulator's '{action}' takes {', '.join(need + may)}"
                           f"{'; missing ' + ', '.join(missing) if missing else ''}"
                           f"{'; not ' + ', '.join(str(k)[:20] for k in extra) if extra else ''}.")
    for key in ("address", "electrode"):
        if key in args and (isinstance(args[key], bool) or not isinstance(args[key], int)):
            raise StationError(f"the simulator's '{key}' must be a whole number.")
    if "electrode" in args and not 0 <= args["electrode"] <= 11:
        raise StationError("the simulator's electrode must be 0..11.")
    if "strength" in args and (isinstance(args["strength"], bool) or not isinstance(
            args["strength"], (int, float)) or not 0 < args["strength"] <= 2):
        raise StationError("the simulator's strength must be a number above 0, at most 2.")
    if "name" in args and not isinstance(args["name"], str):
        raise StationError("the simulator's button name must be text.")
    try:
        getattr(world, action)(**args)
    except KeyError:                 # no such board or button in this station
        what = (f"board {args['address']:#x}" if "address" in args
                else f"button '{str(args.get('name'))[:30]}'")
        raise StationError(f"the simulated station has no {what}.") from None
    except (IndexError, ValueError) as exc:   # an electrode or fault its board's chip has not
        raise StationError(f"the simulated station: {exc}.") from None
