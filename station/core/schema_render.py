"""The schema rendered: JSON Schema for editors, Markdown key tables for docs/.

The same ``Field`` definitions that validate a file (``schema``) are rendered here, so
what an editor checks, what docs/ says and what the station accepts cannot disagree:
``schema_document`` is a whole JSON Schema (draft 2020-12) document, ``markdown_rows``
the rows of a ``| key | allowed | default | meaning |`` table, ``replace_generated``
puts a generated part between its markers in a doc. Keys are written as in messages
(``touch.pads[3]``), and what a key allows in the words messages use (``describe``).
"""

from __future__ import annotations

from typing import Any

from station.core.schema import REQUIRED, Field, describe, dotted


def json_schema(f: Field) -> dict:
    """The JSON Schema (draft 2020-12) fragment for ``f``."""
    out: dict[str, Any] = {}
    if f.doc:
        out["description"] = f.doc + (f" ({f.units})" if f.units else "")
    if f.default is not None and f.default is not REQUIRED and not callable(f.default):
        out["default"] = f.default
    k = f.kind
    if k in ("number", "integer"):
        out["type"] = k
        if f.min is not None:
            out["minimum"] = f.min
        if f.max is not None:
            out["maximum"] = f.max
    elif k == "string":
        out["type"] = "string"
    elif k == "date":
        out["type"] = "string"
        out["format"] = "date"
    elif k == "boolean":
        out["type"] = "boolean"
    elif k == "null":
        out["type"] = "null"
    elif k == "choice":
        out["enum"] = list(f.choices)
    elif k == "one_of":
        out["anyOf"] = [json_schema(o) for o in f.options]
    elif k == "list":
        out["type"] = "array"
        if f.min is not None:
            out["minItems"] = int(f.min)
        if f.max is not None:
            out["maxItems"] = int(f.max)
        if f.item:
            out["items"] = json_schema(f.item)
    elif k == "map":
        out["type"] = "object"
        if f.item:
            out["additionalProperties"] = json_schema(f.item)
    elif k == "section":
        out["type"] = ["object", "null"] if f.optional else "object"
        out["additionalProperties"] = False
        out["properties"] = {n: json_schema(s) for n, s in f.fields.items()}
        req = [n for n, s in f.fields.items() if s.required]
        if req:
            out["required"] = req
    return out


def schema_document(f: Field, name: str, title: str) -> dict:
    """A whole JSON Schema document (draft 2020-12) for the file ``f`` describes."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://example.invalid/station/{name}.schema.json",
            "title": f"Adaptive instrument station: {title}", **json_schema(f)}


def replace_generated(text: str, start: str, end: str, generated: str) -> str:
    """``text`` with what lies between the ``start`` and ``end`` markers replaced."""
    a, b = text.index(start), text.index(end)
    return text[:a + len(start)] + "\n" + generated + "\n" + text[b:]


def markdown_rows(f: Field, path: tuple = ()) -> list[str]:
    """Table rows ``| key | allowed | default | meaning |`` for every key under ``f``."""
    rows = []
    for name, sub in f.fields.items():
        p = path + (name,)
        default = "required" if sub.required else (
            "—" if sub.default is None or callable(sub.default) else f"`{sub.default}`")
        rows.append(f"| `{dotted(p)}` | {describe(sub)} | {default} | {sub.doc} |")
        if sub.kind == "section":
            rows.extend(markdown_rows(sub, p))
    return rows
