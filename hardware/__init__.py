"""Everything that touches the station's physical inputs and outputs.

``spec`` describes the wiring (plain data), ``io.Hardware`` is the station's one view
of boards, buttons and lights, identical on a Raspberry Pi and in the simulator
(``touchchip``: the seam every touch chip implements; ``chips``: the MPR121 and the
CAP1188 through their real drivers, and ``chips.CHIPS``, the registry; ``tuning``:
thresholds, recalibration, strength; ``health``: faults and recoveries; ``upkeep``:
settle reads, lifted hands, range re-checks). ``i2c_sim``/``mpr121_sim`` (with its parts
in ``chip/``)/``cap1188_sim``/``sim``/``mock`` are the simulator (shipped in the
package, as gpiozero ships its MockFactory); ``pi`` opens the real bus and pins;
``i2c_dev`` reads registers straight from Linux's i2c-dev (``station doctor``).

Pi libraries (busio, board, adafruit_mpr121, adafruit_cap1188, gpiozero pin factories)
are imported only
inside the leaf modules that need them, lazily, so ``import hardware`` works anywhere.

May import: station.core (events, clock, errors).
"""
