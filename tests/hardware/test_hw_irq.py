"""Hardware in IRQ mode over the simulator: edges, reads, re-entrancy."""

from hw_fixtures import START_NS, clock, kinds, make_sim, pins, two_board_spec  # noqa: F401 (fixtures)

from hardware.spec import BoardSpec
from station.core.events import Event


def test_start_initialises_boards_without_events(make_sim):
    sim, events = make_sim()
    assert events == []
    assert sim.boards == [0x5A, 0x5B]
    assert sim.online(0x5A) and sim.online(0x5B)
    assert sim.chip(0x5A).register(0x41) == 12 and sim.chip(0x5A).running


def test_touch_edge_reads_once_and_emits_at_edge_time(make_sim, clock):
    sim, events = make_sim()
    before = sim.bus.transactions
    clock.advance(1_234)
    sim.touch(0x5A, 3)
    assert events == [Event(kind="touch", t_ns=START_NS + 1_234, board=0x5A, electrode=3)]
    assert sim.bus.transactions - before == 1  # exactly one touched() read per edge
    assert sim.touched_mask(0x5A) == 1 << 3
    clock.advance(1_000)
    sim.release(0x5A, 3)
    assert events[-1] == Event(kind="release", t_ns=START_NS + 2_234, board=0x5A, electrode=3)
    assert sim.bus.transactions - before == 2


def test_reading_clears_irq_line(make_sim):
    sim, _ = make_sim()
    pin = sim.factory.pin(17)
    pin.clear_states()
    sim.touch(0x5A, 0)
    # low (edge), then high again from inside the read the edge started (re-entrant)
    assert [s.state for s in pin.states] == [True, False, True]
    assert not sim.chip(0x5A).irq_low and not sim.line_low(17)
    sim.touch(0x5A, 1)
    assert [s.state for s in pin.states][-2:] == [False, True]


def test_shared_line_reads_each_board_once(make_sim):
    spec = two_board_spec(boards=(BoardSpec(0x5A, 17), BoardSpec(0x5B, 17)))
    sim, events = make_sim(spec)
    before = sim.bus.transactions
    sim.touch(0x5B, 7)
    assert kinds(events) == [("touch", 0x5B, 7)]
    assert sim.bus.transactions - before == 2
    sim.touch(0x5A, 1)
    sim.release(0x5B, 7)
    assert kinds(events)[1:] == [("touch", 0x5A, 1), ("release", 0x5B, 7)]


def test_releases_are_emitted_before_touches_in_one_read(make_sim):
    sim, events = make_sim()
    sim.touch(0x5A, 4)
    pin = sim.factory.pin(17)
    callback, pin.when_changed = pin.when_changed, None  # hold the edge back
    sim.release(0x5A, 4)
    sim.touch(0x5A, 2)
    pin.when_changed = callback
    sim.poll(START_NS)  # the safety net finds the line low
    assert kinds(events) == [("touch", 0x5A, 4), ("release", 0x5A, 4), ("touch", 0x5A, 2)]


def test_missed_edge_is_served_by_poll(make_sim, clock):
    sim, events = make_sim()
    pin = sim.factory.pin(27)
    callback, pin.when_changed = pin.when_changed, None
    sim.touch(0x5B, 9)
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
    sim.set_thresholds(0x5A, 5, 30, 15)
    assert kinds(events) == [("touch", 0x5A, 1)]
    assert sim.touched_mask(0x5A) == 1 << 1
    assert sim.chip(0x5A).baseline(1) == 704  # not re-taken with the hand on it
    sim.release(0x5A, 1)
    assert kinds(events)[-1] == ("release", 0x5A, 1)


def test_recalibrate_with_hand_on_releases_once(make_sim):
    # The ECR write asserts IRQ synchronously while the bus is in use: the edge is
    # deferred, then found already served by recalibrate's own read.
    sim, events = make_sim()
    sim.touch(0x5A, 6)
    before = sim.bus.transactions
    sim.recalibrate(0x5A)
    assert kinds(events) == [("touch", 0x5A, 6), ("release", 0x5A, 6)]
    assert sim.bus.transactions - before == 3  # ECR stop, ECR run, one status read
    assert not sim.line_low(17)
