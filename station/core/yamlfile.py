"""Reading YAML written by people: safely, and with positions for every key.

``read_yaml(path)`` returns the data plus a map from key path (``("touch", "dwell_ms")``)
to the 1-based line where it was written, so validation errors can say
``alex.yaml:7: touch.dwell_ms ...``. Everything that can go wrong in the file itself
(not UTF-8, too big, a device or pipe, empty, bad syntax, python tags, alias bombs and
loops, nesting bombs, a key written twice) becomes a ``what`` error (ProfileError, ConfigError,
ScenarioError...) with the file and line in plain words. Files are read through
``station.core.files.read_limited``: the size is checked before a byte is read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from station.core.files import read_limited

MAX_BYTES = 256 * 1024          # a profile is a page of text; anything bigger is a mistake
MAX_ALIASES = 64                # anchors/aliases are allowed a little, never as a bomb
MAX_NODES = 20_000              # after alias expansion
MAX_DEPTH = 40                  # nesting of sections and lists (PyYAML recurses on it)


@dataclass(frozen=True)
class YamlDoc:
    """Parsed YAML: ``data`` plus ``lines[key_path] -> line`` (1-based)."""

    path: Path
    data: Any
    lines: dict[tuple, int]

    def where(self, key_path: tuple) -> str:
        """``file:line`` of the nearest written ancestor of ``key_path``."""
        for n in range(len(key_path), -1, -1):
            line = self.lines.get(tuple(key_path[:n]))
            if line is not None:
                return f"{self.path}:{line}"
        return str(self.path)

    def problem_lines(self, problems: list[tuple[tuple, str]]) -> list[str]:
        """``file:line: message`` for each (key path, message), in file order."""
        located = [(self.where(p), msg) for p, msg in problems]
        located.sort(key=lambda wm: int(wm[0].rsplit(":", 1)[-1])
                     if wm[0].rsplit(":", 1)[-1].isdigit() else 0)
        return [f"{where}: {msg}" for where, msg in located]


def read_yaml(path: str | Path, error: type[Exception], what: str = "file") -> YamlDoc:
    """Read and parse ``path``; raise ``error(message)`` for any problem with the file."""
    path = Path(path)
    return parse_yaml(read_limited(path, MAX_BYTES, error, what), path, error, what)


def parse_yaml(raw: bytes, path: Path, error: type[Exception], what: str = "file") -> YamlDoc:
    """Parse bytes already read from ``path`` (see ``read_yaml``)."""
    if len(raw) > MAX_BYTES:
        raise error(f"{path}: is {len(raw) // 1024} KB; a {what} must be under "
                    f"{MAX_BYTES // 1024} KB. Is this the right file?")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(f"{path}:{line}: is not UTF-8 text (byte {exc.start}). Save the file "
                    f"as UTF-8 in your editor.") from None
    if not text.strip() or all(
        not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()
    ):
        hint = "Start from a template (station profile new ID)" \
            if what == "client profile" else "Restore it from a backup or the station's copy"
        raise error(f"{path}: the {what} is empty. {hint}.")
    try:
        node = _Replay(_check_events(text, path, error)).get_single_node()
        data = _construct(node)  # safe: no python tags, ever
    except error:
        raise
    except yaml.MarkedYAMLError as exc:
        raise error(_syntax_message(exc, path, what)) from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: is not valid YAML ({_short(exc)}).") from None
    except ValueError as exc:
        digits = re.search(r"[0-9_]{1000,}", text)
        if digits:      # a number of thousands of digits: int() refuses it
            raise error(f"{path}:{text.count(chr(10), 0, digits.start()) + 1}: holds a number "
                        f"with thousands of digits; write a plain number.") from None
        raise error(_bad_date(node, path, exc)) from None   # PyYAML builds dates itself
    lines: dict[tuple, int] = {}
    twice: list[tuple[Any, int, int]] = []
    if node is not None:
        _collect_lines(node, (), lines, [0], twice)
    if twice:
        key, first, again = twice[0]
        more = f" ({len(twice) - 1} more key(s) are written twice too)" if len(twice) > 1 else ""
        raise error(f"{path}:{again}: '{_short(key, 40)}' is written twice in the same "
                    f"section (first at line {first}); YAML would silently keep only the "
                    f"last one. Keep one of them.{more}")
    return YamlDoc(path, data, lines)



class _Replay(yaml.composer.Composer, yaml.resolver.Resolver):
    """``yaml.compose`` of SafeLoader, from the events ``_check_events`` already parsed:
    the text is parsed once, not three times (the check, the nodes, the data), and every
    error comes in the same order as when each step parsed it again."""

    def __init__(self, events: list) -> None:
        self._events, self._next = events, 0
        yaml.composer.Composer.__init__(self)
        yaml.resolver.Resolver.__init__(self)

    def check_event(self, *choices) -> bool:
        if self._next >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._next], choices)

    def peek_event(self):
        return self._events[self._next] if self._next < len(self._events) else None

    def get_event(self):
        self._next += 1
        return self._events[self._next - 1]


def _construct(node: yaml.Node | None) -> Any:
    """What ``yaml.safe_load`` builds, from the document already composed."""
    return None if node is None else yaml.SafeLoader("").construct_document(node)


def _bad_date(node, path: Path, exc: Exception) -> str:
    """Where a date that does not exist (2024-02-30) was written, in plain words."""
    import datetime as dt
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, yaml.ScalarNode) and n.tag.endswith(":timestamp"):
            try:
                dt.date.fromisoformat(n.value[:10])
            except ValueError:
                return (f"{path}:{n.start_mark.line + 1}: '{n.value}' is not a date that "
                        f"exists ({exc}). Write a real date as YYYY-MM-DD.")
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for pair in n.value for v in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return f"{path}: a value cannot be read ({exc})."


def _short(value: Any, limit: int = 80) -> str:
    """A short, printable fragment of ``value`` for a message (never a whole file)."""
    text = "".join(c if c.isprintable() else "?" for c in str(value))
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _check_events(text: str, path: Path, error: type[Exception]) -> list:
    """Every parser event of ``text`` (for ``_Replay``), once none is a loop, an alias
    bomb or a nesting bomb."""
    aliases = depth = 0
    open_anchors: list[str | None] = []       # anchors of the sections being read
    events = []
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        events.append(event)
        if isinstance(event, yaml.AliasEvent) and event.anchor in open_anchors:
            raise error(f"{path}:{event.start_mark.line + 1}: '*{_short(event.anchor, 20)}' "
                        f"refers to the section that contains it (a loop); write the values "
                        f"out instead.")
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                line = event.start_mark.line + 1
                raise error(f"{path}:{line}: uses more than {MAX_ALIASES} YAML aliases (*name). "
                            f"That looks like an 'alias bomb'; write the values out instead.")
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_anchors.append(event.anchor)
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise error(f"{path}:{line}: is nested more than {MAX_DEPTH} levels deep; "
                            f"no station file needs that. Is this the right file?")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            open_anchors.pop()
            depth -= 1
    return events


def _syntax_message(exc: yaml.MarkedYAMLError, path: Path, what: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    problem = exc.problem or "invalid YAML"
    if "constructor" in problem or (exc.problem and "tag" in exc.problem):
        return (f"{where}: uses a YAML tag this {what} may not contain ({problem}). "
                f"Remove the '!!...' tag; plain values are enough.")
    hint = ""
    if "tab" in problem or "'\\t'" in problem:
        hint = " Use spaces, not tabs, to indent."
    elif "mapping values" in problem:
        hint = " A ':' may be missing a space after it, or the indentation is off."
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = " Check the indentation of this line and the one before it."
    return f"{where}: YAML syntax error: {problem}.{hint}"


def _collect_lines(node: yaml.Node, key_path: tuple, out: dict, count: list[int],
                   twice: list) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        return
    out.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            key = _plain_key(key_node, key)
            line = key_node.start_mark.line + 1
            if key in seen and key_node.tag != "tag:yaml.org,2002:merge":
                twice.append((key, seen[key], line))
            seen.setdefault(key, line)
            out[key_path + (key,)] = line
            _collect_lines(value_node, key_path + (key,), out, count, twice)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_lines(item, key_path + (i,), out, count, twice)


def _plain_key(node: yaml.Node, key: Any) -> Any:
    # Integer keys (player numbers, pad numbers) are written bare: match the loaded data.
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        try:
            return int(node.value, 0)
        except ValueError:
            return key
    return key
