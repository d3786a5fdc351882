"""Hypothesis strategies for fuzzing what people (and programs) give the station: YAML
files made from a valid one by one or a few wrong edits, raw bytes that look like YAML,
and JSON values. Every fuzz test asserts the same thing: a plain refusal (a StationError
with the file, and its line where a line exists) or success; never another exception,
never exit 70."""

from __future__ import annotations

import copy
import os
import re

import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# The suite runs a fixed, repeatable set (a CI run never flakes on a new find); to hunt
# longer: STATION_FUZZ_EXAMPLES=5000 STATION_FUZZ_RANDOM=1 pytest tests -k fuzz
EXAMPLES = int(os.environ.get("STATION_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                derandomize="STATION_FUZZ_RANDOM" not in os.environ,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-2**70, max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0, -1, 1e308, 10**400,
                     0x5A, 13,
                     "", " ", "alex", "../alex", "/etc/shadow", "c-1234abcd", "0x5A",
                     "\x1b[31mred", "é" * 3, "x" * 300, "yes", "~", "- a",
                     # values that mean something somewhere: wrong in the other places
                     0x5B, 0x5C, 0x5D, 0x5E, 0, 6, 7, 11, 12, 16, 127, 128, 0.5, 2.0,
                     "next_turn", "all_quiet", "p1_switch", "p7_switch", "nope", "sam",
                     "jo", "kim", "round_robin", "touch", "press", "use_client", "unplug",
                     "session_stop", "turn_set", "phase", "drums", "chords", "song",
                     "C", "H#", "major", "latch", "hw:0", "jack", "poll"]),
    st.text(max_size=30),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=12), st.integers(-3, 20)), inner, max_size=4)),
    max_leaves=12)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


def _set(data, path, value):
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _drop(data, path):
    if not path:
        return data
    node = data
    for part in path[:-1]:
        node = node[part]
    if isinstance(node, dict):
        node.pop(path[-1], None)
    elif isinstance(node, list) and path[-1] < len(node):
        del node[path[-1]]
    return data


@st.composite
def edited(draw, base: dict, max_edits: int = 3, values=None, hows=None, depth: int = 0):
    """``base`` after 1..max_edits edits: a value replaced, a key removed, a key added
    (``hows`` limits the kinds; ``values`` the replacements; ``depth`` the least depth
    of an edited key, 3 for a key inside an event of a scenario)."""
    data = copy.deepcopy(base)
    values = values or VALUES
    for _ in range(draw(st.integers(1, max_edits))):
        paths = [p for p in _paths(data) if len(p) >= depth] or [()]
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(hows or ["replace", "replace", "drop", "add"]))
        if how == "replace":
            data = _set(data, path, draw(values))
        elif how == "drop":
            data = _drop(data, path)
        else:
            node = data
            for part in path:
                node = node[part]
            if isinstance(node, dict):
                node[draw(st.text(max_size=10))] = draw(values)
            elif isinstance(node, list):
                node.append(draw(values))
    return data


def dump(data) -> str:
    """YAML text of ``data`` (one key per line, so problems have their own lines)."""
    return yaml.safe_dump(data, default_flow_style=False, allow_unicode=True, sort_keys=False)


YAMLISH = st.lists(st.one_of(
    st.sampled_from(["key: value", "- item", "  nested: 1", "a: [1, 2", "{", "}", "? x",
                     "&a [1]", "*a", "!!python/object:os.system", "!!binary AAAA",
                     "\t- tab", "%YAML 1.1", "---", "...", "b: &b {c: *b}", "'quote",
                     "x: .nan", "y: -.inf", "z: 1e999", "k: 0x5A", "k: 0x5A"]),
    st.text(max_size=20)), max_size=12).map(lambda lines: "\n".join(lines) + "\n")

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2**64, 2**64),
              st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=10)

LINE = re.compile(r"\.yaml:\d+")


def plain(message: str, path) -> bool:
    """A plain refusal: names the file, one or a few lines, no Python internals."""
    return (str(path) in message and "Traceback" not in message
            and "object at 0x" not in message)
