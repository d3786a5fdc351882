"""The journal's queue: producers never wait, and the writer wakes once per batch.

``queue.Queue`` takes a lock and notifies a condition on every ``put``: the journal
writer, waiting for the rest of its batch, woke at every event the engine recorded and
took the GIL from the engine to put it in its list, once per event. In the tremor
storm (``python -m bench.storm --profile``) that was ~5 % of the engine's time, and
each wake-up is a chance for the writer to hold the GIL when the next IRQ read comes.

``Inbox`` is a ``collections.deque`` (append and popleft are atomic under the GIL) with
a condition the writer sleeps on. An ordinary ``put_nowait`` (an event) wakes the
writer only if it sleeps waiting for a first item; while it lingers over a batch
(``linger``) only an ``urgent`` item (a flush someone waits for, a stop, a session
start or end) wakes it early. The interface is the part of ``queue.Queue`` the writer
uses; ``queue.Full`` when ``maxsize`` items wait.
"""

from __future__ import annotations

import collections
import queue
import threading
import time


class Inbox:
    """A bounded FIFO of items for one consumer thread (see the module docstring)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: collections.deque = collections.deque()
        self._cv = threading.Condition(threading.Lock())
        self._waiting = False      # the consumer sleeps until the next item
        self._urgent = False       # an urgent item came while it lingers

    def qsize(self) -> int:
        return len(self._items)

    def put_nowait(self, item, urgent: bool = False) -> None:
        """Queue ``item`` (queue.Full when full); never blocks on the consumer."""
        if len(self._items) >= self.maxsize:
            raise queue.Full
        self._items.append(item)
        if urgent or self._waiting:
            with self._cv:
                self._urgent = self._urgent or urgent
                self._cv.notify()

    def put(self, item, timeout: float | None = None) -> None:
        """Queue ``item`` as urgent, waiting up to ``timeout`` s for room."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while len(self._items) >= self.maxsize:
            if deadline is not None and time.monotonic() >= deadline:
                raise queue.Full
            time.sleep(0.001)
        self.put_nowait(item, urgent=True)

    def get(self, timeout: float | None = None):
        """The next item, waiting up to ``timeout`` s (queue.Empty) or forever (None)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cv:
            # ``_waiting`` is set before the deque is looked at: a producer that appends
            # after the look sees it and notifies (the lock is free once we wait)
            self._waiting = True
            try:
                while not self._items:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        raise queue.Empty
                    self._cv.wait(left)
            finally:
                self._waiting = False
            return self._items.popleft()

    def get_nowait(self):
        try:
            return self._items.popleft()
        except IndexError:
            raise queue.Empty from None

    def linger(self, deadline_ns: int) -> None:
        """Sleep until ``deadline_ns`` (``time.monotonic_ns``) or an urgent item."""
        with self._cv:
            while not self._urgent:
                left = deadline_ns - time.monotonic_ns()
                if left <= 0:
                    break
                self._cv.wait(left / 1e9)
            self._urgent = False


YIELD_EVERY = 64        # items the writer handles between offers of the GIL


def yielding(items: list):
    """``items``, offering the GIL to other threads every ``YIELD_EVERY`` of them.

    The writer turns each event into a row in Python, holding the GIL; left alone, a
    batch of thousands (a storm) keeps it until the interpreter's switch interval
    (5 ms) makes it let go, and an IRQ read waits that long. ``time.sleep(0)`` releases
    the GIL at once, so the engine and the edge thread (real-time priority) take it as
    soon as they want it: the writer waits for them, never they for the writer."""
    for n, item in enumerate(items, 1):
        yield item
        if n % YIELD_EVERY == 0:
            time.sleep(0)
