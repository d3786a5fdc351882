"""The journal's queue (station.journal.inbox): order, bounds, who wakes the writer."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from station.journal import inbox as inbox_mod
from station.journal.inbox import Inbox, yielding

FAR = 3_600 * 10**9     # a linger deadline an hour away: only an urgent item ends it


def in_thread(fn):
    box: dict = {}
    t = threading.Thread(target=lambda: box.setdefault("v", fn()), daemon=True)
    t.start()
    return t, box


def test_items_come_out_in_order_and_the_bound_holds():
    q = Inbox(3)
    for i in range(3):
        q.put_nowait(i)
    with pytest.raises(queue.Full):
        q.put_nowait(3)
    assert q.qsize() == 3
    assert [q.get_nowait() for _ in range(3)] == [0, 1, 2]
    with pytest.raises(queue.Empty):
        q.get_nowait()
    with pytest.raises(queue.Empty):
        q.get(timeout=0)


def test_a_waiting_consumer_is_woken_by_an_ordinary_item():
    q = Inbox(10)
    t, box = in_thread(q.get)
    bound = time.monotonic() + 30               # a hang bound, not a speed
    while not q._waiting:                       # until it sleeps on the condition
        assert time.monotonic() < bound
    q.put_nowait("event")
    t.join(timeout=30)
    assert box["v"] == "event"


def test_a_lingering_consumer_ignores_events_but_not_an_urgent_item():
    q = Inbox(10)
    q.put_nowait("event")
    assert not q._urgent                        # an event does not cut a batch short
    q.put_nowait("flush", urgent=True)
    t, _ = in_thread(lambda: q.linger(time.monotonic_ns() + FAR))
    t.join(timeout=30)
    assert not t.is_alive()
    assert [q.get_nowait(), q.get_nowait()] == ["event", "flush"]


def test_linger_ends_at_its_deadline():
    q = Inbox(10)
    q.linger(time.monotonic_ns() - 1)           # already past: returns at once
    assert q.qsize() == 0


def test_put_waits_for_room_and_gives_up(monkeypatch):
    q = Inbox(1)
    q.put_nowait(1)
    with pytest.raises(queue.Full):
        q.put(2, timeout=0)
    q.get_nowait()
    q.put(2, timeout=0)
    assert q._urgent and q.get_nowait() == 2


def test_yielding_offers_the_gil_every_batch_of_items(monkeypatch):
    sleeps = []
    monkeypatch.setattr(inbox_mod.time, "sleep", sleeps.append)
    items = list(range(inbox_mod.YIELD_EVERY * 2 + 5))
    assert list(yielding(items)) == items
    assert sleeps == [0, 0]
