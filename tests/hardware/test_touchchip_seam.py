"""Every chip in the registry keeps the seam's contract (hardware/touchchip.py), so a
third chip that forgets a part fails here, not on a Pi."""

import pytest

from hardware.chips import CHIPS
from hardware.touchchip import TouchChip
from station.core.clock import VirtualClock

MUST = ("open", "read_mask", "filtered", "baseline", "sensitivity_thresholds",
        "_write_thresholds", "simulator", "inspect")
WORLD = ("touch", "release", "stick", "unstick", "unplug", "plug", "set_noise", "set_drift",
         "next_deadline", "tick", "i2c_present", "i2c_write", "i2c_read")


@pytest.mark.parametrize("name", list(CHIPS))
def test_each_chip_provides_what_the_seam_requires(name):
    chip = CHIPS[name]
    assert chip.name == name and chip.title and chip.electrodes > 0
    assert chip.addresses and set(chip.address_pins) == set(chip.addresses)
    assert all(0x08 <= a <= 0x77 for a in chip.addresses)
    for method in MUST:
        assert getattr(chip, method) is not getattr(TouchChip, method), f"{name}.{method}"
    if chip.can_recalibrate:
        assert chip.recalibrate is not TouchChip.recalibrate
    low, high = chip.threshold_limits
    chip.check_thresholds(*chip.default_thresholds)
    for s in (0.0, 0.5, 1.0):
        touch, release = chip.sensitivity_thresholds(s)
        assert low <= release <= touch <= high


@pytest.mark.parametrize("name", list(CHIPS))
def test_each_chips_simulator_answers_on_the_bus_and_to_the_world(name):
    model = CHIPS[name].simulator(clock=VirtualClock(), salt=1)
    for method in WORLD:
        assert callable(getattr(model, method)), f"{name} simulator lacks {method}"
    assert model.plugged and not model.irq_low
    model.unplug()
    assert not model.i2c_present()

