"""The text of a profile edit: only the changed values' characters change.

A therapist's file has its own layout: four-space indents, goal items written ``-   id:``,
long lines wrapped by hand, comments after values. Dumping the whole document again
(ruamel's round trip) re-indented ``goals:`` and joined wrapped lines, so
``edited_text`` works on the text itself: ruamel only says where each value to change
starts (line and column); the value's characters there are replaced, a missing key is
inserted under its section header at the section's own indentation, a missing section is
appended at the end. The result is then read back with the station's YAML reader and must
equal the old document with exactly the changes applied; when it does not (a value the
text edit cannot reach safely: a block scalar, a wrapped value, an anchor), the whole
document is dumped by ruamel instead, with the file's indentation, and checked the same
way. Nothing else of the file changes.
"""

from __future__ import annotations

import copy
import io
import json
import re
from pathlib import Path

import yaml as pyyaml

from station.core.errors import ProfileError
from station.core.yamlfile import parse_yaml

PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+-]*( [A-Za-z0-9_.+-]+)*$")


def edited_text(raw: bytes, data: dict, targets: list[tuple[str, str, object]],
                path: Path) -> bytes:
    """``raw`` with each (section, key, value) of ``targets`` set; ``ProfileError`` when no
    safe edit exists (the file is then to be edited by hand)."""
    text = raw.decode("utf-8")
    expected = copy.deepcopy(data)
    for section, key, value in targets:
        if not isinstance(expected.get(section), dict):
            expected[section] = {}
        expected[section][key] = value
    for attempt in (_in_place, _rewritten):
        new = attempt(text, targets)
        if new is not None and _reads_as(new, expected, path):
            return new.encode("utf-8")
    raise ProfileError(f"{path}: this change cannot be made without disturbing the file; "
                       f"edit it by hand.")


def _reads_as(text: str, expected: dict, path: Path) -> bool:
    try:
        return parse_yaml(text.encode("utf-8"), path, ProfileError, "client profile").data \
            == expected
    except ProfileError:
        return False


def _load(text: str):
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    try:
        return YAML(typ="rt").load(text)
    except YAMLError:
        return None


def _in_place(text: str, targets) -> str | None:
    from ruamel.yaml.comments import CommentedMap
    doc = _load(text)
    if not isinstance(doc, CommentedMap):
        return None
    lines = text.splitlines(keepends=True)
    replace: list = []
    insert: list = []
    append: dict = {}
    for section, key, value in targets:
        sec = doc.get(section)
        if sec is None and section not in doc:
            append.setdefault(section, []).append((key, value))
            continue
        if not isinstance(sec, CommentedMap):
            return None
        if key in sec:
            line, col = sec.lc.value(key)
            end = _scalar_end(lines[line], col, bool(sec.fa.flow_style()))
            if end is None:
                return None
            replace.append((line, col, end, _scalar(value)))
        elif sec.fa.flow_style() or not sec:
            return None
        else:
            first = next(iter(sec))
            header = doc.lc.key(section)[0]
            insert.append((header, " " * sec.lc.key(first)[1] + f"{key}: {_scalar(value)}\n"))
    for line, col, end, new in sorted(replace, reverse=True):
        lines[line] = lines[line][:col] + new + lines[line][end:]
    for header, new in sorted(insert, reverse=True):
        lines.insert(header + 1, new)
    if append:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += "\n"
        indent = " " * _mapping_indent(text)
        for section, items in append.items():
            lines.append(f"{section}:\n")
            lines.extend(f"{indent}{key}: {_scalar(value)}\n" for key, value in items)
    return "".join(lines)


def _scalar_end(src: str, col: int, flow: bool) -> int | None:
    """Where the one-line scalar starting at ``src[col]`` ends, or None."""
    if col >= len(src):
        return None
    c = src[col]
    if c == "'":
        i = col + 1
        while (j := src.find("'", i)) >= 0:
            if src[j + 1:j + 2] != "'":
                return j + 1
            i = j + 2
        return None
    if c == '"':
        i = col + 1
        while (j := src.find('"', i)) >= 0:
            slashes = len(src[:j]) - len(src[:j].rstrip("\\"))
            if slashes % 2 == 0:
                return j + 1
            i = j + 1
        return None
    if c in "|>[{&*!\n\r":
        return None
    i, stop = col, len(src.rstrip("\r\n"))
    while i < stop and not (flow and src[i] in ",}]") and \
            not (src[i] == "#" and src[i - 1] in " \t"):
        i += 1
    while i > col and src[i - 1] in " \t":
        i -= 1
    return i


def _scalar(value: object) -> str:
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text or "n" in text:
            text = f"{value:.12f}".rstrip("0")
            text += "0" if text.endswith(".") else ""
        return text
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if PLAIN.match(text) and pyyaml.safe_load(text) == text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _mapping_indent(text: str) -> int:
    """The indentation of the file's first block mapping's keys (2 if it has none)."""
    found = re.search(r"(?m)^[A-Za-z_][\w-]*:[ \t]*(?:#.*)?\n((?:[ \t]*(?:#.*)?\n)*)( +)[\w-]",
                      text)
    return len(found.group(2)) if found else 2


def _rewritten(text: str, targets) -> str | None:
    """ruamel's whole-document dump, in the file's indentation (the fall-back)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    doc = _load(text)
    if not isinstance(doc, CommentedMap):
        return None
    for section, key, value in targets:
        if doc.get(section) is None:
            doc[section] = CommentedMap()
        elif not isinstance(doc[section], dict):
            return None
        doc[section][key] = value
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096                         # never re-wrap the therapist's long lines
    indent = _mapping_indent(text)
    dash = re.search(r"(?m)^( *)[\w-]+:[ \t]*\n( *)- ", text)
    offset = max(0, len(dash.group(2)) - len(dash.group(1))) if dash else 0
    yaml.indent(mapping=indent, sequence=max(indent, offset + 2), offset=offset)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()
