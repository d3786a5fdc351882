"""Hardware in IRQ mode over the simulator: edges at the chip's samples, reads,
re-entrancy, the settle time after the chip restarts."""

from hw_fixtures import SETTLED_NS, clock, kinds, make_sim, pins, two_board_spec  # noqa: F401

from hardware.spec import BoardSpec
from station.core.clock import NS_PER_MS
from station.core.events import Event


def test_start_initialises_boards_without_events(make_sim):
    sim, events = make_sim()
    assert events == []
    assert sim.boards == [0x5A, 0x5B]
    assert sim.online(0x5A) and sim.online(0x5B)
    assert sim.chip(0x5A).register(0x41) == 12 and sim.chip(0x5A).running
    assert sim.chip(0x5A).register(0x7B) == 0x08      # configured once, then left off


def test_touch_edge_reads_once_and_emits_at_the_sample_that_saw_it(make_sim, clock):
    sim, events = make_sim()
    before = sim.bus.transactions
    clock.advance(1_234)
    sim.touch(0x5A, 3)
    edge = sim.next_deadline()
    assert edge == SETTLED_NS + NS_PER_MS          # the chip's next 1 ms sample
    sim.run_until(edge + 5 * NS_PER_MS)
    assert events == [Event(kind="touch", t_ns=edge, board=0x5A, electrode=3)]
    assert sim.bus.transactions - before == 1      # exactly one touched() read per edge
    assert sim.touched_mask(0x5A) == 1 << 3
    sim.release(0x5A, 3)
    sim.run_for(10)
    # the data climbs back 24 counts a sample: under the release threshold (6) at the 4th
    assert events[-1] == Event(kind="release", t_ns=edge + 9 * NS_PER_MS, board=0x5A,
                               electrode=3)
    assert sim.bus.transactions - before == 2


def test_reading_clears_irq_line(make_sim):
    sim, _ = make_sim()
    pin = sim.factory.pin(17)
    pin.clear_states()
    sim.touch(0x5A, 0)
    sim.run_for(5)
    # low (edge), then high again from inside the read the edge started (re-entrant)
    assert [s.state for s in pin.states] == [True, False, True]
    assert not sim.chip(0x5A).irq_low and not sim.line_low(17)
    sim.touch(0x5A, 1)
    sim.run_for(5)
    assert [s.state for s in pin.states][-2:] == [False, True]


def test_shared_line_reads_each_board_once(make_sim):
    spec = two_board_spec(boards=(BoardSpec(0x5A, 17), BoardSpec(0x5B, 17)))
    sim, events = make_sim(spec)
    before = sim.bus.transactions
    sim.touch(0x5B, 7)
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5B, 7)]
    assert sim.bus.transactions - before == 2
    sim.touch(0x5A, 1)
    sim.release(0x5B, 7)
    sim.run_for(10)
    assert kinds(events)[1:] == [("touch", 0x5A, 1), ("release", 0x5B, 7)]


def test_releases_are_emitted_before_touches_in_one_read(make_sim, clock):
    sim, events = make_sim()
    sim.touch(0x5A, 4)
    sim.run_for(5)
    pin = sim.factory.pin(17)
    callback, pin.when_changed = pin.when_changed, None  # hold the edge back
    sim.release(0x5A, 4)
    sim.touch(0x5A, 2)
    sim.run_for(10)
    pin.when_changed = callback
    sim.poll(clock.now_ns())  # the safety net finds the line low
    assert kinds(events) == [("touch", 0x5A, 4), ("release", 0x5A, 4), ("touch", 0x5A, 2)]


def test_missed_edge_is_served_by_poll(make_sim, clock):
    sim, events = make_sim()
    pin = sim.factory.pin(27)
    callback, pin.when_changed = pin.when_changed, None
    sim.touch(0x5B, 9)
    sim.run_for(5)
    pin.when_changed = callback
    assert events == [] and sim.line_low(27)
    clock.advance(10_000_000)
    sim.poll(clock.now_ns())
    assert events == [Event(kind="touch", t_ns=clock.now_ns(), board=0x5B, electrode=9)]
    assert not sim.line_low(27)


def test_poll_in_irq_mode_reads_nothing_when_quiet(make_sim, clock):
    sim, _ = make_sim()
    sim.poll(clock.now_ns())  # boards were read at start: heartbeat not due
    before = sim.bus.transactions
    clock.advance(10_000_000)
    sim.poll(clock.now_ns())
    assert sim.bus.transactions == before


def test_heartbeat_reads_irq_boards_every_tenth_of_a_second(make_sim, clock):
    sim, _ = make_sim()
    before = sim.bus.transactions
    for _ in range(10):
        clock.advance(10_000_000)
        sim.poll(clock.now_ns())
    assert sim.bus.transactions - before == 2  # one read per board per 100 ms


def test_set_thresholds_while_a_pad_is_held_keeps_it_held(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 1)
    sim.run_for(5)
    sim.set_thresholds(0x5A, 5, 30, 15)        # stop, write, run: the chip restarts
    sim.poll(sim._clock.now_ns() + NS_PER_MS)  # a read inside the settle time waits
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5A, 1)]
    assert sim.touched_mask(0x5A) == 1 << 1
    assert sim.chip(0x5A).baseline(1) == 704   # not re-taken with the hand on it
    sim.release(0x5A, 1)
    sim.run_for(10)
    assert kinds(events)[-1] == ("release", 0x5A, 1)


def test_recalibrate_with_hand_on_releases_once(make_sim, clock):
    # The chip restarts: its status is read once its first samples are in (2 ms later).
    sim, events = make_sim()
    sim.touch(0x5A, 6)
    sim.run_for(5)
    before = sim.bus.transactions
    t0 = clock.now_ns()
    sim.recalibrate(0x5A)
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5A, 6), ("release", 0x5A, 6)]
    assert events[-1].t_ns == t0 + 2 * NS_PER_MS
    assert sim.bus.transactions - before == 3  # ECR stop, ECR run, one status read
    assert not sim.line_low(17)
