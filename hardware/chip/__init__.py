"""The simulated MPR121's parts, one concept per module (``mpr121_sim.SimMPR121``
composes them): ``registers`` (map, reset values, decoding), ``electrode`` (the pad's
physics: charge, touch, noise, drift), ``sampling`` (sample period, second filter,
thresholds, debounce), ``baseline`` (load and tracking), ``faults`` (over-current,
auto-configuration, out-of-range), ``regfile`` (register reads and writes, stop/run)
and ``timeline`` (lazy sampling in time, steady electrodes skipped, changes foreseen).
"""
