"""The usual approach, measured in the same run: scan every electrode every 10 ms.

This is what common MPR121 examples do: ``for i in range(12): if mpr121[i].value: ...``
in a loop with ``time.sleep(0.01)``, playing a note when a pad's state changes. Here
it runs on the same parts as the station: the real ``adafruit_mpr121`` driver, the
same simulated chips and bus (4 boards, 48 pads), and a real FluidSynth with the same
"file" audio thread as the daemon. It has no filters, no mapping and no journal, so its
per-touch work is *lighter* than the station's: the comparison favours polling.

A touch lands at a random phase of the 10 ms period; it waits for the next scan
(virtual time: period - phase), then the scan reaches its pad (real time, measured
from the scan's start to the ``note_on`` of that pad). The sleep's own overshoot on a
real system is not added (again in polling's favour).
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
    from station.service.daemon import open_synth

    return open_synth(load_config(folder / "station.yaml"), realtime=True)


def measure(folder: Path, touches: int, seed: int = 11, boards: int = 4) -> dict:
    """Latency samples (ns) of ``touches`` touches and the cost of one scan."""
    import adafruit_mpr121

    from hardware.i2c_sim import SimI2C
    from hardware.mpr121_sim import SimMPR121

    rng = random.Random(seed)
    bus = SimI2C(400_000)
    chips, sensors = [], []
    for address in ADDRESSES[:boards]:
        chip = SimMPR121()
        bus.attach(address, chip)
        chips.append(chip)
        sensors.append(adafruit_mpr121.MPR121(bus, address))
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
            before = len(synth.on_ns)
            start = time.perf_counter_ns()
            scan()
            scan_ns.append(time.perf_counter_ns() - start)
            scans += 1
            if len(synth.on_ns) != before + 1:
                raise RuntimeError("the polling loop missed a touch")
            if n >= 10:
                latency.append(wait + synth.on_ns[-1] - start)
            chips[b].release(e)
            scan()
            scans += 1
    finally:
        synth.close()
    per_scan = (bus.transactions - tx0) / scans
    return {"latency": summary_ms(latency), "scan": summary_ms(scan_ns),
            "tx_per_scan": per_scan, "bytes_per_scan": (bus.bytes - bytes0) / scans,
            "tx_per_s": per_scan * 1e9 / PERIOD_NS, "pads": 12 * boards}
