"""Boards that vanish, come back, start absent, rest a hand at start, stick, stop on
over-current, or have a pad out of range."""

from hw_fixtures import START_NS, clock, kinds, make_sim, pins  # noqa: F401 (fixtures)

from station.core.clock import NS_PER_MS
from station.core.details import Fault


def run_polls(sim, clock, ms, every_ms=10):
    for _ in range(int(ms // every_ms)):
        clock.advance(every_ms * NS_PER_MS)
        sim.poll(clock.now_ns())


def live(sim, ms, poll_ms=10):
    """As a station runs it: the chips' samples and settle reads on time, a poll every
    ``poll_ms`` (heartbeats, re-probes, lifted-hand checks, range re-checks)."""
    for _ in range(int(ms // poll_ms)):
        sim.run_for(poll_ms)
        sim.poll(sim._clock.now_ns())


def test_unplug_mid_touch_emits_fault_and_releases(make_sim, clock):
    sim, events = make_sim()
    sim.touch(0x5A, 2)
    sim.touch(0x5A, 8)
    sim.run_for(5)
    sim.unplug(0x5A)
    assert sim.online(0x5A)  # nothing read it yet
    run_polls(sim, clock, 100)  # the heartbeat read fails
    t_lost = events[-1].t_ns
    assert kinds(events)[2:] == [("fault", 0x5A, "board_lost"),
                                 ("release", 0x5A, 2), ("release", 0x5A, 8)]
    assert all(e.t_ns == t_lost for e in events[2:])
    assert not sim.online(0x5A) and sim.touched_mask(0x5A) == 0
    sim.touch(0x5B, 0)  # the other board keeps working
    sim.run_for(5)
    assert kinds(events)[-1] == ("touch", 0x5B, 0)


def test_read_error_at_an_edge_marks_board_lost(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 2)
    sim.run_for(5)
    sim.bus.detach(0x5A)
    sim.chip(0x5A).touch(3)  # still asserts IRQ on its line, but NACKs on the bus
    sim.run_for(5)
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
    recovered = [e for e in events if e.detail == Fault("board_recovered")]
    assert len(recovered) == 1 and recovered[0].board == 0x5A
    assert recovered[0].t_ns - lost_at <= 1000 * NS_PER_MS
    assert sim.online(0x5A) and sim.chip(0x5A).register(0x41) == 12
    sim.touch(0x5A, 4)
    sim.run_for(5)
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
    sim.run_for(5)
    assert kinds(events)[1:] == [("touch", 0x5B, 11)]
    sim.plug(0x5A)  # plugged in late
    run_polls(sim, clock, 1000)
    assert sim.online(0x5A)
    assert kinds(events)[-1] == ("fault", 0x5A, "board_recovered")


def sim_fault(board, detail):
    from station.core.events import Event
    return Event(kind="fault", t_ns=START_NS, board=board, detail=Fault(detail))


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


def test_a_hand_resting_at_start_leaves_a_pad_that_sounds_once_it_lifts(make_sim, clock):
    # The first baseline is taken under the hand (ECR CL = 10; auto-configuration also
    # charged that pad harder, 19 uA instead of 16). Once the hand lifts, the station's
    # lifted-hand watch (every 0.25 s after a baseline load) re-takes that baseline; the
    # chip's own tracking alone would need ~1 s before a medium touch (0.5 of a palm)
    # reads as one (1 count per 15 ms, ~70 counts to make up).
    sim, events = make_sim(start=False)
    sim.touch(0x5A, 5)           # a hand already on the pad at power-up
    sim.start()
    sim.run_for(100)
    chip = sim.chip(0x5A)
    assert chip.register(0x5F + 5) == 19 and events == []
    assert chip.baseline(5) < chip.data(5) + 12 < chip.level(5) + 200
    sim.release(0x5A, 5)
    live(sim, 200)               # the watch's check at start + 250 ms re-takes it
    assert abs(chip.baseline(5) - chip.data(5)) < 4 and chip.data(5) > 800
    sim.touch(0x5A, 5, 0.5)
    sim.run_for(10)
    assert kinds(events) == [("touch", 0x5A, 5)]


def test_stuck_electrode_until_recalibrated(make_sim):
    sim, events = make_sim()
    sim.stick(0x5A, 9)           # water on the pad: reads like a palm
    sim.run_for(5)
    sim.touch(0x5A, 9)
    sim.release(0x5A, 9)
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5A, 9)]
    assert sim.touched_mask(0x5A) == 1 << 9
    sim.recalibrate(0x5A, [9])   # the baseline is re-taken with the water on
    sim.run_for(5)
    assert kinds(events)[-1] == ("release", 0x5A, 9)
    sim.touch(0x5A, 9)
    sim.run_for(5)
    assert kinds(events)[-1] == ("touch", 0x5A, 9)


def test_recalibrating_some_electrodes_leaves_held_pads_alone(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 1)
    sim.stick(0x5A, 2)
    sim.run_for(5)
    sim.recalibrate(0x5A, electrodes=[2, 3])
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5A, 1), ("touch", 0x5A, 2), ("release", 0x5A, 2)]
    assert sim.touched_mask(0x5A) == 1 << 1
    assert sim.chip(0x5A).baseline(1) == 704
    sim.unstick(0x5A, 2)
    sim.release(0x5A, 1)
    sim.run_for(10)
    assert kinds(events)[-1] == ("release", 0x5A, 1)


def test_calls_on_an_offline_board_are_harmless(make_sim):
    sim, events = make_sim(present=[0x5B])
    sim.recalibrate(0x5A)
    assert sim.strength(0x5A, 0) == 0.0
    assert sim.touched_mask(0x5A) == 0
    assert len(events) == 1


def test_an_over_current_is_a_fault_then_recovers_when_the_short_is_gone(make_sim, clock):
    # The chip stops on OVCF (data sheet §5.1) and pulls IRQ low: the station reads the
    # flag (the driver would hand it over as bit 15), releases the pads, and retries
    # every second: clear OVCF, re-initialise. One fault, one recovery.
    sim, events = make_sim()
    sim.touch(0x5A, 3)
    sim.run_for(5)
    sim.overcurrent(0x5A)
    sim.run_for(1)
    assert kinds(events)[1:] == [("fault", 0x5A, "board_overcurrent"), ("release", 0x5A, 3)]
    assert not sim.online(0x5A)
    run_polls(sim, clock, 3000)           # three re-initialisations refused: still one fault
    assert [e.detail for e in events].count(Fault("board_overcurrent")) == 1
    assert not sim.online(0x5A)
    sim.overcurrent(0x5A, on=False)
    run_polls(sim, clock, 1000)
    assert kinds(events)[-1] == ("fault", 0x5A, "board_recovered")
    assert sim.online(0x5A) and sim.chip(0x5A).running
    sim.run_for(5)
    sim.release(0x5A, 3)         # the hand was on the pad when it restarted
    live(sim, 300)               # the lifted-hand watch re-takes its baseline
    sim.touch(0x5A, 3)
    sim.run_for(5)
    assert kinds(events)[-1] == ("touch", 0x5A, 3)


def test_a_pad_out_of_range_is_a_fault_and_is_rechecked(make_sim, clock):
    # Auto-configuration (§5.13) cannot bring a pad shorted to ground within range: its
    # OOR bit (§5.12) becomes a fault event for that electrode. The board keeps playing;
    # it is re-initialised every 10 s while untouched, so a repaired wire comes back.
    sim, events = make_sim(start=False)
    sim.short(0x5B, 7)
    sim.start()
    sim.run_for(5)
    assert [(e.board, e.electrode, e.detail) for e in events] == \
        [(0x5B, 7, Fault("electrode_out_of_range"))]
    assert sim.online(0x5B)
    sim.touch(0x5B, 6)
    sim.run_for(5)
    assert kinds(events)[-1] == ("touch", 0x5B, 6)
    sim.release(0x5B, 6)
    sim.short(0x5B, 7, on=False)
    live(sim, 10_000)            # the re-check at start + 10 s
    assert [(e.electrode, e.detail) for e in events if e.kind == "fault"] == \
        [(7, Fault("electrode_out_of_range")), (7, Fault("electrode_in_range"))]
