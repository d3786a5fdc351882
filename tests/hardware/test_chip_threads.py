"""The simulated MPR121 used from several threads at once, as a threaded program
(gpiozero's edge thread reading, another thread changing the world, a third letting
time pass) would: one lock keeps every transaction whole."""

import threading

from adafruit_bus_device.i2c_device import I2CDevice
from chip_fixtures import MS, make_rig


def test_threads_touching_reading_and_ticking_see_whole_samples():
    r = make_rig()
    mpr = r.driver()
    r.wait(5)
    errors: list[BaseException] = []
    stop = threading.Event()
    clock_lock = threading.Lock()
    bursts: list[list[int]] = []

    def world():
        """At least 3000 changes, and on until the readers have read 100 bursts among
        them (a loaded machine gives the readers fewer turns; the count is not a speed)."""
        try:
            i = 0
            while (i < 3000 or len(bursts) <= 100) and i < 1_000_000:
                i += 1
                with r.chip.at_once():       # all twelve pads together, or none
                    for e in range(12):
                        (r.chip.touch if i % 2 == 0 else r.chip.release)(e)
        except BaseException as exc:         # reported below
            errors.append(exc)

    def time_passes():
        try:
            while not stop.is_set():
                with clock_lock:
                    r.clock.advance(MS)
                    now = r.clock.now_ns()
                r.chip.tick(now)
        except BaseException as exc:
            errors.append(exc)

    device = I2CDevice(r.bus, 0x5A, probe=False)     # takes the bus lock, as the driver

    def reader():
        try:
            while not stop.is_set():
                raw = bytearray(24)
                with device:
                    device.write_then_readinto(b"\x04", raw)
                bursts.append([raw[2 * e] | raw[2 * e + 1] << 8 for e in range(12)])
                mpr.touched()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=f) for f in (time_passes, reader, reader)]
    for t in threads:
        t.start()
    world()
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert len(bursts) > 100
    # Each burst is one sample of the chip: the twelve pads moved together, so all
    # twelve data values are equal in every burst.
    assert all(len(set(b)) == 1 for b in bursts)
    assert {b[0] for b in bursts} - {0} <= set(range(608, 705))
