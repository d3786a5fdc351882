"""The daemon's heap policy (station.service.heap): frozen after start-up, full
collections only when nobody plays. Behaviour, not speed."""

from __future__ import annotations

import gc
import signal
import weakref

import pytest
from daemon_fixtures import make_daemon, station_yaml

from station.core.clock import VirtualClock
from station.service import heap


@pytest.fixture
def gc_state():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_settle_freezes_the_heap_and_stops_automatic_full_collections(gc_state):
    kept = [object() for _ in range(10)]         # something alive to freeze
    replaced = heap.settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (heap.YOUNG, heap.MIDDLE, heap.OLD)
    heap.restore(replaced)
    assert gc.get_threshold() == replaced
    assert kept


def test_an_idle_sweep_waits_for_quiet_and_its_interval():
    s = 1_000_000_000
    sweep = heap.IdleSweep(0, quiet_ns=2 * s, every_ns=60 * s)
    assert not sweep.maybe(30 * s, None)            # interval not yet passed
    assert not sweep.maybe(61 * s, 60 * s)          # a touch 1 s ago: people are playing
    assert sweep.maybe(63 * s, 60 * s)              # 3 s quiet and 63 s since start
    assert sweep.sweeps == 1
    assert not sweep.maybe(64 * s, None)            # the next one only 60 s later
    assert sweep.maybe(124 * s, None)


def test_an_idle_sweep_collects_cyclic_garbage(gc_state):
    heap.settle()
    class Node:
        pass
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    s = 1_000_000_000
    assert heap.IdleSweep(0, quiet_ns=s, every_ns=s).maybe(5 * s, None)
    assert gone() is None


def test_the_daemon_loop_runs_with_the_heap_frozen_and_restores_the_thresholds(
        tmp_path, mock_pins, gc_state):
    before = gc.get_threshold()
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    seen = {}

    def step(now):              # the first pass of the loop: look, then stop it
        seen["threshold"], seen["frozen"] = gc.get_threshold(), gc.get_freeze_count()
        d.stop_event.set()
    d.station.step = step
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT,
                                                  signal.SIGHUP)}
    try:
        assert d.run() == 0
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
    assert seen["threshold"] == (heap.YOUNG, heap.MIDDLE, heap.OLD)
    assert seen["frozen"] > 1000                  # the start-up heap (modules, config)
    assert gc.get_threshold() == before


def test_the_planned_collections_can_be_told_from_the_collectors_own(gc_state):
    seen = []

    def watch(phase, info):
        if phase == "start":
            seen.append(heap.planned())
    gc.callbacks.append(watch)
    try:
        heap.settle()
        gc.collect()
    finally:
        gc.callbacks.remove(watch)
    assert seen == [True, False] and not heap.planned()
