"""OSC packets in: nesting and timetags are checked before any message is handled.

python-osc's own dispatcher sleeps in the receive thread until a bundle's timetag: one
bundle stamped 15 s ahead held every command behind it (all quiet came 12 s late), one
stamped years ahead stopped OSC control until a restart. It also parses nested bundles
recursively, so a datagram of a few thousand nested bundles ended in a RecursionError whose
traceback filled the log. Here instead:

* a packet whose bundles nest more than ``MAX_DEPTH`` deep is refused, measured without
  recursion before parsing, in one log line;
* a message due now (or in the past, or "immediately") is handled at once;
* a message due within ``MAX_AHEAD_S`` seconds is handed to a timer and handled at its time,
  while the receive thread goes on (at most ``MAX_PENDING`` wait at once);
* a message due later than that is refused: one log line, and ``/station/error`` to the
  sender.

Warnings are limited to one per ``WARN_EVERY_S`` per kind (with a count of the ones left
out), so a flood of bad packets cannot flood the log. Timetags are wall-clock time (OSC's
NTP time), so ``now`` is ``time.time`` unless a test injects another clock.
"""

from __future__ import annotations

import logging
import struct
import threading
import time
from collections.abc import Callable

from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_packet import OscPacket, ParseError

log = logging.getLogger("station.interop.osc")
MAX_DEPTH = 8             # bundles in bundles; OSC tools send 1 or 2
MAX_AHEAD_S = 60.0        # a timed message further ahead than this is refused
MAX_PENDING = 32          # timed messages waiting at once
WARN_EVERY_S = 10.0
BUNDLE = b"#bundle\0"


def nesting(dgram: bytes, limit: int = MAX_DEPTH) -> int:
    """How deep bundles nest in ``dgram`` (0: a plain message), counted without recursion;
    the count stops just past ``limit``. Malformed sizes end the walk (the parser then
    refuses the packet)."""
    deepest, stack = 0, [(dgram, 0)]
    while stack:
        data, level = stack.pop()
        if not data.startswith(BUNDLE):
            continue
        level += 1
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        index = len(BUNDLE) + 8
        while index + 4 <= len(data):
            size = struct.unpack_from(">i", data, index)[0]
            if size <= 0:
                break
            stack.append((data[index + 4:index + 4 + size], level))
            index += 4 + size
    return deepest


class Intake(Dispatcher):
    """python-osc's dispatcher, replaced: ``handle(sender, address, args)`` for each message
    in time, ``refuse(sender, address, words)`` for one that is refused."""

    def __init__(self, handle: Callable, refuse: Callable,
                 now: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.handle, self.refuse, self.now = handle, refuse, now
        self._lock = threading.Lock()
        self._timers: set[threading.Timer] = set()
        self._warned: dict[str, tuple[float, int]] = {}

    def call_handlers_for_packet(self, data: bytes, client_address) -> list:
        depth = nesting(data)
        if depth > MAX_DEPTH:
            self._warn("nested", "OSC: refused a packet from %s: its bundles are nested more "
                       "than %d deep.", client_address[0], MAX_DEPTH)
            return []
        try:
            messages = OscPacket(data).messages
        except (ParseError, RecursionError, ValueError, struct.error):
            log.debug("OSC: ignored a datagram from %s that is not OSC", client_address[0])
            return []
        now = self.now()
        for timed in messages:
            address, args = timed.message.address, list(timed.message.params)
            ahead = timed.time - now
            if ahead <= 0.001:
                self.handle(client_address, address, args)
            elif ahead > MAX_AHEAD_S:
                self._warn("timetag", "OSC: refused %s from %s: its timetag is %.0f s ahead "
                           "(at most %.0f s).", address, client_address[0], ahead, MAX_AHEAD_S)
                self.refuse(client_address, address, f"its timetag is {ahead:.0f} s ahead; "
                            f"the station plays timed messages at most {MAX_AHEAD_S:.0f} s "
                            f"ahead.")
            else:
                self._later(ahead, client_address, address, args)
        return []

    def _later(self, delay: float, sender, address: str, args: list) -> None:
        with self._lock:
            if len(self._timers) >= MAX_PENDING:
                self.refuse(sender, address, f"{MAX_PENDING} timed messages are already "
                            f"waiting; send it when it is due.")
                return
            timer = threading.Timer(delay, self._fire, args=(None, sender, address, args))
            timer.args = (timer, sender, address, args)
            timer.daemon = True
            self._timers.add(timer)
        timer.start()

    def _fire(self, timer, sender, address: str, args: list) -> None:
        with self._lock:
            if timer not in self._timers:
                return                       # cancelled by close()
            self._timers.discard(timer)
        self.handle(sender, address, args)

    def _warn(self, kind: str, message: str, *args) -> None:
        now = time.monotonic()
        with self._lock:
            last, skipped = self._warned.get(kind, (float("-inf"), 0))
            if now - last < WARN_EVERY_S:
                self._warned[kind] = (last, skipped + 1)
                return
            self._warned[kind] = (now, 0)
        log.warning(message + (f" ({skipped} more like it since the last such line)"
                               if skipped else ""), *args)

    def close(self) -> None:
        with self._lock:
            timers, self._timers = self._timers, set()
        for timer in timers:
            timer.cancel()
