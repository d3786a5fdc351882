"""Declarative definitions of YAML files: one source for validation, JSON Schema and docs.

A ``Field`` says what a value may be (type, range, choices, default, units, meaning).
``validate`` walks data against it and collects *every* problem as a plain sentence
naming the key path (``touch.dwell_ms``), the bad value and what is allowed; unknown
keys get a "did you mean" suggestion. ``schema_render`` renders the same definitions as
JSON Schema for editors and as tables for docs/, so the three can never disagree.

Numbers are finite (``.nan`` and ``.inf`` are refused everywhere). Messages quote at most
a short, printable fragment of what was written, and a file yields at most
``MAX_PROBLEMS`` problems: a file that is not what it should be (``/etc/passwd`` given as
a profile) is refused without being echoed back.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
from dataclasses import dataclass
from dataclasses import field as dc_field
from collections.abc import Callable
from typing import Any

REQUIRED = object()   # marker: the key must be written
MAX_PROBLEMS = 20     # then "and more": a wrong file is not echoed back line by line
MAX_KEY_TEXT = 40     # characters of an unknown key shown in a message


@dataclass(frozen=True)
class Field:
    """One value in a YAML file.

    kind: number | integer | string | boolean | null | choice | list | section | map | one_of |
    date | any  (a date is written YYYY-MM-DD and normalised to that text)
    """

    kind: str
    doc: str = ""
    default: Any = None
    units: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple = ()
    item: Field | None = None                          # list items, map values
    key: Field | None = None                           # map keys
    fields: dict[str, Field] = dc_field(default_factory=dict)   # section members
    options: tuple[Field, ...] = ()                    # one_of alternatives
    check: Callable[[Any], str | None] | None = None     # extra rule: message or None
    example: Any = None
    optional: bool = False       # a section that may be left out (or null): then None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def dotted(path: tuple) -> str:
    """``("touch", "pads", 3)`` -> ``touch.pads[3]``."""
    out = ""
    for part in path:
        part = part if isinstance(part, int) else fragment(part, MAX_KEY_TEXT)
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def fragment(value: Any, limit: int = 60) -> str:
    """``value`` as a short printable fragment for a message: control characters become
    '?', and anything longer than ``limit`` characters is cut with '...'."""
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text if len(text) <= limit else text[:max(1, limit - 3)] + "..."


def suggest(word: str, choices) -> str:
    """`` (did you mean 'x'?)`` or ``""``."""
    word = str(word)
    if len(word) > 100:
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _show(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return f"a {'section' if isinstance(value, dict) else 'list'} of {len(value)}"
    return fragment(repr(value) if isinstance(value, str) else value, 60)


def _range_text(f: Field) -> str:
    unit = f" {f.units}" if f.units and ".." not in f.units else ""
    if f.min is not None and f.max is not None:
        return f"{_num(f.min)} to {_num(f.max)}{unit}"
    if f.min is not None:
        return f"at least {_num(f.min)}{unit}"
    if f.max is not None:
        return f"at most {_num(f.max)}{unit}"
    return ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def describe(f: Field) -> str:
    """What ``f`` accepts, in words (used in messages and docs)."""
    if f.kind in ("number", "integer"):
        base = "a whole number" if f.kind == "integer" else "a number"
        rng = _range_text(f)
        return f"{base} from {rng}" if rng and "to" in rng else (f"{base} ({rng})" if rng else base)
    if f.kind == "choice":
        return "one of " + ", ".join(str(c) for c in f.choices)
    if f.kind == "one_of":
        return " or ".join(describe(o) for o in f.options)
    if f.kind == "list":
        return f"a list, each {describe(f.item)}" if f.item else "a list"
    if f.kind == "section":
        return "a section (key: value lines)"
    if f.kind == "map":
        return "a set of 'key: value' entries"
    if f.kind == "date":
        return "a date written YYYY-MM-DD, not in the future"
    return {"null": "null (nothing)", "string": "text", "boolean": "true or false",
            "any": "any value"}.get(f.kind, f.kind)


def validate(value: Any, f: Field, path: tuple, problems: list[tuple[tuple, str]]) -> Any:
    """Return the normalised value; append ``(path, message)`` for each problem."""
    here = dotted(path)

    def bad(msg: str) -> None:
        _problem(problems, path, msg)
    k = f.kind
    if k == "any":
        return value
    if k == "null":
        if value is not None:
            bad(f"{here} is {_show(value)}; it must be empty (null).")
        return None
    if k == "one_of":
        for option in f.options:
            trial: list = []
            out = validate(value, option, path, trial)
            if not trial:
                return out
        bad(f"{here} is {_show(value)}; it must be {describe(f)}.")
        return None
    if k == "section":
        if value is None and f.optional:
            return None
        if value is None:
            value = {}
        if not isinstance(value, dict):
            bad(f"{here} must be a section: 'key: value' lines indented under it, "
                f"not {_show(value)}.")
            return None
        out = {}
        if not path and value and not any(key in f.fields for key in value):
            # Not this kind of file at all: say so once, without echoing its lines.
            bad(f"none of this file's keys is one this file may have (the first is "
                f"'{fragment(next(iter(value)), 20)}'); allowed: {', '.join(f.fields)}. "
                f"Is this the right file?")
            return None
        for key in value:
            if key not in f.fields:   # reported at the key's own line
                _problem(problems, path + (key,), f"{dotted(path + (key,))} is not a known "
                         f"key{suggest(key, f.fields)}. Allowed here: {', '.join(f.fields)}.")
        for name, sub in f.fields.items():
            if name in value:
                out[name] = validate(value[name], sub, path + (name,), problems)
            elif sub.required:
                bad(f"{dotted(path + (name,))} is missing; it must be {describe(sub)}.")
            elif sub.kind == "section" and not sub.optional:
                out[name] = validate({}, sub, path + (name,), problems)
            else:
                out[name] = sub.default() if callable(sub.default) else sub.default
        return _checked(out, f, path, problems)
    if k == "map":
        if not isinstance(value, dict):
            bad(f"{here} must be {describe(f)}, not {_show(value)}.")
            return None
        out = {}
        for key, item in value.items():
            if f.key is not None:
                key = validate(key, f.key, path + (key,), problems)
            out[key] = validate(item, f.item, path + (key,), problems) if f.item else item
        return _checked(out, f, path, problems)
    if k == "list":
        if not isinstance(value, list):
            bad(f"{here} must be {describe(f)}, written as [a, b, c], not {_show(value)}.")
            return None
        if f.min is not None and len(value) < f.min:
            bad(f"{here} needs at least {_num(f.min)} entries; it has {len(value)}.")
        if f.max is not None and len(value) > f.max:
            bad(f"{here} may have at most {_num(f.max)} entries; it has {len(value)}.")
        out = [validate(v, f.item, path + (i,), problems) if f.item else v
               for i, v in enumerate(value)]
        return _checked(out, f, path, problems)
    if k in ("number", "integer"):
        ok_type = isinstance(value, int) if k == "integer" else isinstance(value, (int, float))
        if isinstance(value, bool) or not ok_type:
            bad(f"{here} is {_show(value)}; it must be {describe(f)}.")
            return None
        # .nan and .inf are valid YAML, never a setting (an int is finite, and may be too
        # big for math.isfinite to take)
        if isinstance(value, float) and not math.isfinite(value):
            bad(f"{here} is {_show(value)}; it must be {describe(f)}, not infinite or "
                f"'not a number'.")
            return None
        if (f.min is not None and value < f.min) or (f.max is not None and value > f.max):
            bad(f"{here} is {_show(value)}; it must be {describe(f)}.")
            return None
        return _checked(value, f, path, problems)
    if k == "boolean":
        if not isinstance(value, bool):
            bad(f"{here} is {_show(value)}; it must be true or false.")
            return None
        return value
    if k == "date":
        day = _date(value)
        if day is None:
            bad(f"{here} is {_show(value)}; it must be {describe(f)} (e.g. 2024-03-01).")
            return None
        if day > _dt.date.today():
            bad(f"{here} is {day.isoformat()}, a date in the future; it must be "
                f"{describe(f)}.")
            return None
        return _checked(day.isoformat(), f, path, problems)
    if k == "string":
        if not isinstance(value, str) or not value.strip():
            bad(f"{here} is {_show(value)}; it must be some text.")
            return None
        return _checked(value, f, path, problems)
    if k == "choice":
        norm = value.strip().lower().replace(" ", "_").replace("-", "_") \
            if isinstance(value, str) else value
        lowered = {str(c).lower(): c for c in f.choices}
        if isinstance(norm, str) and norm in lowered:
            return lowered[norm]
        if value in f.choices:
            return value
        bad(f"{here} is {_show(value)}{suggest(value, f.choices)}; "
            f"it must be {describe(f)}.")
        return None
    raise ValueError(f"schema kind {k!r} unknown")  # a programming error, not user input


def _date(value: Any) -> _dt.date | None:
    """A date from YAML: PyYAML reads 2024-03-01 as a date, "2024-03-01" as text."""
    if isinstance(value, _dt.datetime):
        return None                       # a time of day is not asked for
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _checked(value: Any, f: Field, path: tuple, problems: list) -> Any:
    if f.check is not None and value is not None:
        msg = f.check(value)
        if msg:
            _problem(problems, path, f"{dotted(path)}: {msg}")
    return value


def _problem(problems: list, path: tuple, msg: str) -> None:
    """Append a problem, up to ``MAX_PROBLEMS`` and then one "and more"."""
    if len(problems) < MAX_PROBLEMS:
        problems.append((path, msg))
    elif len(problems) == MAX_PROBLEMS:
        problems.append((path, f"... and more problems after these {MAX_PROBLEMS}; fix these "
                             f"first (is this the right file?)."))
