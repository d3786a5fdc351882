"""Pipeline latency: from the IRQ line falling to the synth's note-on, through the daemon.

The stack measured is the shipped one, unchanged: the simulated MPR121 pulls its IRQ
line low (a gpiozero mock pin) -> ``hardware.io.Hardware`` reads the touched mask with
the real ``adafruit_mpr121`` driver over the simulated bus -> ``Station.put`` wakes the
daemon's engine thread -> accessibility stage, turn gate, pad mapping -> ``note_on``
(then lights and the journal queue). The start is stamped inside the pin's
``drive_low``; the end when the real Synth's ``note_on`` returned (``rig.TimedSynth``).

Two ways of running it:

* threaded (the headline figure): the real ``Daemon.run`` loop in the main thread, the
  world touched from a second thread as gpiozero's edge thread does on a Pi, so the
  figure includes the thread hand-off (``threading.Event`` wake-up, GIL) and any poll the
  loop is busy with when the edge comes;
* inline: one thread touches, takes the chip's sample itself when it is due and drains:
  the same code minus the hand-off, i.e. what the station's own Python costs per touch.

The simulated chips sample every 1 ms (the driver's setting): in the threaded run they
do it in a thread of their own (``SimulatedHardware(chip_thread=True)``, as the daemon
builds it on the real clock), which pulls the IRQ line low and runs the read, as
gpiozero's edge thread does on a Pi. The wait for that sample is the chip's, not the
station's, and is not in these figures (it is in the latency budget).

Touches are spaced by a random 0.5..3 ms so edges land at random phases of the loop's
10 ms poll timer. The first ``WARMUP`` touches are discarded.
"""

from __future__ import annotations

import random
import time

from bench.rig import LastEmit, barrier, run_daemon, stamp_edges
from bench.stats import summary_ms

WARMUP = 20
ELECTRODES = 12


def _sample_inline(world) -> None:
    """Inline: take the chips' next sample in this thread as soon as it is due."""
    due = world.next_deadline()
    if due is None:
        return
    while (now := world._clock.now_ns()) < due:
        if due - now > 200_000:
            time.sleep((due - now - 100_000) / 1e9)
    world.tick(now)


def _settle(daemon, timed, world, threaded: bool) -> None:
    """Wait until the engine has handled what was just touched (or handle it inline)."""
    if threaded:
        if not timed.reached.wait(10):
            raise TimeoutError("no note-on within 10 s of a touch: the pipeline is stuck")
        barrier(daemon)
    else:
        deadline = time.monotonic() + 10
        while timed._target is not None:          # the note-ons expected
            if time.monotonic() > deadline:
                raise TimeoutError("no note-on within 10 s of a touch: the pipeline is stuck")
            _sample_inline(world)
            daemon.station.drain()


def _release_settle(daemon, world, pads, threaded: bool) -> None:
    """Wait until the chips have seen the hands lift and the engine has handled it."""
    deadline = time.monotonic() + 10
    while any(world.touched_mask(a) >> e & 1 for a, e in pads):
        if time.monotonic() > deadline:
            raise TimeoutError("a release was not seen within 10 s")
        if threaded:
            time.sleep(0.0005)
        else:
            _sample_inline(world)
    if threaded:
        barrier(daemon)
    else:
        daemon.station.drain()


def single_touches(n: int, seed: int, threaded: bool):
    """A driver for ``run_daemon``: ``n`` one-pad touches (round robin over boards,
    random electrode), each released before the next. Returns a dict of sample lists
    (ns) plus I2C counts per touch edge."""
    def driver(daemon, timed, world):
        rng = random.Random(seed)
        stamps = stamp_edges(world)
        last = LastEmit()
        daemon.station.engine.add_listener("bench", last)
        bus = world.bus
        boards = world.boards
        if not threaded:
            world.set_chip_thread(False)   # this thread takes the samples
        out = {"note": [], "sinks": [], "tx": [], "bytes": []}
        for i in range(n + WARMUP):
            address, e = boards[i % len(boards)], rng.randrange(ELECTRODES)
            timed.expect(1)
            k, tx, nbytes = len(stamps), bus.transactions, bus.bytes
            world.touch(address, e)     # at the next sample: the edge, the read, the hand-off
            _settle(daemon, timed, world, threaded)
            tx, nbytes = bus.transactions - tx, bus.bytes - nbytes
            if i >= WARMUP:
                edge = stamps[k]
                out["note"].append(timed.on_ns[-1] - edge)
                out["sinks"].append(last.t_ns - edge)
                out["tx"].append(tx)
                out["bytes"].append(nbytes)
            world.release(address, e)
            _release_settle(daemon, world, [(address, e)], threaded)
            if threaded:
                time.sleep(rng.uniform(0.0005, 0.003))
        return out
    return driver


def bursts(reps: int, seed: int, threaded: bool = True):
    """A driver: ``reps`` times, every pad of every board touched within one MPR121 sample
    (``world.at_once``), then all released. Latency of each note is measured from the
    first IRQ line to fall; ``last`` is the edge -> last note of the burst."""
    def driver(daemon, timed, world):
        rng = random.Random(seed)
        stamps = stamp_edges(world)
        pads = [(a, e) for a in world.boards for e in range(ELECTRODES)]
        out = {"note": [], "last": [], "pads": len(pads)}
        for r in range(reps + 2):
            timed.expect(len(pads))
            k, m = len(stamps), len(timed.on_ns)
            with world.at_once():
                for a, e in pads:
                    world.touch(a, e)
            _settle(daemon, timed, world, threaded)
            if r >= 2:
                edge = stamps[k]
                notes = timed.on_ns[m:m + len(pads)]
                out["note"].extend(t - edge for t in notes)
                out["last"].append(max(notes) - edge)
            with world.at_once():
                for a, e in pads:
                    world.release(a, e)
            _release_settle(daemon, world, pads, threaded)
            time.sleep(rng.uniform(0.0005, 0.003))
        return out
    return driver


def measure(config_path, *, touches: int, reps: int, seed: int = 7) -> dict:
    """Single-touch (threaded and inline) and 48-pad burst latency on one config."""
    threaded = run_daemon(config_path, single_touches(touches, seed, True))
    inline = run_daemon(config_path, single_touches(touches, seed, False), threaded=False)
    burst = run_daemon(config_path, bursts(reps, seed))
    return {
        "single": summary_ms(threaded["note"]),
        "single_sinks": summary_ms(threaded["sinks"]),
        "inline": summary_ms(inline["note"]),
        "burst": summary_ms(burst["note"]),
        "burst_last": summary_ms(burst["last"]),
        "burst_pads": burst["pads"],
        "tx_per_edge": sorted(threaded["tx"])[len(threaded["tx"]) // 2],
        "bytes_per_edge": sorted(threaded["bytes"])[len(threaded["bytes"]) // 2],
    }
