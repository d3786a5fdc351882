"""A simulated MPR121 on a simulated bus with a virtual clock, driven by the real
adafruit_mpr121 driver (imported by the chip test modules; not a conftest.py, see
hw_fixtures)."""

from __future__ import annotations

from dataclasses import dataclass, field

import adafruit_mpr121
import pytest

from hardware.i2c_sim import SimI2C
from hardware.mpr121_sim import SimMPR121
from station.core.clock import VirtualClock

MS = 1_000_000


@dataclass
class Rig:
    chip: SimMPR121
    bus: SimI2C
    clock: VirtualClock
    irq: list = field(default_factory=list)
    mpr: adafruit_mpr121.MPR121 | None = None

    def driver(self) -> adafruit_mpr121.MPR121:
        """Initialise the chip with the real driver (soft reset, its settings, run)."""
        self.mpr = adafruit_mpr121.MPR121(self.bus, 0x5A)
        return self.mpr

    def wait(self, ms: float) -> None:
        """Let ``ms`` milliseconds of virtual time pass, the chip sampling meanwhile."""
        self.clock.advance(int(ms * MS))
        self.chip.tick(self.clock.now_ns())

    def write(self, *pairs: tuple[int, int]) -> None:
        for reg, value in pairs:
            self.bus.writeto(0x5A, bytes([reg, value]))


def make_rig(**chip_args) -> Rig:
    clock = VirtualClock()
    irq: list = []
    chip = SimMPR121(on_irq=irq.append, clock=clock, **chip_args)
    bus = SimI2C()
    bus.attach(0x5A, chip)
    return Rig(chip, bus, clock, irq)


@pytest.fixture
def rig() -> Rig:
    return make_rig()
