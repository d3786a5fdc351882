"""A bound on ``station journal recover``: a deadline and the signals that stop it.

A crafted database (a recursive view, a huge table) could keep SQLite busy for as long as
it likes, and a running SQLite statement does not see Ctrl-C. ``Guard.tick`` is installed
as SQLite's progress handler: it interrupts the statement once the deadline has passed or
a SIGINT/SIGTERM has come (the signal handlers only note the signal, so nothing is raised
inside SQLite's callback); ``Guard.check``, called wherever Python loops or an
interrupted statement lands, raises ``JournalError`` (the deadline) or
``KeyboardInterrupt`` (a signal), and the caller removes what it had begun.
"""

from __future__ import annotations

import signal
import threading
import time

from station.core.errors import JournalError


class Guard:
    """Stops the work at its deadline or at SIGINT/SIGTERM: ``tick`` is SQLite's progress
    handler (non-zero interrupts the statement), ``check`` raises in Python's own loops."""

    def __init__(self, limit_s: float, now=time.monotonic) -> None:
        self.limit_s, self.now = limit_s, now
        self.deadline = now() + limit_s
        self.signal: int | None = None

    def tick(self) -> int:
        return int(self.signal is not None or self.now() > self.deadline)

    def check(self) -> None:
        if self.signal is not None:
            raise KeyboardInterrupt
        if self.now() > self.deadline:
            raise JournalError(f"recover stopped at its time limit ({self.limit_s:g} s); "
                               f"nothing was written. A large journal may need more: "
                               f"--time-limit SECONDS.")

    def catching_signals(self):
        import contextlib

        @contextlib.contextmanager
        def caught():
            if threading.current_thread() is not threading.main_thread():
                yield
                return
            old = {sig: signal.signal(sig, lambda signum, frame: setattr(
                self, "signal", signum)) for sig in (signal.SIGINT, signal.SIGTERM)}
            try:
                yield
            finally:
                for sig, handler in old.items():
                    signal.signal(sig, handler)
        return caught()
