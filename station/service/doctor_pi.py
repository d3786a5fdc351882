"""``station doctor`` on a Raspberry Pi: the touch boards, Blinka and the GPIO library.

* **boards**: opens ``/dev/i2c-1`` and asks each configured board's chip class what its
  registers say (``hardware.touchchip.TouchChip.inspect``): an MPR121's CONFIG2 (0x5D:
  0x24 after reset, 0x20 once the station started it), its out-of-range status and,
  unless a station is running (a read of the touch status would take its interrupt),
  its over-current flag; a CAP1188's product and manufacturer IDs. Every message names
  the chip. With a station running, its own view of the boards (``station status``)
  is used.
* **board module**: imports Blinka's ``board`` as the daemon does (with
  ``BLINKA_SKIP_DEPENDENCY_CHECK=1``); on a Pi 4/5 it needs the Python ``gpiod``.
* **pins**: which pin factory gpiozero will use (``GPIOZERO_PIN_FACTORY``, else the
  first of lgpio, RPi.GPIO, pigpio that is installed; RPi.GPIO does not work on a Pi 5);
  its native fallback cannot dim the lights.

Every lookup goes through the ``Machine`` (``open_i2c``, ``try_import``, ``env``,
``find_module``, ``daemon_status``), so tests run the checks on a prepared machine with
simulated chips behind the bus.
"""

from __future__ import annotations

import errno

from hardware.chips import chip_class

WIRES = "3.3 V, GND, SDA to GPIO 2, SCL to GPIO 3"
APT_GPIOD = ("sudo apt-get install python3-libgpiod, then ./run.sh test again (on a Pi "
             "the station's .venv sees the system's packages); or .venv/bin/pip install gpiod")


def check_boards(config, status: dict | None, m, checks, check_type) -> None:
    """One check per configured board (or one for the bus when it cannot be opened);
    ``status``: the running station's answer (None when none runs)."""
    bus_path = m.path("/dev/i2c-1")
    try:
        bus = m.open_i2c(bus_path)
    except OSError as exc:
        checks.append(check_type("i2c bus", False, f"cannot open /dev/i2c-1: {_why(exc)}",
                                 _bus_fix(exc)))
        return
    try:
        for b in (config.boards if config is not None else ()):
            checks.append(_board(bus, b.address, getattr(b, "chip", "mpr121"), status,
                                 check_type))
    finally:
        bus.close()


def _board(bus, address: int, chip_name: str, status: dict | None, check_type):
    chip = chip_class(chip_name)
    name = f"board 0x{address:02X}"
    try:
        seen = chip.inspect(bus.read_register, address, quiet=status is not None)
    except OSError as exc:
        if exc.errno == errno.EREMOTEIO:
            return check_type(name, False, f"{name} ({chip.title}) does not answer on I2C "
                              f"bus 1", f"check its four wires ({WIRES}) and its address "
                              f"pin ({chip.address_pins.get(address, 'ADDR')}); "
                              f"'i2cdetect -y 1' lists the addresses that answer")
        return check_type(name, False, f"{name} could not be read: {_why(exc)}", _bus_fix(exc))
    if not seen.is_it:
        return check_type(name, False, f"{name} answers but is not {chip.a_title()} as "
                          f"expected ({seen.seen})", "another device may use this address "
                          "(or the config names the wrong chip: 'chip:' under 'boards'): "
                          "unplug the other I2C devices and run 'i2cdetect -y 1'")
    overcurrent, oor = seen.overcurrent, seen.out_of_range
    live = (status or {}).get("boards", {}).get(f"{address:#x}")
    if live is not None:
        overcurrent = live.get("last_fault") == "board_overcurrent" and not live["online"]
        oor = [p["electrode"] for p in live.get("out_of_range") or []]
    if overcurrent:
        return check_type(name, False, f"{name} reports an over-current on its REXT pin "
                          f"and will not measure", "a short on the board or in its "
                          "wiring: unplug its pads one by one to find it; check the board "
                          "for solder bridges; then restart the station")
    if oor:
        pads = ", ".join(str(e) for e in oor)
        return check_type(name, False, f"{name}: electrode(s) {pads} out of range (the chip "
                          f"could not charge them to a readable level)", "check those pads' "
                          "wires for a break or a short to ground, and that no pad is far "
                          "bigger than the others; the station checks again every 10 s")
    return check_type(name, True, f"{name} answers ({chip.a_title()}, {seen.state})")


def check_board_module(m, checks, check_type) -> None:
    """Import Blinka's ``board`` as the daemon does; say what is missing."""
    if not (m.find_module("board") and m.find_module("busio")):
        checks.append(check_type("blinka", False, "Adafruit Blinka is not installed",
                                 "./run.sh test on the Pi (installs it into .venv)"))
        return
    checks.append(check_type("blinka", True, "Adafruit Blinka is installed (the daemon sets "
                             "BLINKA_SKIP_DEPENDENCY_CHECK=1)"))
    problem = m.try_import("board")
    if problem is None:
        checks.append(check_type("board module", True, "Blinka's board module loads: it "
                                 "knows this Pi's pins"))
    elif "gpiod" in problem:
        checks.append(check_type("board module", False, "Blinka cannot load the Pi's pins: "
                                 "the Python module 'gpiod' is missing", APT_GPIOD))
    else:
        checks.append(check_type("board module", False, f"Blinka's board module does not "
                                 f"load: {problem}", "check that this is a Raspberry Pi OS "
                                 "or Debian arm64 system with I2C enabled, then ./run.sh test"))


def check_pins(model: str, m, checks, check_type) -> None:
    """The pin factory gpiozero will pick, and whether it works on this model."""
    pi5 = "pi 5" in model.lower()
    chosen = m.env.get("GPIOZERO_PIN_FACTORY")
    if chosen is None:
        for name, module in (("lgpio", "lgpio"), ("rpigpio", "RPi.GPIO"), ("pigpio", "pigpio")):
            if m.find_module(module) and not (pi5 and name == "rpigpio"):
                chosen = name
                break
    if pi5 and not m.find_module("lgpio"):
        checks.append(check_type("lgpio", False, "lgpio is missing: on a Pi 5 RPi.GPIO does "
                                 "not work, so the buttons and lights cannot be used",
                                 "sudo apt-get install python3-lgpio (the venv uses system "
                                 "site packages on a Pi), or .venv/bin/pip install lgpio"))
    elif pi5:
        checks.append(check_type("lgpio", True, "lgpio is installed (gpiozero uses it on a Pi 5)"))
    if chosen is None:
        checks.append(check_type("pins", False, "no GPIO library for gpiozero: it would fall "
                                 "back to its own native pins, which cannot dim the lights",
                                 "sudo apt-get install python3-lgpio (Raspberry Pi OS) or "
                                 "python3-rpi.gpio (Pi 1-4), or .venv/bin/pip install lgpio"))
    else:
        checks.append(check_type("pins", True, f"gpiozero will use its '{chosen}' pin factory"))


def _why(exc: OSError) -> str:
    return {errno.ENOENT: "it does not exist (I2C is not enabled)",
            errno.EACCES: "permission denied", errno.EPERM: "permission denied",
            errno.ENOTTY: "it is not an I2C bus"}.get(exc.errno, exc.strerror or str(exc))


def _bus_fix(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "sudo usermod -aG i2c <user> (the station user), then log in again"
    return "sudo raspi-config nonint do_i2c 0, then reboot"
