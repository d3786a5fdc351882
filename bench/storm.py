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

What the busy time holds is split (``bench.breakdown.SimTimer``): the simulated chips'
own model (samples, filters, baseline, forecasts) and the world's hands are the
simulator's (``storm_sim_us_per_event``); the rest is the station's: the driver's read,
the engine, the listeners, the journal's queue (``storm_us_per_event``, µs of station
time per raw event handled). These per-event costs are CPU time of the storm's thread
(``time.thread_time`` around each sample's work, so other processes on a shared machine
do not inflate them), split by the simulation's share of the same work's wall time; the
busy percentages are wall time (``perf_counter``), as the issue defines them. The synth
is offline, so its audio is rendered between samples, outside the busy time, as the
audio thread does on a station (unrendered, its voices and event queue fill and every
note-on takes FluidSynth's failure path). GC pauses during the storm are counted
(``gc.callbacks``); the heap is settled after start as the daemon does
(``station.service.heap``). ``python -m bench.storm [seconds] [--profile]`` runs it
alone, optionally under cProfile.
"""

from __future__ import annotations

import collections
import gc
import random
import sqlite3
import sys
import time
from pathlib import Path
from statistics import median

from bench.breakdown import SimTimer
from bench.noise import GcWatch

PERIOD_NS = 50_000_000       # 20 Hz
HELD_NS = 25_000_000
SAMPLE_NS = 1_000_000        # the MPR121 sample interval the driver sets (1 ms)
CHECKED = ("touch", "release", "note_on", "note_off")
RENDER_NS = 20_000_000       # the synth's audio is rendered in 20 ms chunks between samples
CHUNK_NS = 1_000_000_000     # per-event cost per virtual second: median and best of them


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


def measure(config_path: Path, seconds: float, speed: float = 2.0, seed: int = 3,
            profile=None) -> dict:
    """Run the storm at ``speed`` x real time (2: twice the stated event rate, so a pass
    has a margin; flat out, faster than any station meets, would only measure how far
    the bench outruns the journal's disk writer). ``storm_events_per_s`` is capacity:
    raw events handled per second of the engine thread's busy time. ``profile``: a
    ``cProfile.Profile`` to run over the storm's loop only (start-up and close left out);
    ``storm_calls_per_event`` is then its function calls per raw event handled, a count
    of the work (simulation included) that no other process on the machine changes."""
    from hardware.mock import use_mock_pins
    from hardware.sim import SimulatedHardware
    from station.config.station import load_config
    from station.core.clock import VirtualClock
    from station.engine.runtime import Station
    from station.engine.wiring import hardware_spec
    from station.journal.writer import Journal
    from station.service import heap
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
    sim = SimTimer().attach(world)
    gc_watch = GcWatch()
    rate = synth.sample_rate
    rendered_ns = render_s = 0.0
    try:
        station.start()
        gc_before = heap.settle()        # as the daemon does once started
        gc.callbacks.append(gc_watch._callback)
        if profile is not None:
            profile.enable()
        t0 = time.perf_counter()
        busy = cpu = 0.0
        chunks, mark = [], (0, 0.0, 0.0, 0.0)    # per virtual second: events, cpu, wall, sim
        for t_ns, changes in plan:
            if t_ns >= (len(chunks) + 1) * CHUNK_NS:
                done = emitted["touch"] + emitted["release"]
                chunks.append((done - mark[0], cpu - mark[1], busy - mark[2],
                               sim.seconds - mark[3]))
                mark = (done, cpu, busy, sim.seconds)
            if t_ns - rendered_ns >= RENDER_NS:          # the audio thread's share
                r0 = time.perf_counter()
                frames = int((t_ns - rendered_ns) * rate / 1e9) // 64 * 64
                synth.render(frames)
                rendered_ns += frames * 1e9 / rate
                render_s += time.perf_counter() - r0
            ahead = t_ns / 1e9 / speed - (time.perf_counter() - t0)
            if ahead > 0.002:                        # keep to ``speed`` x real time
                time.sleep(ahead)
            b0, c0 = time.perf_counter(), time.thread_time()
            while (due := station.next_wakeup()) <= t_ns:   # timers, polls, the chips'
                due = max(due, clock.now_ns())                # samples due before it
                clock.set(due)
                station.step(due)
            clock.set(t_ns)
            with sim.inside(), world.at_once():
                for down, address, e in changes:
                    (world.touch if down else world.release)(address, e)
            inbox_high = max(inbox_high, len(station.inbox))
            station.drain()
            busy += time.perf_counter() - b0
            cpu += time.thread_time() - c0
            queue_high = max(queue_high, journal.health()["queued"])
        wall = time.perf_counter() - t0
        if profile is not None:
            profile.disable()
        # the raw events the engine handled (the chips' samples bring them inside steps)
        handled = sum(emitted[k] for k in raw_kinds)
    finally:
        if gc_watch._callback in gc.callbacks:
            gc.callbacks.remove(gc_watch._callback)
            heap.restore(gc_before)
        station.close()       # all notes off, journal flushed and closed
    health = journal.health()
    # station CPU per raw event in each virtual second (the storm is steady): the median
    # is the figure, the best second shows the cost with the least disturbance
    per_event = [c * (1 - sm / w) / n for n, c, w, sm in chunks if n and w] \
        or [cpu * (1 - sim.seconds / busy) / handled]
    sim_share = sim.seconds / busy
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
        # the busy time split: the simulated chips' model vs the station (see above)
        "storm_us_per_event_mean": cpu * (1 - sim_share) / handled * 1e6,
        "storm_us_per_event": median(per_event) * 1e6,
        "storm_us_per_event_best": min(per_event) * 1e6,
        "storm_sim_us_per_event": cpu * sim_share / handled * 1e6,
        "storm_sim_share": sim_share,
        "storm_cpu_busy_percent": cpu / wall * 100.0,
        "storm_station_cpu_percent": cpu * (1 - sim_share) / wall * 100.0,
        "storm_station_events_per_s": handled / (cpu * (1 - sim_share)),
        "storm_render_s": render_s,
        "storm_gc_collections": len(gc_watch.pauses),
        "storm_gc_gen2_collections": gc_watch.count(2),
        "storm_gc_pause_max_ms": gc_watch.worst_ms(),
        "storm_journal_rows_per_s": rows / wall,
        "storm_emitted_events": sum(emitted[k] for k in CHECKED),
        "storm_journal_rows": rows,
        "storm_lost_events": max(lost, health["lost"]),
        "storm_journal_reported_lost": health["lost"],
        "storm_queue_high_water": queue_high, "storm_inbox_high_water": inbox_high,
    }


def main(argv: list[str]) -> int:
    """``python -m bench.storm [seconds] [--profile]``: the storm alone (2x real time),
    its figures, and with ``--profile`` the 30 functions of most own time (cProfile,
    which slows everything: read its shares, not its times)."""
    import cProfile
    import pstats
    import tempfile

    from bench.rig import write_config

    seconds = float(next((a for a in argv if not a.startswith("-")), 10.0))
    with tempfile.TemporaryDirectory(prefix="station-storm-") as tmp:
        config = write_config(Path(tmp), quick_start=True)
        profile = cProfile.Profile() if "--profile" in argv else None
        r = measure(config, seconds, profile=profile)
        if profile is not None:
            stats = pstats.Stats(profile)
            stats.sort_stats("tottime").print_stats(30)
            r["storm_calls_per_event"] = stats.total_calls / r["storm_events_handled"]
    for key, value in r.items():
        print(f"{key:<34} {value:.6g}" if isinstance(value, float) else f"{key:<34} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
