import errno

import pytest

from hardware.i2c_sim import SimI2C
from hardware.mpr121_sim import SimMPR121


def test_empty_address_raises_remote_io_error():
    bus = SimI2C()
    with pytest.raises(OSError) as info:
        bus.writeto(0x5A, b"\x00")
    assert info.value.errno == errno.EREMOTEIO == 121
    assert bus.errors == 1 and bus.transactions == 1


def test_scan_and_unplugged_device():
    bus = SimI2C()
    a, b = SimMPR121(), SimMPR121()
    bus.attach(0x5A, a)
    bus.attach(0x5C, b)
    assert bus.scan() == [0x5A, 0x5C]
    b.unplug()
    assert bus.scan() == [0x5A]
    with pytest.raises(OSError):
        bus.readfrom_into(0x5C, bytearray(1))


def test_counters_one_transaction_for_write_then_read():
    bus = SimI2C()
    bus.attach(0x5A, SimMPR121())
    buf = bytearray(4)
    bus.writeto_then_readfrom(0x5A, b"\x5c", buf, in_end=2)
    assert bytes(buf[:2]) == b"\x10\x24"  # CONFIG1, CONFIG2 reset values, auto-increment
    assert bus.transactions == 1 and bus.bytes == 3
    bus.writeto(0x5A, b"\x5d")
    bus.readfrom_into(0x5A, buf, start=1, end=2)
    assert buf[1] == 0x24 and bus.transactions == 3


def test_lock_is_exclusive():
    bus = SimI2C()
    assert bus.try_lock() and not bus.try_lock()
    bus.unlock()
    assert bus.try_lock()
