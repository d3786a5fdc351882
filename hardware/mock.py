"""gpiozero's mock pins for the simulator and the tests (no Raspberry Pi needed)."""

from __future__ import annotations


def use_mock_pins():
    """Make gpiozero use ``MockFactory(pin_class=MockPWMPin)`` for every new device and
    return the factory. PWMLED needs MockPWMPin; ``pin.drive_low()/drive_high()`` then
    run edge callbacks synchronously in the caller's thread. Between tests, close the
    devices and call ``factory.reset()`` (or call this again for a fresh factory)."""
    from gpiozero import Device
    from gpiozero.pins.mock import MockFactory, MockPWMPin

    factory = MockFactory(pin_class=MockPWMPin)
    Device.pin_factory = factory
    return factory


def is_mock_factory(factory) -> bool:
    """True if ``factory`` is a gpiozero MockFactory (whose pins we can drive)."""
    from gpiozero.pins.mock import MockFactory

    return isinstance(factory, MockFactory)
