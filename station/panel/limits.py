"""What one panel request may carry, and the plain-words answer when it carries more.

Bodies are JSON objects of at most ``MAX_BODY`` bytes and ``MAX_DEPTH`` levels of nesting
(checked before parsing, so a deeply nested body cannot exhaust the parser's stack);
NaN and infinities are refused (JSON has none, Python's parser would accept them).
Every refusal is a ``BadRequest`` with an HTTP status and one plain sentence; nothing
else about the request (or the station's code) goes back to the browser.
"""

from __future__ import annotations

import json

from station.core.jsondepth import depth

MAX_BODY = 16 * 1024       # a note of 2000 characters fits many times over
MAX_DEPTH = 4              # {"changes": {"volume": 0.5}} is depth 2


class BadRequest(Exception):
    """``status`` and one plain sentence for the browser."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_body(raw: bytes) -> dict:
    """The request's JSON object; ``BadRequest`` for anything else."""
    if len(raw) > MAX_BODY:
        raise BadRequest(f"the request is too large (at most {MAX_BODY // 1024} KB).", 413)
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the request is not UTF-8 text.") from None
    if depth(text) > MAX_DEPTH:
        raise BadRequest(f"the request nests too deeply (at most {MAX_DEPTH} levels).")
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadRequest("the request is not valid JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("the request must be a JSON object, like {\"op\": \"start\"}.")
    return data


def field(data: dict, name: str, kind: type | tuple, *, required: bool = True,
          what: str = "", choices: tuple = ()):
    """``data[name]`` if it is of ``kind`` (and among ``choices``), else ``BadRequest``."""
    if name not in data or data[name] is None:
        if required:
            raise BadRequest(f"'{name}' is missing; it must be {what or _kind_words(kind)}.")
        return None
    value = data[name]
    if isinstance(value, bool) and kind is not bool and bool not in (
            kind if isinstance(kind, tuple) else (kind,)):
        raise BadRequest(f"'{name}' must be {what or _kind_words(kind)}, not {value}.")
    if not isinstance(value, kind):
        raise BadRequest(f"'{name}' must be {what or _kind_words(kind)}, not "
                         f"{type(value).__name__}.")
    if choices and value not in choices:
        raise BadRequest(f"'{name}' must be one of {', '.join(map(str, choices))}, not "
                         f"{str(value)[:40]!r}.")
    return value


def _kind_words(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    words = {int: "a whole number", float: "a number", str: "text", bool: "true or false",
             dict: "an object", list: "a list"}
    return " or ".join(words.get(k, k.__name__) for k in kinds)
