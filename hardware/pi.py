"""The real Raspberry Pi edges: the I2C bus (Blinka's busio) and gpiozero's pins.

Nothing here is imported by ``import hardware``; the daemon imports this module only
when it runs on a Pi. Every failure becomes a ``BoardError`` in plain words.
"""

from __future__ import annotations

import os

from station.core.errors import BoardError

NOT_A_PI = ("This machine does not look like a Raspberry Pi with I2C and GPIO enabled. "
            "Run the station on the Pi, or use the simulator (--sim).")


def open_pi_i2c(frequency: int = 400_000):
    """Open the Pi's I2C bus 1 (GPIO 2 = SDA, GPIO 3 = SCL) as a ``busio.I2C``.

    ``frequency`` is in Hz; on Linux the real bus speed is set by
    ``dtparam=i2c_arm_baudrate=400000`` in /boot/firmware/config.txt, so the value is
    passed on but may be ignored. Blinka checks its own dependencies when ``board`` is
    imported, which can fail in a daemon's environment; BLINKA_SKIP_DEPENDENCY_CHECK=1
    is set first (unless the caller set it) to skip that check.
    """
    os.environ.setdefault("BLINKA_SKIP_DEPENDENCY_CHECK", "1")
    try:
        import board
        import busio

        return busio.I2C(board.SCL, board.SDA, frequency=frequency)
    except (ImportError, AttributeError, NotImplementedError, RuntimeError) as exc:
        raise BoardError(f"{NOT_A_PI} (opening I2C failed: {exc})") from exc
    except (OSError, ValueError) as exc:
        raise BoardError(
            "The I2C bus could not be opened. Enable I2C (sudo raspi-config -> Interface "
            f"Options -> I2C), then reboot. ({exc})"
        ) from exc


def use_pi_pins():
    """Let gpiozero choose its default pin factory now, and return it.

    gpiozero tries lgpio first (the only one that works on a Pi 5, whose GPIO chip
    number has moved between kernels: lgpio finds it), then RPi.GPIO, pigpio and its
    native fallback. GPIOZERO_PIN_FACTORY overrides the choice. lgpio wants a writable
    working directory (it creates a notification pipe there). ``import RPi.GPIO``
    raises RuntimeError off a Pi, which is why only this function may trigger it.
    """
    from gpiozero import Device

    try:
        Device.ensure_pin_factory()
    except Exception as exc:  # BadPinFactory, RuntimeError from RPi.GPIO, ImportError...
        raise BoardError(f"{NOT_A_PI} (no GPIO pin library could be loaded: {exc})") from exc
    return Device.pin_factory
