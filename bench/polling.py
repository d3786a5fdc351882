"""The usual approach, measured in the same run: scan every electrode every 10 ms.

This is what common MPR121 examples do: ``for i in range(12): if mpr121[i].value: ...``
in a loop with ``time.sleep(0.01)``, playing a note when a pad's state changes. Here
it runs on the same parts as the station: the real ``adafruit_mpr121`` driver, the
same simulated chips and bus (4 boards, 48 pads), and a real FluidSynth with the same
"file" audio thread as the daemon. It has no filters, no mapping and no journal, so its
per-touch work is *lighter* than the station's: the comparison favours polling.

A touch lands at a random phase of the 10 ms period; the chip sees it at its next 1 ms
sample, and the first scan after that finds it (virtual time: from that sample to the
scan, as the station's figures start at the IRQ edge the same sample makes), then the
scan reaches its pad (real time, measured from the scan's start to the ``note_on`` of
that pad). The sleep's own overshoot on a real system is not added (again in polling's
favour).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

from bench.rig import TimedSynth
from bench.stats import summary_ms

PERIOD_NS = 10_000_000
ADDRESSES = (0x5A, 0x5B, 0x5C, 0x5D)


def _synth(folder: Path):
    from station.config.station import load_config
    from station.service.opening import open_synth

    return open_synth(load_config(folder / "station.yaml"), realtime=True)


def measure(folder: Path, touches: int, seed: int = 11, boards: int = 4) -> dict:
    """Latency samples (ns) of ``touches`` touches and the cost of one scan."""
    import adafruit_mpr121

    from hardware.i2c_sim import SimI2C
    from hardware.mpr121_sim import SimMPR121
    from station.core.clock import VirtualClock

    rng = random.Random(seed)
    bus = SimI2C(400_000)
    clock = VirtualClock()
    chips, sensors = [], []
    for address in ADDRESSES[:boards]:
        chip = SimMPR121(clock=clock)
        bus.attach(address, chip)
        chips.append(chip)
        sensors.append(adafruit_mpr121.MPR121(bus, address))
    clock.advance(PERIOD_NS)            # the chips' first samples take the baselines
    synth = TimedSynth(_synth(folder))
    state = [[False] * 12 for _ in sensors]

    def scan() -> None:
        # The example's loop body, per board: one `.value` (one I2C read) per electrode.
        for b, mpr in enumerate(sensors):
            for i in range(12):
                touched = mpr[i].value
                if touched != state[b][i]:
                    state[b][i] = touched
                    if touched:
                        synth.note_on(b, 60 + i, 100)
                    else:
                        synth.note_off(b, 60 + i)

    latency, scan_ns = [], []
    tx0, bytes0 = bus.transactions, bus.bytes
    scans = 0
    try:
        for n in range(touches + 10):
            b, e = rng.randrange(boards), rng.randrange(12)
            wait = PERIOD_NS - rng.randrange(PERIOD_NS)   # touch at a random phase
            chips[b].touch(e)
            seen = chips[b].next_deadline()               # the chip's sample that sees it
            clock.advance(wait)                           # to the next scan
            before = len(synth.on_ns)
            while True:                                   # (the next one, if the chip's
                start = time.perf_counter_ns()            # sample came after this scan)
                scan()
                scan_ns.append(time.perf_counter_ns() - start)
                scans += 1
                if len(synth.on_ns) == before + 1:
                    break
                if clock.now_ns() > seen + PERIOD_NS:
                    raise RuntimeError("the polling loop missed a touch")
                clock.advance(PERIOD_NS)
            if n >= 10:     # from the chip seeing the touch, as the IRQ figures are
                latency.append(clock.now_ns() - seen + synth.on_ns[-1] - start)
            chips[b].release(e)
            clock.advance(PERIOD_NS)
            scan()
            scans += 1
    finally:
        synth.close()
    per_scan = (bus.transactions - tx0) / scans
    return {"latency": summary_ms(latency), "scan": summary_ms(scan_ns),
            "tx_per_scan": per_scan, "bytes_per_scan": (bus.bytes - bytes0) / scans,
            "tx_per_s": per_scan * 1e9 / PERIOD_NS, "pads": 12 * boards}
