"""The station's messages in the panel's words: no terminal command on a tablet.

The station's messages are written once, for whoever reads them: at a terminal, "start
one with 'station session start'" is the quickest help. A therapist on the panel has no
terminal, so every message the panel shows (a refused action's words, the status's
problems) passes through ``panel_words``, which replaces each terminal command with the
panel's own control for it, or, for a command with no panel control (the service's own,
recovering a journal), with who can do it. A test reads every string of the station's
code that names a command and checks that none survives this.
"""

from __future__ import annotations

import re

HELPER = "ask whoever looks after the station"
MAINTENANCE = "the station's maintenance command (" + HELPER + ")"

# (pattern, the panel's words), tried in order at each place of one pass over the text
# (so no replacement is read again). Patterns take the quoted form the messages use
# ('station session start'), the bare systemctl/sudo/apt/pip forms of the service's
# advice, and the set-up script's.
COMMANDS: tuple[tuple[str, str], ...] = (
    (r"'station session start'", "the Start session button (Session screen)"),
    (r"'station session (?:note|rate)[^']*'", "the Session screen"),
    (r"'station (?:doctor|status)[^']*'", "Check the station (Station screen)"),
    (r"'station clinic status'", "the Station screen"),
    (r"'station (?:export|report)[^']*'", "the Reports screen"),
    (r"'station profile[^']*'", "the Clients screen"),
    (r"'station turn[^']*'", "the Players screen"),
    (r"'station\b[^']*'", MAINTENANCE),
    (r"\(?(?:sudo )?systemctl (?:restart|reload) station\)?",
     "(switch the station off and on again, or " + HELPER + ")"),
    (r"(?:sudo )?apt(?:-get)? install(?: -y)?(?: [\w.+-]+)+", MAINTENANCE),
    (r"(?:sudo )?systemctl [\w.@-]+(?: [\w.@-]+)?", MAINTENANCE),
    (r"\./run\.sh [\w-]+(?: again)?", MAINTENANCE),
    (r"(?:\.venv/bin/)?pip install(?: -e)?(?: [\w.=<>'\[\]-]+)+", MAINTENANCE),
    (r"\.venv/bin/[\w-]+(?: [\w.=-]+)*", MAINTENANCE),
    (r"Ctrl-C in its terminal", HELPER),
    (r"\bsudo [\w./-]+(?: [\w./=<>{}-]+)*", MAINTENANCE),
)
ONE_PASS = re.compile("|".join(f"({p})" for p, _ in COMMANDS))

TERMINAL = re.compile(r"'station\b|systemctl|\bsudo\b|Ctrl-C|\./run\.sh|\.venv/bin/|"
                      r"\bapt(?:-get)? install|\bpip install")
# "X, or X" / "X or 'X'" / "X && X" once the commands are words: said once
REPEATED = re.compile("(" + re.escape(MAINTENANCE) + r")(?:,? (?:or:?|&&|then) '?" +
                      re.escape(MAINTENANCE) + "'?)+")


def panel_words(text: str) -> str:
    """``text`` with every terminal command replaced by the panel's words for it."""
    if not TERMINAL.search(text):
        return text
    text = ONE_PASS.sub(lambda m: COMMANDS[(m.lastindex or 1) - 1][1], text)
    text = REPEATED.sub(r"\1", text)
    return re.sub(r"\(\((.*?)\)\)", r"(\1)", text)      # "(... (switch ...))" nests once


def panel_status(value):
    """A status (dicts, lists, strings) with ``panel_words`` applied to every text."""
    if isinstance(value, str):
        return panel_words(value)
    if isinstance(value, dict):
        return {k: panel_status(v) for k, v in value.items()}
    if isinstance(value, list):
        return [panel_status(v) for v in value]
    return value
