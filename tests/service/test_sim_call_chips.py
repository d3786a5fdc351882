"""The control socket's simulator actions on a station mixing chips: what a board's chip
has not (an electrode beyond its 8) is refused in plain words."""

import pytest
from gpiozero import Device

from hardware.mock import use_mock_pins
from hardware.sim import SimulatedHardware
from hardware.spec import BoardSpec, HardwareSpec
from station.core.clock import VirtualClock
from station.core.errors import StationError
from station.service.limits import sim_call


@pytest.fixture
def world():
    factory = use_mock_pins()
    spec = HardwareSpec(boards=(BoardSpec(0x5A, 17), BoardSpec(0x29, 27, "cap1188")))
    sim = SimulatedHardware(spec, [].append, VirtualClock())
    sim.start()
    yield sim
    sim.close()
    factory.reset()
    Device.pin_factory = None


def test_a_cap1188_takes_touches_on_its_eight_pads_only(world):
    sim_call(world, "touch", {"address": 0x29, "electrode": 7})
    with pytest.raises(StationError, match="a CAP1188 has inputs 0..7, got 9"):
        sim_call(world, "touch", {"address": 0x29, "electrode": 9})
    sim_call(world, "touch", {"address": 0x5A, "electrode": 11})

