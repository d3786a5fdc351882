"""Signing in to the panel: the PIN check, sign-in sessions, CSRF tokens and the lock-out.

``POST /api/login {"pin": ...}`` with the right PIN makes a session: a random token in an
HttpOnly, SameSite=Strict cookie (the page's scripts never see it) and a second random
token, the CSRF token, that the page must send back in the ``X-CSRF-Token`` header of
every request that changes something. A session ends after ``idle_s`` without a request.
Sessions are kept on disk (``station.panel.keep``, by the SHA-256 of their token) so a
restart does not sign the tablets out; the time the station was down counts as idle.

Five wrong PINs within a minute lock sign-in for a minute, for everyone: the lock-out is
not per address, since addresses on a LAN are cheap to change (the cost: a stranger can
keep the therapist out; docs/panel.md says what to do). Checking a PIN costs a scrypt
derivation, so a locked or busy gate answers before deriving anything.

Thread-safe: the panel's worker threads share one ``Gate``. Time is injected (``now``:
seconds on a monotonic clock; ``wall``: seconds since the epoch, for the kept sessions).
"""

from __future__ import annotations

import collections
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

from station.panel.keep import SAVE_EVERY_S, SessionFile, token_key
from station.panel.pin import read_pin

MAX_WRONG = 5                  # wrong PINs ...
WRONG_WINDOW_S = 60.0          # ... within this long ...
LOCK_S = 60.0                  # ... lock sign-in this long
MAX_SESSIONS = 32              # signed-in devices at once; the oldest idle one goes first
COOKIE = "station_panel"


@dataclass
class Session:
    token: str                 # "" for a session taken back from disk (only its key is kept)
    csrf: str
    last_s: float
    key: str = ""              # token_key(token): what ``Gate`` files it under


class LoginRefused(Exception):
    """Sign-in refused: ``status`` is the HTTP status, ``str()`` the plain message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Gate:
    """The panel's sign-in state: the PIN file, sessions, wrong tries."""

    def __init__(self, pin_file: Path, idle_s: float,
                 now: Callable[[], float] = time.monotonic, *,
                 kept: Path | None = None, wall: Callable[[], float] = time.time) -> None:
        self.pin_file = Path(pin_file)
        self.idle_s = float(idle_s)
        self.now = now
        self.wall = wall
        self._file = SessionFile(kept)
        self._saved_s = now()
        self._save_lock = threading.Lock()
        self._lock = threading.Lock()
        self._checking = threading.Lock()     # one scrypt derivation at a time
        self._sessions: dict[str, Session] = {}
        self._wrong: collections.deque[float] = collections.deque()
        self._locked_until = 0.0
        self._pin_cache: tuple[tuple, object] | None = None
        self._take_back()

    # -- signing in --------------------------------------------------------------------
    def login(self, pin: object) -> Session:
        """A new session for the right PIN; raise ``LoginRefused`` otherwise."""
        with self._lock:
            self._check_lock()
        if not isinstance(pin, str) or not pin.strip():
            raise LoginRefused(400, "type the panel's PIN (digits only).")
        stored = self._stored_pin()
        if stored is None:
            raise LoginRefused(503, "no panel PIN is set yet. On the station, run: station "
                                    "panel pin --new (it prints the PIN).")
        if not self._checking.acquire(timeout=5.0):
            raise LoginRefused(503, "the station is busy checking another sign-in; try "
                                    "again in a moment.")
        try:
            right = stored.matches(pin.strip())
        finally:
            self._checking.release()
        with self._lock:
            self._check_lock()             # the lock may have started meanwhile
            if not right:
                left = self._wrong_try()
                if left <= 0:
                    raise LoginRefused(429, f"wrong PIN. Too many wrong PINs: sign-in is "
                                            f"locked for {LOCK_S:.0f} seconds.")
                raise LoginRefused(401, f"wrong PIN ({left} more tr{'y' if left == 1 else 'ies'} "
                                        f"before sign-in locks for a minute).")
            token = secrets.token_urlsafe(32)
            session = Session(token, secrets.token_urlsafe(32), self.now(), token_key(token))
            self._expire()
            if len(self._sessions) >= MAX_SESSIONS:
                oldest = min(self._sessions.values(), key=lambda s: s.last_s)
                del self._sessions[oldest.key]
            self._sessions[session.key] = session
        self._save()
        return session

    def _check_lock(self) -> None:
        left = self._locked_until - self.now()
        if left > 0:
            raise LoginRefused(429, f"too many wrong PINs: sign-in is locked; try again in "
                                    f"{max(1, round(left))} seconds.")

    def _wrong_try(self) -> int:
        """Count a wrong PIN; return how many tries are left before the lock (0: locked)."""
        now = self.now()
        self._wrong.append(now)
        while self._wrong and now - self._wrong[0] > WRONG_WINDOW_S:
            self._wrong.popleft()
        if len(self._wrong) >= MAX_WRONG:
            self._locked_until = now + LOCK_S
            self._wrong.clear()
            return 0
        return MAX_WRONG - len(self._wrong)

    def _stored_pin(self):
        """The PIN file, re-read when it changes (a new PIN works without a restart)."""
        try:
            st = self.pin_file.stat()
            sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            return None
        cached = self._pin_cache
        if cached is None or cached[0] != sig:
            cached = (sig, read_pin(self.pin_file))
            self._pin_cache = cached
        return cached[1]

    def pin_set(self) -> bool:
        return self._stored_pin() is not None

    # -- requests ----------------------------------------------------------------------
    def session(self, token: str | None) -> Session | None:
        """The live session of a cookie token (its idle time restarts), or None."""
        if not token:
            return None
        key = token_key(token)
        with self._lock:
            s = self._sessions.get(key)
            if s is None:
                return None
            now = self.now()
            if now - s.last_s > self.idle_s:
                del self._sessions[key]
                return None
            s.last_s = now
            due = now - self._saved_s >= SAVE_EVERY_S
        if due:
            self._save()
        return s

    def alive(self, token: str | None) -> bool:
        """Whether a session is still valid, without counting as activity (live feed)."""
        with self._lock:
            s = self._sessions.get(token_key(token or ""))
            return s is not None and self.now() - s.last_s <= self.idle_s

    @staticmethod
    def csrf_ok(session: Session, header: str | None) -> bool:
        return bool(header) and hmac.compare_digest(session.csrf.encode(),
                                                    str(header).encode())

    def logout(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token_key(token or ""), None)
        self._save()

    def _expire(self) -> None:
        now = self.now()
        for key in [k for k, s in self._sessions.items() if now - s.last_s > self.idle_s]:
            del self._sessions[key]

    # -- kept across a restart -----------------------------------------------------------
    def _take_back(self) -> None:
        """The kept sessions still within the idle window (the time down counts as idle)."""
        now, wall = self.now(), self.wall()
        for key, (csrf, last) in self._file.load().items():
            idle = max(0.0, wall - last)          # a clock set back: no idle time, not less
            if idle <= self.idle_s and len(self._sessions) < MAX_SESSIONS:
                self._sessions[key] = Session("", csrf, now - idle, key)

    def _save(self) -> None:
        """Write the live sessions, their last requests in wall-clock time (one writer)."""
        with self._save_lock:
            with self._lock:
                now, wall = self.now(), self.wall()
                self._saved_s = now
                self._expire()
                kept = {k: (s.csrf, wall - (now - s.last_s)) for k, s in self._sessions.items()}
            self._file.save(kept)

    def status(self) -> dict:
        """Counters only, no file access: the engine thread asks for it (station status)."""
        cached = self._pin_cache
        with self._lock:
            self._expire()
            return {"pin_set": None if cached is None else cached[1] is not None,
                    "signed_in": len(self._sessions),
                    "locked_s": max(0.0, round(self._locked_until - self.now(), 1))}
