"""Reading YAML written by people: safely, and with positions for every key.

``read_yaml(path)`` returns the data plus a map from key path (``("touch", "dwell_ms")``)
to the 1-based line where it was written, so validation errors can say
``alex.yaml:7: touch.dwell_ms ...``. Everything that can go wrong in the file itself
(not UTF-8, too big, empty, bad syntax, python tags, alias bombs) becomes a ``what``
error (ProfileError, ConfigError, ScenarioError...) with the file and line in plain words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 256 * 1024          # a profile is a page of text; anything bigger is a mistake
MAX_ALIASES = 64                # anchors/aliases are allowed a little, never as a bomb
MAX_NODES = 20_000              # after alias expansion


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


def read_yaml(path: str | Path, error: type[Exception], what: str = "file") -> YamlDoc:
    """Read and parse ``path``; raise ``error(message)`` for any problem with the file."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error(f"{path}: no such {what}. Check the name and the folder.") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {what} file.") from None
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror}).") from None
    return parse_yaml(raw, path, error, what)


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
        _check_aliases(text, path, error)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)  # safe: no python tags, ever
    except yaml.MarkedYAMLError as exc:
        raise error(_syntax_message(exc, path, what)) from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: is not valid YAML ({exc}).") from None
    except ValueError as exc:      # PyYAML builds dates itself: 2024-02-30 raises here
        if isinstance(exc, error):
            raise
        raise error(_bad_date(node, path, exc)) from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _collect_lines(node, (), lines, [0])
    return YamlDoc(path, data, lines)


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


def _check_aliases(text: str, path: Path, error: type[Exception]) -> None:
    aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                line = event.start_mark.line + 1
                raise error(f"{path}:{line}: uses more than {MAX_ALIASES} YAML aliases (*name). "
                            f"That looks like an 'alias bomb'; write the values out instead.")


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


def _collect_lines(node: yaml.Node, key_path: tuple, out: dict, count: list[int]) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        return
    out.setdefault(key_path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            key = _plain_key(key_node, key)
            out[key_path + (key,)] = key_node.start_mark.line + 1
            _collect_lines(value_node, key_path + (key,), out, count)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_lines(item, key_path + (i,), out, count)


def _plain_key(node: yaml.Node, key: Any) -> Any:
    # Integer keys (player numbers, pad numbers) are written bare: match the loaded data.
    if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int"):
        try:
            return int(node.value, 0)
        except ValueError:
            return key
    return key
