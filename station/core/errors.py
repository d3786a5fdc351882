"""Every error the station raises on purpose. One flat module, as in gpiozero's exc.py.

Each error also inherits the builtin it resembles, so callers may catch either.
Messages are for a therapist: what is wrong, where (file, line, key), what to do.
"""

from __future__ import annotations


class StationError(Exception):
    """Base of every station error. ``str()`` is the plain-words message."""

    exit_code = 1


class ConfigError(StationError, ValueError):
    """The station config (wiring, audio) is invalid: the daemon refuses to start."""

    exit_code = 3


class ProfileError(StationError, ValueError):
    """A client profile is invalid: it is refused and the previous one keeps playing.

    ``problems`` lists every problem found (each already a full sentence).
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ScenarioError(StationError, ValueError):
    """A simulator scenario file is malformed."""

    exit_code = 2


class SoundfontError(StationError, FileNotFoundError):
    """No usable soundfont was found or it failed to load."""

    exit_code = 4


class AudioError(StationError, OSError):
    """The audio device could not be opened."""

    exit_code = 5


class BoardError(StationError, OSError):
    """A touch board (an MPR121, a CAP1188) did not answer or answered wrongly on the
    I2C bus."""


class OutputError(StationError, ValueError):
    """An output file (report, export, recording, song) would destroy something to keep."""


class JournalError(StationError, OSError):
    """The session journal could not be opened or written."""


class ControlError(StationError, ConnectionError):
    """The running daemon could not be reached over its control socket."""

    exit_code = 6


class PlanError(StationError, ValueError):
    """A session plan is invalid (or does not fit this station): it is not started, and
    whatever plays goes on. ``problems`` lists every problem found (full sentences)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ConsentError(StationError, PermissionError):
    """A recording, export or rating goes beyond what the client consented to: refused."""


class ChipFaultError(BoardError):
    """A touch chip reports a fault of its own (``detail``: ``board_overcurrent``, its
    over-current flag): it has stopped measuring until it is re-initialised."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail
