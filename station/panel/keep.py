"""Sign-in sessions kept on disk, so that a restart does not sign the tablets out.

A restart of the daemon (systemd, the watchdog, a crash, a power cut) used to drop every
tablet to Sign in. ``SessionFile`` keeps each signed-in session in
``<journal folder>/panel-sessions.json`` (0600 in the 0700 state folder, written
atomically): the SHA-256 of its cookie token (the file never holds the cookie itself, so
reading it does not sign anyone in), its CSRF token and the wall-clock time of its last
request (seconds since the epoch). At start the sessions still within the idle window are
taken back; the time the station was down counts as idle time.

Activity is written at most every ``SAVE_EVERY_S`` (a tablet asks every second): a
session may come back up to that much "older" than it was, well inside any idle window.
A file that cannot be read or written costs only the survival: sign-in works in memory,
and the reason is logged once (a file that is not ours is never overwritten).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from station.core.errors import OutputError
from station.core.files import private_dir, read_limited, write_private

FILE_NAME = "panel-sessions.json"
SAVE_EVERY_S = 30.0         # activity is written at most this often
MAX_BYTES = 256 * 1024      # 32 sessions take ~6 KB; a bigger file is not ours
_TAG = b'{"panel_sessions"'  # our own file starts so (replace only that)

log = logging.getLogger("station.panel")


def kept_path(journal: Path) -> Path:
    """Where the station with this journal keeps its panel sign-ins (beside the PIN)."""
    return Path(journal).resolve().parent / FILE_NAME


def token_key(token: str) -> str:
    """The name a session is kept under: the SHA-256 of its cookie token, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


class SessionFile:
    """Reads and writes the kept sessions: ``{key: (csrf, last request, epoch s)}``."""

    def __init__(self, path: Path | None) -> None:
        self.path = None if path is None else Path(path)
        self._warned: set[str] = set()

    def load(self) -> dict[str, tuple[str, float]]:
        """The kept sessions, or none (no file yet, or one that is not ours: logged)."""
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(read_limited(self.path, MAX_BYTES, OutputError, "sessions file"))
            kept = data["panel_sessions"]
            return {str(k): (str(v["csrf"]), float(v["last"])) for k, v in kept.items()}
        except (OutputError, ValueError, KeyError, TypeError, AttributeError) as exc:
            self._warn("read", f"the panel's kept sign-ins in {self.path} cannot be read ({exc}); "
                       f"tablets sign in again after this start")
            return {}

    def save(self, sessions: dict[str, tuple[str, float]]) -> None:
        """Write every live session (atomically, 0600); a failure is logged once."""
        if self.path is None:
            return
        body = {k: {"csrf": csrf, "last": round(last, 3)} for k, (csrf, last) in
                sessions.items()}
        text = json.dumps({"panel_sessions": body}, separators=(",", ":")) + "\n"
        try:
            private_dir(self.path.parent)
            write_private(self.path, text, "panel sessions", replace=_TAG)
        except (OSError, OutputError) as exc:
            self._warn("write", f"the panel's sign-ins cannot be kept in {self.path} ({exc}); "
                       f"after a restart the tablets sign in again")

    def _warn(self, kind: str, message: str) -> None:
        if kind not in self._warned:                # once per kind: not at every request
            self._warned.add(kind)
            log.warning("panel: %s", message)
