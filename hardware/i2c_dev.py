"""Register reads straight from Linux's i2c-dev (``/dev/i2c-N``), for ``station doctor``.

No Pi library is needed: an ``open``, the ``I2C_SLAVE`` ioctl to choose the device,
a one-byte write of the register number and a read. It only reads (the doctor must not
disturb a station that is running), and every failure is an ``OSError`` with its errno:
ENOENT (no such bus), EACCES (not in the ``i2c`` group), ENOTTY (not an I2C bus),
EREMOTEIO (121: no device answers at that address).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

I2C_SLAVE = 0x0703           # linux/i2c-dev.h


class LinuxI2C:
    """``read_register(address, register, n) -> bytes`` on one i2c-dev bus."""

    def __init__(self, path: str | Path = "/dev/i2c-1") -> None:
        self.path = Path(path)
        self._fd = os.open(self.path, os.O_RDWR | os.O_CLOEXEC)

    def read_register(self, address: int, register: int, n: int = 1) -> bytes:
        fcntl.ioctl(self._fd, I2C_SLAVE, address)
        os.write(self._fd, bytes([register]))
        data = os.read(self._fd, n)
        if len(data) != n:
            raise OSError(5, f"short read from 0x{address:02X}")
        return data

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> LinuxI2C:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class BusRegisters:
    """The same ``read_register`` over a busio-style bus (the simulated ``SimI2C``)."""

    def __init__(self, i2c) -> None:
        self.i2c = i2c

    def read_register(self, address: int, register: int, n: int = 1) -> bytes:
        out = bytearray(n)
        self.i2c.writeto_then_readfrom(address, bytes([register]), out)
        return bytes(out)

    def close(self) -> None:
        pass
