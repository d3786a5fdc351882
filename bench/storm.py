"""Load: a tremor storm through the whole station, with a real journal.

All 48 electrodes (4 boards x 12) make and break at 20 Hz each (touched 25 ms, free
25 ms: 40 edges per electrode per second, 1920 raw events per second; the worst tremor
in the guide is 4-12 Hz), each electrode at its own random phase, for ``seconds`` of
virtual time. Changes are grouped by the MPR121's 1 ms sample period (the driver's
setting) and land together (``world.at_once``): the simulated chips see them at their
next sample (a quarter of a firm palm is in their 4-sample filter after one sample: a
touch is seen 1 ms later, a lift 4 ms later), and one IRQ edge may carry several.

The station is the shipped composition (``station.engine.runtime.Station``: the engine with
the seated clients' accessibility stages, the turn gate, mapping, a real offline
FluidSynth, the SQLite ``Journal`` writer thread, simulated hardware), driven on a
``VirtualClock`` as fast as it goes, with its timers and polls run in order. Wall time
gives events handled per second; the journal's queue is sampled after every drain for
its high-water mark. At the end the rows in the SQLite file are counted and compared
with every event the engine emitted: the difference is lost events.
"""

from __future__ import annotations

import collections
import random
import sqlite3
import time
from pathlib import Path

PERIOD_NS = 50_000_000       # 20 Hz
HELD_NS = 25_000_000
SAMPLE_NS = 1_000_000        # the MPR121 sample interval the driver sets (1 ms)
CHECKED = ("touch", "release", "note_on", "note_off")


def schedule(boards, seconds: float, seed: int) -> list[tuple[int, list]]:
    """[(t_ns, [(touch?, address, electrode), ...])] sorted, grouped per 1 ms sample."""
    rng = random.Random(seed)
    end = int(seconds * 1e9)
    slots: dict[int, list] = {}
    for address in boards:
        for e in range(12):
            t = SAMPLE_NS + rng.randrange(PERIOD_NS)
            while t + HELD_NS < end:
                for when, down in ((t, True), (t + HELD_NS, False)):
                    slot = when // SAMPLE_NS * SAMPLE_NS
                    slots.setdefault(slot, []).append((down, address, e))
                t += PERIOD_NS
    return sorted(slots.items())


def measure(config_path: Path, seconds: float, speed: float = 2.0, seed: int = 3) -> dict:
    """Run the storm at ``speed`` x real time (2: twice the stated event rate, so a pass
    has a margin; flat out, faster than any station meets, would only measure how far
    the bench outruns the journal's disk writer). ``storm_events_per_s`` is capacity:
    raw events handled per second of the engine thread's busy time."""
    from hardware.mock import use_mock_pins
    from hardware.sim import SimulatedHardware
    from station.config.station import load_config
    from station.core.clock import VirtualClock
    from station.engine.runtime import Station
    from station.engine.wiring import hardware_spec
    from station.journal.writer import Journal
    from station.sound.soundfont import find_soundfont
    from station.sound.synth import Synth

    config = load_config(config_path)
    db = Path(config.journal)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    use_mock_pins()
    clock = VirtualClock()
    box = {}

    def make(emit):
        box["world"] = SimulatedHardware(hardware_spec(config), emit=emit, clock=clock)
        return box["world"]

    synth = Synth(find_soundfont(config.soundfont), sample_rate=config.audio["sample_rate"],
                  gain=config.audio["gain"])
    journal = Journal(db, station=config.name)
    station = Station(config, synth=synth, journal=journal, clock=clock,
                      hardware_factory=make)
    emitted = collections.Counter()

    def count(event) -> None:
        emitted[event.kind] += 1
    station.engine.add_listener("bench", count)
    raw_kinds = ("touch", "release")
    world = box["world"]
    plan = schedule(world.boards, seconds, seed)
    raw = sum(len(changes) for _, changes in plan)
    queue_high = inbox_high = 0
    handled = 0
    try:
        station.start()
        t0 = time.perf_counter()
        busy = 0.0
        for t_ns, changes in plan:
            ahead = t_ns / 1e9 / speed - (time.perf_counter() - t0)
            if ahead > 0.002:                        # keep to ``speed`` x real time
                time.sleep(ahead)
            b0 = time.perf_counter()
            while (due := station.next_wakeup()) <= t_ns:   # timers, polls, the chips'
                due = max(due, clock.now_ns())                # samples due before it
                clock.set(due)
                station.step(due)
            clock.set(t_ns)
            with world.at_once():
                for down, address, e in changes:
                    (world.touch if down else world.release)(address, e)
            inbox_high = max(inbox_high, len(station.inbox))
            station.drain()
            busy += time.perf_counter() - b0
            queue_high = max(queue_high, journal.health()["queued"])
        wall = time.perf_counter() - t0
        # the raw events the engine handled (the chips' samples bring them inside steps)
        handled = sum(emitted[k] for k in raw_kinds)
    finally:
        station.close()       # all notes off, journal flushed and closed
    health = journal.health()
    # Lost = touch/release/note rows the engine emitted but the file lacks (the journal
    # also writes rows of its own, e.g. timbre changes, so totals are not compared).
    with sqlite3.connect(db) as conn:
        found = dict(conn.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind"))
    lost = sum(max(0, emitted[k] - found.get(k, 0)) for k in CHECKED)
    rows = sum(found.get(k, 0) for k in CHECKED)
    return {
        "storm_seconds_virtual": seconds, "storm_wall_s": wall,
        "storm_raw_events": raw, "storm_events_handled": handled,
        "storm_speed": speed, "storm_offered_events_per_s": raw / seconds * speed,
        "storm_events_per_s": handled / busy,
        "storm_engine_busy_percent": busy / wall * 100.0,
        "storm_journal_rows_per_s": rows / wall,
        "storm_emitted_events": sum(emitted[k] for k in CHECKED),
        "storm_journal_rows": rows,
        "storm_lost_events": max(lost, health["lost"]),
        "storm_journal_reported_lost": health["lost"],
        "storm_queue_high_water": queue_high, "storm_inbox_high_water": inbox_high,
    }
