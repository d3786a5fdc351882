"""The layout holds: no import circles, imports only in the declared direction, small modules.

The import graph is computed from the source with ``ast`` (module-level imports and
those inside functions alike), so a late import cannot hide a circle. Each subpackage
declares in its ``__init__`` docstring which rooms it may import ("May import: ...");
the test reads that line, so the docstring and the rule cannot drift apart. Every module
of ``station``, ``hardware`` and ``bench`` is one concept of at most ``MAX_LINES`` lines.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("station", "hardware")
SIZED = ("station", "hardware", "bench")
MAX_LINES = 300     # one concept per module (the house rules: 100-300 lines)
PI_LIBRARIES = ("gpiozero", "RPi", "lgpio", "busio", "board", "digitalio", "adafruit_mpr121",
                "adafruit_blinka", "gpiod", "smbus", "smbus2")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            found[module_name(path)] = path
    return found


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> list[tuple[str, int]]:
    """(imported module, line) for every import of a station/hardware module in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[:len(here) - (node.level - 1)]
                base = ".".join(here + ([base] if base else []))
            # "from a.b import c": c may be a module (a.b.c) or a name in a.b
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:   # "import a.b.c" names a.b.c
                target = target.rpartition(".")[0]
            if target and target != name:
                out.append((target, node.lineno))
    return out


def graph() -> dict[str, list[tuple[str, int]]]:
    modules = all_modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def room(module: str) -> str:
    """The room a module lives in: ``station.<sub>``, ``hardware`` or ``station``."""
    parts = module.split(".")
    if parts[0] == "hardware":
        return "hardware"
    return ".".join(parts[:2]) if len(parts) > 1 and parts[1] not in ("__main__",) else "station"


def declared() -> dict[str, set[str] | None]:
    """Room -> rooms it may import (None: any), from each ``__init__`` docstring."""
    rules: dict[str, set[str] | None] = {}
    inits = list((ROOT / "station").glob("*/__init__.py")) + [ROOT / "hardware/__init__.py"]
    for init in inits:
        doc = ast.get_docstring(ast.parse(init.read_text())) or ""
        # the list may run on to the next line (a long one), up to a blank line
        m = re.search(r"^May import: (.+?)$((?:\n.+$)*)", doc, re.M)
        assert m, f"{init.relative_to(ROOT)}: the docstring must say 'May import: ...'"
        text = " ".join((m.group(1) + m.group(2)).split()).rstrip(".")
        name = room(module_name(init))
        if text.startswith("every subpackage"):
            rules[name] = None
        elif text.startswith("nothing"):
            rules[name] = set()
        else:
            allowed = set()
            for word in re.findall(r"[a-z_.]+", text.split("(")[0]):
                allowed.add(word if word.startswith(("station.", "hardware")) else
                            f"station.{word}")
            rules[name] = allowed
    return rules


def oversized(root: Path, packages=SIZED, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """(path under ``root``, lines) of every .py module of ``packages`` over ``limit``
    lines, longest first."""
    over = []
    for package in packages:
        for path in (root / package).rglob("*.py"):
            lines = len(path.read_text().splitlines())
            if lines > limit:
                over.append((str(path.relative_to(root)), lines))
    return sorted(over, key=lambda o: (-o[1], o[0]))


def find_cycle(edges: dict[str, list[tuple[str, int]]]) -> list[str] | None:
    WHITE, GREY, BLACK = 0, 1, 2
    colour = dict.fromkeys(edges, WHITE)
    stack: list[str] = []

    def visit(m: str) -> list[str] | None:
        colour[m] = GREY
        stack.append(m)
        for target, _ in edges.get(m, ()):
            if colour.get(target) == GREY:
                return stack[stack.index(target):] + [target]
            if colour.get(target) == WHITE:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        colour[m] = BLACK
        return None

    for m in sorted(edges):
        if colour[m] == WHITE:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_circles():
    cycle = find_cycle(graph())
    assert cycle is None, "import circle: " + " -> ".join(cycle)


def test_imports_follow_the_declared_direction():
    rules = declared()
    wrong = []
    for module, targets in graph().items():
        here = room(module)
        allowed = rules.get(here, None) if here != "station" else None
        if here not in rules and here != "station":
            wrong.append(f"{module}: room {here} has no __init__ docstring rule")
            continue
        if allowed is None:
            continue
        for target, line in targets:
            there = room(target)
            if there in (here, "station"):
                continue
            if there not in allowed:
                path = all_modules()[module].relative_to(ROOT)
                may = f"only {', '.join(sorted(allowed))}" if allowed else "nothing"
                wrong.append(f"{path}:{line}: {module} imports {target} ({here} may import "
                             f"{may})")
    assert not wrong, "\n".join(wrong)


def test_station_has_no_modules_of_its_own():
    own = sorted(p.name for p in (ROOT / "station").glob("*.py"))
    assert own == ["__init__.py", "__main__.py"], own


def test_every_module_is_one_concept_of_at_most_300_lines():
    over = oversized(ROOT)
    assert not over, (f"modules over {MAX_LINES} lines; split each into modules of a concept "
                      f"of its own: " + ", ".join(f"{p} ({n})" for p, n in over))


def test_pi_libraries_only_in_hardware():
    wrong = []
    for path in (ROOT / "station").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for n in names:
                if n.split(".")[0] in PI_LIBRARIES:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: imports {n}")
    assert not wrong, "\n".join(wrong)


def test_tests_mirror_the_subpackages():
    rooms = sorted(p.parent.name for p in (ROOT / "station").glob("*/__init__.py"))
    missing = [r for r in rooms if not any((ROOT / "tests" / r).glob("test_*.py"))]
    assert not missing, f"no tests/<room>/ for: {missing}"


# The checker itself must be able to fail: a circle and a wrong-way import it must catch.
def test_the_checker_finds_a_circle():
    edges = {"a": [("b", 1)], "b": [("c", 2)], "c": [("a", 3)], "d": []}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": [("b", 1)], "b": []}) is None


def test_the_checker_reads_late_and_relative_imports(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def f():\n    from station.core import clock\n    from . import x\n")
    modules = {"station.core.clock": None, "station.sound.x": None, "station.sound.m": None}
    found = imports_of("station.sound.m", src, modules)
    assert ("station.core.clock", 2) in found and ("station.sound.x", 3) in found


def test_the_size_check_finds_a_long_module(tmp_path):
    (tmp_path / "station" / "sub").mkdir(parents=True)
    (tmp_path / "bench").mkdir()
    (tmp_path / "station" / "sub" / "long.py").write_text("x = 1\n" * 301)
    (tmp_path / "station" / "short.py").write_text("x = 1\n" * 300)
    (tmp_path / "bench" / "longer.py").write_text("x = 1\n" * 400)
    assert oversized(tmp_path) == [("bench/longer.py", 400), ("station/sub/long.py", 301)]


@pytest.mark.parametrize("module, expected", [("station.engine.pipeline", "station.engine"),
                                              ("hardware.io", "hardware"),
                                              ("station.__main__", "station")])
def test_rooms(module, expected):
    assert room(module) == expected


# -- What the import graph cannot see (issue 22): a module named in a string, and a test or
# benchmark helper imported by the station. Each rule is self-contained and is shown, on a
# made-up tree, to catch what it forbids.
LOADERS = ("import_module", "find_spec", "run_module", "__import__")


def module_strings(root: Path, packages=PACKAGES) -> list[str]:
    """``path:line: ...`` for every station module reached by a string outside
    ``station/cli``: ``importlib.import_module("station.x")``, ``find_spec(...)``,
    ``runpy.run_module(...)``, ``__import__(...)`` or a command ``[..., "-m", "station..."]``.
    Such a reach is an import the direction test cannot see. A module of the file's own room
    is allowed (the limiter finds its own compiled part); log names are not imports."""
    wrong = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = path.relative_to(root)
            if rel.parts[:2] == ("station", "cli"):
                continue
            here = room(module_name_under(root, path))
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                named = []
                if isinstance(node, ast.Call) and node.args:
                    func = node.func
                    called = func.attr if isinstance(func, ast.Attribute) else \
                        func.id if isinstance(func, ast.Name) else ""
                    if called in LOADERS:
                        named.append(node.args[0])
                elif isinstance(node, (ast.List, ast.Tuple)):
                    elts = node.elts
                    named += [b for a, b in zip(elts, elts[1:])
                              if isinstance(a, ast.Constant) and a.value == "-m"]
                for arg in named:
                    text = arg.value if isinstance(arg, ast.Constant) else None
                    if not isinstance(text, str) or text.split(".")[0] != "station":
                        continue
                    if text != "station" and room(text) == here != "station":
                        continue
                    wrong.append(f"{rel}:{node.lineno}: reaches {text!r} by a string; "
                                 f"import it (or go through the CLI's control socket)")
    return sorted(wrong)


def module_name_under(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_the_module_string_check_catches_each_form(tmp_path):
    (tmp_path / "station" / "panel").mkdir(parents=True)
    (tmp_path / "station" / "cli").mkdir()
    (tmp_path / "station" / "sound").mkdir()
    (tmp_path / "hardware").mkdir()
    (tmp_path / "station" / "panel" / "bad.py").write_text(
        "import importlib, importlib.util, logging, runpy, sys\n"
        "importlib.util.find_spec('station.report.export')\n"
        "importlib.import_module('station.report')\n"
        "cmd = [sys.executable, '-m', 'station', 'report']\n"
        "runpy.run_module('station.journal.reader')\n"
        "log = logging.getLogger('station.panel')\n"       # a log name: fine
        "DOC = 'python -m station.config.plan_docs'\n")    # words: fine
    (tmp_path / "hardware" / "bad.py").write_text("__import__('station.engine')\n")
    (tmp_path / "station" / "cli" / "ok.py").write_text(
        "import sys\ncmd = (sys.executable, '-m', 'station.report')\n")
    (tmp_path / "station" / "sound" / "ok.py").write_text(
        "import importlib.util\nimportlib.util.find_spec('station.sound._limiter')\n")
    found = module_strings(tmp_path)
    assert [w.split(": reaches ")[0] for w in found] == [
        "hardware/bad.py:1", "station/panel/bad.py:2", "station/panel/bad.py:3",
        "station/panel/bad.py:4", "station/panel/bad.py:5"], found


def test_no_station_module_strings_outside_the_cli():
    wrong = module_strings(ROOT)
    assert not wrong, "\n".join(wrong)


def helper_imports(root: Path, packages=PACKAGES) -> list[str]:
    """``path:line: ...`` for every import of the benchmarks (``bench``) or of the tests
    (``tests``, or a module at the top of tests/, such as ``conftest``) from the station or
    the hardware: the product must run without its test and benchmark code."""
    helpers = {"bench", "tests"} | {p.stem for p in (root / "tests").glob("*.py")}
    wrong = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom)
                         and not node.level else [])
                for n in names:
                    if n.split(".")[0] in helpers:
                        wrong.append(f"{path.relative_to(root)}:{node.lineno}: imports {n}")
    return sorted(wrong)


def test_the_helper_import_check_catches_bench_and_tests(tmp_path):
    for folder in ("station/report", "hardware", "tests"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "tests" / "wav_helpers.py").write_text("")
    (tmp_path / "station" / "report" / "bad.py").write_text(
        "def f():\n    from bench.stats import summary_ms\n    import tests.conftest\n")
    (tmp_path / "hardware" / "bad.py").write_text("from wav_helpers import read_wav\n")
    (tmp_path / "station" / "report" / "ok.py").write_text(
        "from . import bench\nfrom station.sim import benchmarks\n")
    assert helper_imports(tmp_path) == [
        "hardware/bad.py:1: imports wav_helpers", "station/report/bad.py:2: imports bench.stats",
        "station/report/bad.py:3: imports tests.conftest"]


def test_the_station_imports_no_test_or_benchmark_code():
    wrong = helper_imports(ROOT)
    assert not wrong, "\n".join(wrong)
# -- ports: no room holds another's private members; the rooms below see no engine ------------
PORTED = ("turns", "journal", "interop", "access")   # rooms that see the engine through ports


def port_breaches(root: Path) -> list[str]:
    """``path:line: what`` for every breach of the ports rule under ``root``'s ``station/``
    and ``hardware/``: a private member (``x._name``, x not ``self``/``cls`` or an
    imported non-station module such as ``os``) used outside ``station/engine``, and any
    ``engine.<attr>`` (``engine``, ``self.engine``, ``station.engine``) in a ported room."""
    out = []
    for path in sorted(p for pkg in PACKAGES for p in (root / pkg).rglob("*.py")):
        rel = path.relative_to(root)
        sub = rel.parts[1] if rel.parts[0] == "station" and len(rel.parts) > 2 else ""
        tree = ast.parse(path.read_text(), filename=str(path))
        outside = {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                   if isinstance(n, ast.Import) for a in n.names
                   if a.name.split(".")[0] not in PACKAGES}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            v, name = node.value, node.attr
            dunder = name.startswith("__") and name.endswith("__")
            private = name.startswith("_") and not dunder
            if private and sub != "engine" and not (
                    isinstance(v, ast.Name) and v.id in ("self", "cls", *outside)):
                out.append(f"{rel}:{node.lineno}: {ast.unparse(node)} uses a private member "
                           f"of another object")
            if sub in PORTED and ((isinstance(v, ast.Name) and v.id == "engine")
                                  or (isinstance(v, ast.Attribute) and v.attr == "engine")):
                out.append(f"{rel}:{node.lineno}: {ast.unparse(node)}: the {sub} room must "
                           f"see the engine through its ports, not hold it")
    return out


def test_rooms_use_ports_not_the_engine_or_private_members():
    wrong = port_breaches(ROOT)
    assert not wrong, ("rooms must talk through ports (docs/architecture.md, Ports):\n"
                       + "\n".join(wrong))


def test_the_ports_check_finds_each_breach(tmp_path):
    files = {
        "station/turns/bad.py": "def f(engine, self):\n    engine.paused = True\n"
                                "    self.engine._emit(1)\n",
        "station/journal/bad.py": "def f(station):\n    return station.engine.seats\n",
        "station/sound/bad.py": "def f(synth):\n    return synth._fs\n",
        "hardware/bad.py": "def f(bus):\n    bus.__secret = 1\n",
        # allowed: the engine room, self/cls, dunders, private names of outside modules,
        # and a room above the engine that uses the engine
        "station/engine/ok.py": "def f(seat):\n    return seat._x\n",
        "station/core/ok.py": "import os\nimport os.path as osp\nclass A:\n"
                              "    def f(self):\n        os._exit(self._y or A.__name__)\n"
                              "    @classmethod\n"
                              "    def g(cls):\n        return cls._z, osp._j\n",
        "station/service/ok.py": "def f(engine):\n    return engine.paused\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = port_breaches(tmp_path)
    assert [w.split(": ")[0] for w in found] == [
        "hardware/bad.py:2", "station/journal/bad.py:2", "station/sound/bad.py:2",
        "station/turns/bad.py:2", "station/turns/bad.py:3", "station/turns/bad.py:3"], found
    assert "self.engine._emit uses a private member" in "\n".join(found)
    assert "engine.paused: the turns room must see the engine through its ports" in found[3]
# -- Event details are read in one place; the journal's SQL stays in the journal room ---
DETAILS_MODULE = "station/core/details.py"   # encode/decode: the one reader of detail text
TEXT_PARSERS = {"startswith", "endswith", "split", "rsplit", "partition", "rpartition",
                "removeprefix", "removesuffix"}
SQL_WORDS = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|PRAGMA)\s")
DB_CALLS = {"execute", "executemany", "executescript"}


def _is_detail(node: ast.AST) -> bool:
    """``x.detail``, ``detail``, ``(x.detail or "")``, ``str(x.detail ...)``."""
    if isinstance(node, ast.BoolOp):
        return _is_detail(node.values[0])
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" \
            and node.args:
        return _is_detail(node.args[0])
    return (isinstance(node, ast.Attribute) and node.attr == "detail") or \
        (isinstance(node, ast.Name) and node.id == "detail")


def detail_parsing(root: Path, packages=SIZED) -> list[str]:
    """``path:line`` of every prefix or split parse of a detail outside DETAILS_MODULE."""
    wrong = []
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            rel = str(path.relative_to(root))
            if rel == DETAILS_MODULE:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in TEXT_PARSERS and _is_detail(node.func.value):
                    wrong.append(f"{rel}:{node.lineno}")
                elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice) \
                        and _is_detail(node.value):
                    wrong.append(f"{rel}:{node.lineno}")
    return sorted(wrong)


def sql_outside_journal(root: Path) -> list[str]:
    """``path:line`` of SQL text or a database call in station/ outside the two rooms that
    own a database: station/journal/ (the station's SQLite journal) and station/clinic/
    (the clinic's PostgreSQL, and the in-memory copy of a journal its reports read)."""
    wrong = []
    for path in sorted((root / "station").rglob("*.py")):
        rel = path.relative_to(root)
        if rel.parts[:2] in (("station", "journal"), ("station", "clinic")):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and SQL_WORDS.match(node.value):
                wrong.append(f"{rel}:{node.lineno}: SQL text")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in DB_CALLS:
                wrong.append(f"{rel}:{node.lineno}: .{node.func.attr}()")
    return sorted(wrong)


def test_event_details_are_parsed_only_where_they_are_written():
    wrong = detail_parsing(ROOT)
    assert not wrong, (f"a detail is parsed outside {DETAILS_MODULE}; decode it there "
                       f"(station.core.details.decode) and read its fields: " + ", ".join(wrong))


def test_only_the_journal_room_speaks_sql():
    wrong = sql_outside_journal(ROOT)
    assert not wrong, ("SQL outside station/journal/; add a named function to "
                       "station.journal.queries instead:\n" + "\n".join(wrong))


def test_the_detail_and_sql_checks_find_what_they_forbid(tmp_path):
    (tmp_path / "station" / "report").mkdir(parents=True)
    (tmp_path / "station" / "journal").mkdir()
    (tmp_path / "station" / "core").mkdir()
    (tmp_path / "station" / "report" / "bad.py").write_text(
        "def f(e, conn, detail):\n"
        "    a = e.detail.startswith('use:')\n"
        "    b = (e.detail or '').split(':')\n"
        "    c = str(e.detail or '').partition(':')\n"
        "    d = detail[5:]\n"
        "    ok = e.detail.name.startswith('board_')\n"
        "    conn.execute('SELECT 1')\n"
        "    q = '''\n  DELETE FROM events'''\n")
    (tmp_path / "station" / "journal" / "fine.py").write_text(
        "def g(conn):\n    return conn.execute('SELECT detail FROM events')\n")
    (tmp_path / "station" / "core" / "details.py").write_text(
        "def decode(kind, text):\n    return text.partition(':')\n")
    assert detail_parsing(tmp_path, ("station",)) == [
        "station/report/bad.py:2", "station/report/bad.py:3", "station/report/bad.py:4",
        "station/report/bad.py:5"]
    assert sql_outside_journal(tmp_path) == [
        "station/report/bad.py:7: .execute()", "station/report/bad.py:7: SQL text",
        "station/report/bad.py:8: SQL text"]


# -- docs/architecture.md says what the code declares (issue 22) ---------------------------
def documented_rooms(root: Path) -> dict[str, set[str] | None]:
    """Room -> what docs/architecture.md's rooms table says it may import (None: any).
    ``a … b`` is every room from a to b in the table's order; words in brackets explain."""
    text = (root / "docs" / "architecture.md").read_text()
    if "## The rooms and their direction" in text:          # that section's table only
        text = text.split("## The rooms and their direction", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(station\.[a-z_]+|hardware)` \|[^\n]*\| ([^|\n]+) \|$", text,
                      re.M)
    order = [name for name, _ in rows]

    def full(word: str) -> str:
        return word if word.startswith(("station.", "hardware")) else f"station.{word}"
    out: dict[str, set[str] | None] = {}
    for name, allowed in rows:
        allowed = re.sub(r"\([^)]*\)", "", allowed).strip()
        if allowed in ("everything", "nothing"):
            out[name] = None if allowed == "everything" else set()
            continue
        rooms: set[str] = set()
        for part in (p.strip() for p in allowed.split(",")):
            if "…" in part:
                a, b = (full(x.strip()) for x in part.split("…"))
                rooms |= set(order[order.index(a):order.index(b) + 1])
            elif part:
                rooms.add(full(part))
        out[name] = rooms
    return out


def test_the_architecture_doc_matches_each_rooms_declared_imports():
    documented, code = documented_rooms(ROOT), declared()
    assert set(documented) == set(code), \
        f"rooms in the doc but not the code, or the other way: {set(documented) ^ set(code)}"
    wrong = [f"{room}: docs/architecture.md says {sorted(documented[room] or ['everything'])}"
             f", its __init__ says {sorted(code[room] or ['everything'])}"
             for room in sorted(code) if documented[room] != code[room]]
    assert not wrong, "\n".join(wrong)


def test_the_doc_check_reads_ranges_words_and_brackets(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "architecture.md").write_text(
        "## Ports\n| `hardware` | a port row | not this |\n"
        "## The rooms and their direction\n| Room | What | May import |\n|---|---|---|\n"
        "| `station.core` | words | nothing |\n| `station.access` | words | core |\n"
        "| `hardware` | words | station.core |\n"
        "| `station.engine` | words | core … hardware (the chips) |\n"
        "| `station.cli` | the command | everything |\n## Next\n| `station.cli` | x | y |\n")
    doc = documented_rooms(tmp_path)
    assert doc["station.engine"] == {"station.core", "station.access", "hardware"}
    assert doc["station.core"] == set() and doc["station.cli"] is None
    assert doc["hardware"] == {"station.core"}
