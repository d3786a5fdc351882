"""systemd's notify protocol (sd_notify) with the standard library, and the loop watchdog.

Under systemd with ``Type=notify``, ``$NOTIFY_SOCKET`` names a Unix datagram socket
(a leading ``@`` means Linux's abstract namespace). The daemon sends ``READY=1`` once
the soundfont and the boards are up, ``WATCHDOG=1`` from its engine loop at least
twice per ``WatchdogSec`` (systemd passes it as ``$WATCHDOG_USEC``, microseconds),
``STATUS=...`` lines that ``systemctl status`` shows, and ``STOPPING=1`` on the way
out. Outside systemd every call is a cheap no-op.

``LoopWatchdog`` is the in-process half: a thread that notices when the engine loop
stops beating (a hang in a driver, a bug spinning) and runs an emergency stop —
silence, save the journal, exit — before systemd's own watchdog kills the process
without any of that.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping

log = logging.getLogger("station")


class Notifier:
    """Sends sd_notify messages; a no-op when ``$NOTIFY_SOCKET`` is unset.

    ``env`` defaults to ``os.environ`` (tests pass their own). Sending never raises:
    a notify failure must not stop the music.
    """

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        path = env.get("NOTIFY_SOCKET") or ""
        self.address = "\0" + path[1:] if path.startswith("@") else path
        self.watchdog_ns = _watchdog_ns(env)
        self._sock: socket.socket | None = None
        self._last_ping: int | None = None
        self.sent: int = 0

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *lines: str) -> bool:
        """Send ``KEY=VALUE`` lines as one datagram; True if it was delivered."""
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(lines).encode(), self.address)
        except OSError as exc:
            log.warning("could not notify systemd (%s)", exc)
            return False
        self.sent += 1
        return True

    def ready(self, status: str = "ready") -> bool:
        return self.send("READY=1", f"STATUS={status}")

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def stopping(self, status: str = "stopping") -> bool:
        return self.send("STOPPING=1", f"STATUS={status}")

    def ping(self, now_ns: int) -> bool:
        """``WATCHDOG=1``, at most every half ``WatchdogSec`` (systemd's advice)."""
        if not self.watchdog_ns:
            return False
        if self._last_ping is not None and now_ns - self._last_ping < self.watchdog_ns // 2:
            return False
        self._last_ping = now_ns
        return self.send("WATCHDOG=1")

    def next_ping_ns(self) -> int | None:
        """Station time when ``ping`` is next due (None without a watchdog)."""
        if not self.watchdog_ns:
            return None
        return 0 if self._last_ping is None else self._last_ping + self.watchdog_ns // 2

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _watchdog_ns(env) -> int:
    """WatchdogSec in ns from ``$WATCHDOG_USEC`` (0: none, or meant for another process)."""
    try:
        usec = int(env.get("WATCHDOG_USEC") or 0)
        pid = env.get("WATCHDOG_PID")
        if pid and int(pid) != os.getpid():
            return 0
    except ValueError:
        return 0
    return max(0, usec) * 1000


class LoopWatchdog:
    """Calls ``on_stall(stalled_ns)`` once if ``beat`` is not called for ``limit_ns``.

    ``check(now_ns)`` is the whole rule (tests call it with a virtual clock); ``start``
    runs it in a daemon thread every ``limit_ns / 4`` of wall time on ``clock``.
    """

    def __init__(self, limit_ns: int, clock, on_stall: Callable[[int], None]) -> None:
        if limit_ns <= 0:
            raise ValueError(f"the stall limit must be positive, got {limit_ns} ns")
        self.limit_ns = int(limit_ns)
        self.clock = clock
        self.on_stall = on_stall
        self.fired = False
        self._last = clock.now_ns()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self, now_ns: int) -> None:
        self._last = now_ns

    def check(self, now_ns: int) -> bool:
        """True (and ``on_stall`` called, once) when the loop has been silent too long."""
        stalled = now_ns - self._last
        if self.fired or stalled < self.limit_ns:
            return False
        self.fired = True
        self.on_stall(stalled)
        return True

    def start(self) -> None:
        def run() -> None:
            while not self._stop.wait(self.limit_ns / 4e9):
                if self.check(self.clock.now_ns()):
                    return
        self._thread = threading.Thread(target=run, name="loop-watchdog", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
