"""Poll mode, thresholds, strength, argument checks."""

import pytest
from hw_fixtures import clock, kinds, make_sim, pins, two_board_spec  # noqa: F401 (fixtures)

from station.core.clock import NS_PER_MS


def test_poll_mode_reads_every_board_each_poll(make_sim, clock):
    sim, events = make_sim(two_board_spec(input_mode="poll"))
    sim.touch(0x5A, 0)
    sim.touch(0x5B, 11)
    assert events == []  # nothing reads until poll()
    before = sim.bus.transactions
    clock.advance(10 * NS_PER_MS)
    sim.poll(clock.now_ns())
    assert kinds(events) == [("touch", 0x5A, 0), ("touch", 0x5B, 11)]
    assert all(e.t_ns == clock.now_ns() for e in events)
    assert sim.bus.transactions - before == 2
    sim.release(0x5A, 0)
    clock.advance(10 * NS_PER_MS)
    sim.poll(clock.now_ns())
    assert kinds(events)[-1] == ("release", 0x5A, 0)


def test_thresholds_decide_whether_a_light_touch_counts(make_sim):
    sim, events = make_sim()
    sim.set_thresholds(0x5A, 4, 30, 15)
    sim.touch(0x5A, 4, 0.2)  # 19 counts
    sim.run_for(10)
    assert events == []
    sim.release(0x5A, 4)
    sim.set_thresholds(0x5A, 4, 10, 5)
    sim.run_for(400)         # the baseline the falling filter took down comes back up
    sim.touch(0x5A, 4, 0.2)
    sim.run_for(10)
    assert kinds(events) == [("touch", 0x5A, 4)]
    mpr = sim._boards[0x5A].driver  # read back through the real driver
    assert (mpr[4].threshold, mpr[4].release_threshold) == (10, 5)


def test_strength_is_how_fast_and_firmly_a_touch_landed(make_sim):
    # Read as the engine does, at the touch's edge: the chip's 4-sample second filter
    # then holds the first sample(s) of the touch (data sheet §5.8). A firm palm shows a
    # quarter of its 96 counts at its first sample: 1.0. A weaker touch is seen a sample
    # or two later, with less of its drop in: less.
    sim, events = make_sim()
    assert sim.strength(0x5A, 7) == 0.0
    at_edge = {}

    def emit(event):
        events.append(event)
        if event.kind == "touch":
            at_edge[round(event.strength or s, 1)] = sim.strength(0x5A, event.electrode)
    sim._emit = emit
    for s in (0.3, 0.6, 1.0, 1.5):
        sim.touch(0x5A, 7, s)
        sim.run_for(10)
        sim.release(0x5A, 7)
        sim.run_for(1000)
    values = [at_edge[s] for s in (0.3, 0.6, 1.0, 1.5)]
    assert values == sorted(values)
    assert values[0] == pytest.approx(14 * 4 / 96, abs=0.01)   # 2 samples of 7.2 counts
    assert values[2] == values[3] == 1.0
    sim.touch(0x5A, 7, 0.5)
    sim.run_for(10)                        # held: the whole drop is in
    assert sim.strength(0x5A, 7) == 1.0


@pytest.mark.parametrize("args", [
    (0x5A, 12, 10, 5), (0x5A, 0, 256, 5), (0x5A, 0, 10, -1), (0x5A, 0, 5, 10),
])
def test_bad_thresholds_are_refused(make_sim, args):
    sim, _ = make_sim()
    with pytest.raises(ValueError):
        sim.set_thresholds(*args)


def test_unknown_board_is_a_key_error(make_sim):
    sim, _ = make_sim()
    with pytest.raises(KeyError, match="0x5A, 0x5B"):
        sim.online(0x5D)


def test_i2c_stats(make_sim):
    sim, _ = make_sim()
    stats = sim.i2c_stats
    assert stats["transactions"] > 0 and stats["errors"] == 0


def test_hardware_calls_from_several_threads_share_the_bus_safely(make_sim, clock):
    import threading

    sim, events = make_sim()
    sim.touch(0x5A, 0)
    sim.run_for(5)
    failures = []

    def tune():
        try:
            for i in range(150):
                sim.set_thresholds(0x5B, i % 12, 12 + i % 5, 6)
        except Exception as exc:  # pragma: no cover - reported below
            failures.append(exc)

    def measure():
        try:
            for _ in range(150):
                assert sim.strength(0x5A, 0) == 1.0
                sim.poll(clock.now_ns())
        except Exception as exc:  # pragma: no cover
            failures.append(exc)

    threads = [threading.Thread(target=tune), threading.Thread(target=measure)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert kinds(events) == [("touch", 0x5A, 0)]
    assert sim.bus.try_lock()  # left unlocked
    sim.bus.unlock()
