"""Boards that vanish, come back, start absent, rest a hand at start, or stick."""

from hw_fixtures import START_NS, clock, kinds, make_sim, pins  # noqa: F401 (fixtures)

from station.core.clock import NS_PER_MS


def run_polls(sim, clock, ms, every_ms=10):
    for _ in range(int(ms // every_ms)):
        clock.advance(every_ms * NS_PER_MS)
        sim.poll(clock.now_ns())


def test_unplug_mid_touch_emits_fault_and_releases(make_sim, clock):
    sim, events = make_sim()
    sim.touch(0x5A, 2)
    sim.touch(0x5A, 8)
    sim.unplug(0x5A)
    assert sim.online(0x5A)  # nothing read it yet
    run_polls(sim, clock, 100)  # the heartbeat read fails
    t_lost = events[-1].t_ns
    assert kinds(events)[2:] == [("fault", 0x5A, "board_lost"),
                                 ("release", 0x5A, 2), ("release", 0x5A, 8)]
    assert all(e.t_ns == t_lost for e in events[2:])
    assert not sim.online(0x5A) and sim.touched_mask(0x5A) == 0
    sim.touch(0x5B, 0)  # the other board keeps working
    assert kinds(events)[-1] == ("touch", 0x5B, 0)


def test_read_error_at_an_edge_marks_board_lost(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 2)
    sim.chip(0x5A).plugged = False  # dies without letting go of IRQ first
    sim.chip(0x5A).plugged = True
    sim.bus.detach(0x5A)
    sim.chip(0x5A).touch(3)  # still asserts IRQ on its line, but NACKs on the bus
    assert kinds(events)[1:] == [("fault", 0x5A, "board_lost"), ("release", 0x5A, 2)]


def test_replug_recovers_within_a_second(make_sim, clock):
    sim, events = make_sim()
    sim.unplug(0x5A)
    run_polls(sim, clock, 100)
    assert not sim.online(0x5A)
    lost_at = clock.now_ns()
    run_polls(sim, clock, 500)
    sim.plug(0x5A)
    run_polls(sim, clock, 1000)
    recovered = [e for e in events if e.detail == "board_recovered"]
    assert len(recovered) == 1 and recovered[0].board == 0x5A
    assert recovered[0].t_ns - lost_at <= 1000 * NS_PER_MS
    assert sim.online(0x5A) and sim.chip(0x5A).register(0x41) == 12
    sim.touch(0x5A, 4)
    assert kinds(events)[-1] == ("touch", 0x5A, 4)


def test_offline_board_is_probed_at_most_once_a_second(make_sim, clock):
    sim, _ = make_sim(present=[0x5B])
    errors = sim.bus.errors
    run_polls(sim, clock, 3000)
    # each probe is the driver's empty write then a 1-byte read, both NACKed
    assert sim.bus.errors - errors == 3 * 2


def test_absent_board_at_start(make_sim, clock):
    sim, events = make_sim(present=[0x5B])
    assert events == [sim_fault(0x5A, "board_missing")]
    assert not sim.online(0x5A) and sim.online(0x5B)
    sim.touch(0x5B, 11)
    sim.touch(0x5A, 1)  # nothing on the bus answers for it
    assert kinds(events)[1:] == [("touch", 0x5B, 11)]
    sim.plug(0x5A)  # plugged in late
    run_polls(sim, clock, 1000)
    assert sim.online(0x5A)
    assert kinds(events)[-1] == ("fault", 0x5A, "board_recovered")


def sim_fault(board, detail):
    from station.core.events import Event
    return Event(kind="fault", t_ns=START_NS, board=board, detail=detail)


def test_thresholds_survive_a_replug(make_sim, clock):
    sim, _ = make_sim()
    sim.set_thresholds(0x5A, 0, 30, 15)
    sim.unplug(0x5A)
    run_polls(sim, clock, 100)
    sim.set_thresholds(0x5A, 1, 40, 20)  # while offline: remembered
    sim.plug(0x5A)
    run_polls(sim, clock, 1000)
    chip = sim.chip(0x5A)
    assert (chip.register(0x41), chip.register(0x42)) == (30, 15)
    assert (chip.register(0x43), chip.register(0x44)) == (40, 20)
    assert sim.thresholds(0x5A, 1) == (40, 20)


def test_resting_hand_at_start_is_dead_until_recalibrated(make_sim):
    sim, events = make_sim(start=False)
    sim.touch(0x5A, 5)  # a hand already on the pad at power-up
    sim.start()
    sim.release(0x5A, 5)
    sim.touch(0x5A, 5)
    sim.release(0x5A, 5)
    assert events == []
    sim.recalibrate(0x5A)  # hand off now
    sim.touch(0x5A, 5)
    assert kinds(events) == [("touch", 0x5A, 5)]


def test_stuck_electrode_until_recalibrated(make_sim):
    sim, events = make_sim()
    sim.stick(0x5A, 9)
    sim.touch(0x5A, 9)
    sim.release(0x5A, 9)
    assert kinds(events) == [("touch", 0x5A, 9)]
    assert sim.touched_mask(0x5A) == 1 << 9
    sim.recalibrate(0x5A, [9])
    assert kinds(events)[-1] == ("release", 0x5A, 9)
    sim.touch(0x5A, 9)
    assert kinds(events)[-1] == ("touch", 0x5A, 9)


def test_recalibrating_some_electrodes_leaves_held_pads_alone(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 1)
    sim.stick(0x5A, 2)
    sim.recalibrate(0x5A, electrodes=[2, 3])
    assert kinds(events) == [("touch", 0x5A, 1), ("touch", 0x5A, 2), ("release", 0x5A, 2)]
    assert sim.touched_mask(0x5A) == 1 << 1
    assert sim.chip(0x5A).baseline(1) == 704
    sim.unstick(0x5A, 2)
    sim.release(0x5A, 1)
    assert kinds(events)[-1] == ("release", 0x5A, 1)


def test_calls_on_an_offline_board_are_harmless(make_sim):
    sim, events = make_sim(present=[0x5B])
    sim.recalibrate(0x5A)
    assert sim.strength(0x5A, 0) == 0.0
    assert sim.touched_mask(0x5A) == 0
    assert len(events) == 1
