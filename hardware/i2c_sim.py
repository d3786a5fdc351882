"""A simulated I2C bus with the busio.I2C methods the Adafruit drivers use.

Devices attach at 7-bit addresses and implement three methods (see ``I2CTarget``):
``i2c_write(data)``, ``i2c_read(n) -> bytes`` and ``i2c_present() -> bool``. An address
with no device, or whose device reports not present (unplugged), raises
``OSError(121, "Remote I/O error")`` exactly as Linux's i2c-dev does on a NACK.

``transactions`` counts bus transactions (start ... stop; a ``writeto_then_readfrom``
with its repeated start is one) and ``bytes`` counts payload bytes moved, so benchmarks
can state I2C cost. At 400 kHz one byte is ~22.5 us on the wire (9 clocks).
"""

from __future__ import annotations

import errno
import threading
from typing import Protocol

REMOTE_IO = errno.EREMOTEIO  # 121 on Linux


def nack() -> OSError:
    """The error Linux raises when no device acknowledges its address."""
    return OSError(REMOTE_IO, "Remote I/O error")


class I2CTarget(Protocol):
    """What a simulated device provides to the bus."""

    def i2c_present(self) -> bool: ...
    def i2c_write(self, data: bytes) -> None: ...
    def i2c_read(self, n: int) -> bytes: ...


class SimI2C:
    """A simulated bus: ``busio.I2C``'s interface over attached ``I2CTarget`` devices.

    ``try_lock`` is a non-reentrant bus lock like busio's (the Adafruit drivers spin on
    it); it is not owner-checked. Every transfer method checks all arguments first,
    then talks to the device.
    """

    def __init__(self, frequency: int = 400_000) -> None:
        self.frequency = frequency
        self.transactions = 0
        self.bytes = 0
        self.errors = 0
        self._devices: dict[int, I2CTarget] = {}
        self._locked = False
        self._guard = threading.Lock()
        self._deinited = False

    # -- devices -----------------------------------------------------------------------
    def attach(self, address: int, device: I2CTarget) -> None:
        """Put ``device`` on the bus at 7-bit ``address`` (0x08..0x77)."""
        if not 0x08 <= address <= 0x77:
            raise ValueError(f"I2C address 0x{address:02X} is outside 0x08..0x77")
        if address in self._devices:
            raise ValueError(f"an I2C device is already attached at 0x{address:02X}")
        self._devices[address] = device

    def detach(self, address: int) -> None:
        """Remove the device at ``address`` (it then NACKs like an empty address)."""
        self._devices.pop(address, None)

    def device(self, address: int) -> I2CTarget | None:
        return self._devices.get(address)

    # -- busio.I2C interface ------------------------------------------------------------
    def try_lock(self) -> bool:
        with self._guard:
            if self._locked:
                return False
            self._locked = True
            return True

    def unlock(self) -> None:
        with self._guard:
            self._locked = False

    def scan(self) -> list[int]:
        """Addresses that answer (one zero-length write each, counted)."""
        found = []
        for address in sorted(self._devices):
            try:
                self.writeto(address, b"")
            except OSError:
                continue
            found.append(address)
        return found

    def writeto(self, address: int, buffer, *, start: int = 0, end: int | None = None) -> None:
        """Write ``buffer[start:end]`` to the device at ``address`` (one transaction)."""
        data = bytes(memoryview(buffer)[start:end])
        target = self._begin(address)
        self.bytes += len(data)
        if data:
            target.i2c_write(data)

    def readfrom_into(self, address: int, buffer, *, start: int = 0,
                      end: int | None = None) -> None:
        """Read into ``buffer[start:end]`` from the device (one transaction)."""
        view = memoryview(buffer)[start:end]
        target = self._begin(address)
        data = target.i2c_read(len(view))
        view[:] = data
        self.bytes += len(data)

    def writeto_then_readfrom(
        self, address: int, buffer_out, buffer_in, *,
        out_start: int = 0, out_end: int | None = None,
        in_start: int = 0, in_end: int | None = None,
    ) -> None:
        """Write then read with a repeated start: one transaction."""
        out = bytes(memoryview(buffer_out)[out_start:out_end])
        view = memoryview(buffer_in)[in_start:in_end]
        target = self._begin(address)
        if out:
            target.i2c_write(out)
        data = target.i2c_read(len(view))
        view[:] = data
        self.bytes += len(out) + len(data)

    def deinit(self) -> None:
        """Release the bus (idempotent). Further transfers raise ValueError."""
        self._deinited = True

    def __enter__(self) -> SimI2C:
        return self

    def __exit__(self, *exc) -> None:
        self.deinit()

    # -- internals ----------------------------------------------------------------------
    def _begin(self, address: int) -> I2CTarget:
        if self._deinited:
            raise ValueError("the simulated I2C bus has been deinitialised")
        self.transactions += 1
        target = self._devices.get(address)
        if target is None or not target.i2c_present():
            self.errors += 1
            raise nack()
        return target

    @property
    def stats(self) -> dict[str, int]:
        """``{"transactions", "bytes", "errors"}`` so far."""
        return {"transactions": self.transactions, "bytes": self.bytes, "errors": self.errors}
