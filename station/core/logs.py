"""Log lines for a terminal or for systemd's journal, with levels from the config.

Under systemd, stderr is the journal: systemd sets ``$JOURNAL_STREAM`` to the
``device:inode`` of that stream. There each line starts with its syslog priority
(``<3>`` error … ``<7>`` debug), which journald reads, so ``journalctl -u station -p
warning`` shows exactly the warnings and errors. Anywhere else lines are plain
(``station: message``). A multi-line message (a config error lists every problem) gets
the prefix on every line, since the journal stores each line as its own entry.

Levels: ``STATION_LOG`` in the environment for a command (default INFO), then the
``logging:`` section of the station config for the daemon (``level`` and per-logger
``levels``), applied once the config is read.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from station.core.schema import Field

LEVELS = ("debug", "info", "warning", "error")
HANDLER_NAME = "station"    # our root handler (a second setup_logging replaces it)
# syslog priorities (RFC 5424): 2 critical, 3 error, 4 warning, 5 notice, 6 info, 7 debug
PRIORITIES = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4),
              (logging.INFO, 6), (logging.DEBUG, 7))

LOGGING = Field("section", "What the station writes to its log (the journal under systemd).",
                fields={
    "level": Field("choice", "Least important messages written: debug, info, warning or "
                   "error.", default="info", choices=LEVELS),
    "levels": Field("map", "A level per part of the station, by logger name, e.g. "
                    "{station.journal: debug}.", default=dict,
                    item=Field("choice", choices=LEVELS)),
})


def priority(levelno: int) -> int:
    """The syslog priority 2..7 of a logging level number."""
    for threshold, prio in PRIORITIES:
        if levelno >= threshold:
            return prio
    return 7


def under_journal(stream: TextIO | None = None, env: Mapping[str, str] | None = None) -> bool:
    """True if ``stream`` (stderr) is the journal stream systemd announced."""
    env = os.environ if env is None else env
    stream = sys.stderr if stream is None else stream
    announced = env.get("JOURNAL_STREAM", "")
    try:
        dev, ino = (int(x) for x in announced.split(":"))
        st = os.fstat(stream.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (dev, ino)


class JournalFormatter(logging.Formatter):
    """``<N>message`` on every line (N: the syslog priority of the record's level)."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{priority(record.levelno)}>"
        return "\n".join(prefix + line for line in super().format(record).split("\n"))


def setup_logging(level: str | int = "INFO", stream: TextIO | None = None,
                  env: Mapping[str, str] | None = None) -> logging.Handler:
    """Send the root logger to ``stream`` (stderr), journal-style or plain; returns the
    handler. Replaces any handler an earlier call installed."""
    stream = sys.stderr if stream is None else stream
    handler = logging.StreamHandler(stream)
    if under_journal(stream, env):
        handler.setFormatter(JournalFormatter("%(message)s"))
    else:
        handler.setFormatter(logging.Formatter("station: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
    handler.set_name(HANDLER_NAME)
    root.addHandler(handler)
    root.setLevel(_level(level))
    return handler


def apply_levels(section: Mapping | None, env: Mapping[str, str] | None = None) -> None:
    """Apply the config's ``logging:`` section; ``STATION_LOG`` in the environment still
    wins for the overall level (a one-off ``STATION_LOG=DEBUG station run``)."""
    env = os.environ if env is None else env
    section = section or {}
    logging.getLogger().setLevel(_level(env.get("STATION_LOG") or section.get("level")
                                        or "info"))
    for name, level in (section.get("levels") or {}).items():
        logging.getLogger(name).setLevel(_level(level))


def _level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).upper())
    return value if isinstance(value, int) else logging.INFO
