"""I2C cost: what the counted transactions would take on a real bus at 100 and 400 kHz.

``SimI2C`` counts transactions and payload bytes; the simulated bus itself takes no
time, so wire time is modelled. The model (standard-/fast-mode I2C, no clock stretching):

* every byte on the wire is 9 clocks (8 data bits + ACK), the address byte included;
* START and STOP cost about 1 clock each; a repeated START (write-then-read, as the
  driver's ``touched()`` does) costs 1 clock plus a second address byte;
* so one ``touched()`` read (address+W, register, Sr, address+R, 2 data bytes) is
  1 + 9 + 9 + 1 + 9 + 18 + 1 = 48 clocks: 120 us at 400 kHz, 480 us at 100 kHz.

Not modelled: the kernel's per-transfer overhead (i2c-dev ioctl, the BCM2835/RP1
controller's interrupt) and the time between transfers, which add to every one of them
and so count against polling (48 transfers per scan) far more than against IRQ mode.
"""

from __future__ import annotations

CLOCKS_PER_BYTE = 9
START_STOP_CLOCKS = 2


def wire_clocks(transactions: float, payload_bytes: float, repeated_starts: float) -> float:
    """Bus clocks for that many transactions moving that many payload bytes."""
    address_bytes = transactions + repeated_starts
    return (CLOCKS_PER_BYTE * (payload_bytes + address_bytes)
            + START_STOP_CLOCKS * transactions + repeated_starts)


def wire_ms(transactions: float, payload_bytes: float, repeated_starts: float,
            hz: int) -> float:
    """Wire time in milliseconds at bus clock ``hz``."""
    return wire_clocks(transactions, payload_bytes, repeated_starts) / hz * 1000.0


def cost(tx_per_touch: float, bytes_per_touch: float, polling_tx_per_scan: float,
         polling_bytes_per_scan: float, polling_tx_per_s: float,
         idle_tx_per_s: float, idle_bytes_per_s: float, touches_per_s: float = 1.0) -> dict:
    """Result keys of the I2C comparison. Every read here is write-then-read (one
    repeated start per transaction). ``touches_per_s``: the activity assumed when
    spreading polling's constant traffic over touches (1 touch per second: a lively
    session for one player)."""
    out = {
        "i2c_transactions_per_touch": tx_per_touch,
        "i2c_bytes_per_touch": bytes_per_touch,
        "irq_idle_i2c_transactions_per_s": idle_tx_per_s,
        "polling_i2c_transactions_per_scan": polling_tx_per_scan,
        "polling_i2c_bytes_per_scan": polling_bytes_per_scan,
        "polling_i2c_transactions_per_s": polling_tx_per_s,
        "polling_i2c_transactions_per_touch_at_1_per_s": polling_tx_per_s / touches_per_s,
    }
    for hz, tag in ((100_000, "100k"), (400_000, "400k")):
        out[f"i2c_wire_ms_per_touch_{tag}"] = wire_ms(tx_per_touch, bytes_per_touch,
                                                      tx_per_touch, hz)
        scan = wire_ms(polling_tx_per_scan, polling_bytes_per_scan, polling_tx_per_scan, hz)
        out[f"polling_scan_wire_ms_{tag}"] = scan
        # share of the bus the scan occupies: above 100 % the loop cannot keep its period
        out[f"polling_bus_busy_percent_{tag}"] = scan / 10.0 * 100.0
        out[f"irq_idle_bus_busy_percent_{tag}"] = wire_ms(
            idle_tx_per_s, idle_bytes_per_s, idle_tx_per_s, hz) / 1000.0 * 100.0
    return out


def idle_driver(seconds: float):
    """A ``rig.run_daemon`` driver: the daemon left alone for ``seconds`` (wall time);
    returns (transactions/s, bytes/s) on its bus: IRQ mode's background traffic (the
    heartbeat read that notices an unplugged board)."""
    def driver(daemon, timed, world):
        import time
        bus = world.bus
        tx, nbytes, t0 = bus.transactions, bus.bytes, time.perf_counter()
        time.sleep(seconds)
        dt = time.perf_counter() - t0
        return (bus.transactions - tx) / dt, (bus.bytes - nbytes) / dt
    return driver
