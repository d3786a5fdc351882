"""No message the panel shows names a terminal command (station.panel.words): every
string of the station's code that names one comes out of ``panel_words`` without it."""

import ast
from pathlib import Path

import pytest

from station.panel.words import MAINTENANCE, TERMINAL, panel_status, panel_words

ROOT = Path(__file__).resolve().parents[2] / "station"


def texts_naming_commands() -> list[tuple[str, str]]:
    """(where, text) of every string literal (f-strings with '{}' for their values) in
    station/ that names a terminal command; the CLI's own (station/cli/, printed at a
    terminal, never sent to the panel) aside."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        if path.parent.name == "cli" or path.name == "words.py":
            continue
        tree = ast.parse(path.read_text(), str(path))
        skip = set()          # parts of f-strings (read whole) and docstrings (not shown)
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                skip.update(id(v) for v in node.values)
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else "{}"
                               for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            if TERMINAL.search(text):
                out.append((f"{path.relative_to(ROOT.parent)}:{node.lineno}", text))
    return out


FOUND = texts_naming_commands()


def test_the_scan_finds_the_messages_it_must_translate():
    where = {w.split(":")[0] for w, _ in FOUND}
    assert len(FOUND) > 30 and "station/journal/ratings.py" in where
    assert "station/service/status.py" in where


@pytest.mark.parametrize("where,text", FOUND, ids=[w for w, _ in FOUND])
def test_no_terminal_command_survives(where, text):
    words = panel_words(text)
    assert not TERMINAL.search(words), f"{where}: {words!r}"


def test_the_panel_words_say_what_to_do_on_the_panel():
    assert panel_words("there is no session to rate yet: start one with 'station session "
                       "start' (or the session button).") == (
        "there is no session to rate yet: start one with the Start session button (Session "
        "screen) (or the session button).")
    assert panel_words("Restart the station (sudo systemctl restart station).") == (
        "Restart the station (switch the station off and on again, or ask whoever looks "
        "after the station).")
    assert panel_words("calm today") == "calm today"
    status = {"journal": {"error": "'station doctor' says", "n": 3}, "x": ["sudo reboot"]}
    assert panel_status(status) == {"journal": {"error": "Check the station (Station "
                                                "screen) says", "n": 3},
                                    "x": [MAINTENANCE]}
