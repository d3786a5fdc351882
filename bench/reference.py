"""A reference workload to project the station's cost onto a Raspberry Pi 4 and 5.

The station's per-event cost is pure-Python interpretation (``bench.storm``). To say what
it would be on a Pi without one, a workload of the same kind, whose time on a Pi 4 is
published, is timed here, and the ratio scales our figure:

* the workload: the Computer Language Benchmarks Game's *n-body* (five bodies, the
  pairwise advance with dt = 0.01), pure Python, written here after its published
  algorithm; ``nbody_s_per_million`` = seconds per million steps on this machine (best of
  ``repeats``, CPU time of this thread, so other processes do not inflate it);
* Pi 4: 158.3 s for 5 000 000 steps of the Python n-body (Raspberry Pi 4 Model B 4 GB,
  performance governor, 1.5 GHz; chaitanyamehta.github.io, "Performance Analysis of
  Languages on Raspberry Pi"), i.e. 31.7 s per million steps;
* Pi 5: the Pi 4 figure divided by 2.27, the single-thread ratio of sysbench's CPU test
  (Pi 4 at 1.8 GHz 812 events/s, Pi 5 1 847; zbotic.in, "Raspberry Pi 5 benchmarks"):
  a C workload, so for Python an assumption (the Cortex-A76's wider core helps an
  interpreter at least as much).

``project(r)`` gives ``pi4_factor``/``pi5_factor`` (how many times slower than here) and
the storm's station CPU per raw event and engine share at 2x real time scaled by them.
A projection, not a measurement: run ``make bench`` on the Pi.
"""

from __future__ import annotations

import time

PI4_S_PER_MILLION = 158.3 / 5.0
PI5_OVER_PI4 = 1847 / 812


def _bodies():
    pi, days = 3.14159265358979323, 365.24
    solar = 4 * pi * pi
    data = [  # x, y, z, vx, vy, vz (per day), mass (solar masses)
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0),
        (4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
         1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05,
         9.54791938424326609e-04),
        (8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
         -2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05,
         2.85885980666130812e-04),
        (1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
         2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05,
         4.36624404335156298e-05),
        (1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
         2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05,
         5.15138902046611451e-05)]
    return [[[x, y, z], [vx * days, vy * days, vz * days], m * solar]
            for x, y, z, vx, vy, vz, m in data]


def nbody(steps: int, dt: float = 0.01) -> float:
    """Advance the five bodies ``steps`` times; return the last body's x (a checksum)."""
    bodies = _bodies()
    pairs = [(bodies[i], bodies[j]) for i in range(5) for j in range(i + 1, 5)]
    for _ in range(steps):
        for (p1, v1, m1), (p2, v2, m2) in pairs:
            dx, dy, dz = p1[0] - p2[0], p1[1] - p2[1], p1[2] - p2[2]
            mag = dt * (dx * dx + dy * dy + dz * dz) ** -1.5
            b1, b2 = m1 * mag, m2 * mag
            v1[0] -= dx * b2
            v1[1] -= dy * b2
            v1[2] -= dz * b2
            v2[0] += dx * b1
            v2[1] += dy * b1
            v2[2] += dz * b1
        for p, v, _m in bodies:
            p[0] += dt * v[0]
            p[1] += dt * v[1]
            p[2] += dt * v[2]
    return bodies[-1][0][0]


def measure(steps: int = 200_000, repeats: int = 3) -> dict:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.thread_time()
        nbody(steps)
        best = min(best, time.thread_time() - t0)
    return {"nbody_s_per_million": best / steps * 1e6}


def project(r: dict) -> dict:
    """The Pi factors and the storm's figures scaled by them (None where unmeasured)."""
    here = r.get("nbody_s_per_million")
    if not here:
        return {}
    out = {"pi4_factor": PI4_S_PER_MILLION / here,
           "pi5_factor": PI4_S_PER_MILLION / PI5_OVER_PI4 / here}
    for pi in ("pi4", "pi5"):
        f = out[f"{pi}_factor"]
        us, offered = r.get("storm_us_per_event"), r.get("storm_offered_events_per_s")
        out[f"{pi}_storm_us_per_event"] = None if us is None else us * f
        # the share of one core the station's thread needs for the storm at 2x real time
        out[f"{pi}_storm_core_percent_2x"] = (None if us is None or offered is None
                                              else us * f * offered / 1e4)
    return out
