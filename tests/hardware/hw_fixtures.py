"""Fixtures for the hardware tests: gpiozero's real MockFactory, a virtual clock, and
a builder for a started SimulatedHardware that records every event it emits.

Each test module imports them. This is deliberately not a conftest.py: a second
``conftest`` module would shadow ``from conftest import ...`` in tests/."""

from __future__ import annotations

import pytest
from gpiozero import Device

from hardware.mock import use_mock_pins
from hardware.sim import SimulatedHardware
from hardware.spec import BoardSpec, ButtonSpec, HardwareSpec, LightSpec
from station.core.clock import VirtualClock

START_NS = 5_000_000_000


@pytest.fixture
def pins():
    factory = use_mock_pins()
    yield factory
    factory.reset()
    Device.pin_factory = None


@pytest.fixture
def clock():
    return VirtualClock(START_NS)


def two_board_spec(**overrides) -> HardwareSpec:
    """0x5A on IRQ line 17, 0x5B on line 27, a button and two lights."""
    fields = dict(
        boards=(BoardSpec(0x5A, 17), BoardSpec(0x5B, 27)),
        buttons=(ButtonSpec("next_turn", 5), ButtonSpec("p1_switch", 6)),
        lights=(LightSpec("p1", 12), LightSpec("ready", 13, pwm=False)),
    )
    fields.update(overrides)
    return HardwareSpec(**fields)


SETTLED_NS = START_NS + 5_000_000   # the boards' first samples and settle reads are in


@pytest.fixture
def make_sim(pins, clock):
    """make_sim(spec=None, present=None, start=True) -> (sim, events). A started sim has
    run 5 ms (to ``SETTLED_NS``): its chips have taken their first samples."""
    made = []

    def make(spec=None, present=None, start=True, **world):
        events = []
        sim = SimulatedHardware(spec or two_board_spec(), events.append, clock,
                                present=present, **world)
        made.append(sim)
        if start:
            sim.start()
            sim.run_until(SETTLED_NS)
        return sim, events

    yield make
    for sim in made:
        sim.close()


def kinds(events):
    """Compact view of events: (kind, board, electrode) or (kind, button) or
    (kind, board, detail)."""
    out = []
    for e in events:
        if e.button is not None:
            out.append((e.kind, e.button))
        elif e.detail is not None:
            out.append((e.kind, e.board, str(e.detail)))    # the journal text
        else:
            out.append((e.kind, e.board, e.electrode))
    return out
