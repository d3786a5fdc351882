"""Buttons and lights on gpiozero's real MockFactory; close(); imports off a Pi."""

import subprocess
import sys

import pytest
from gpiozero import LED, PWMLED
from hw_fixtures import SETTLED_NS, START_NS, clock, kinds, make_sim, pins  # noqa: F401

from station.core.events import Event


def test_buttons_emit_press_and_unpress(make_sim, clock):
    sim, events = make_sim()
    clock.advance(7)
    sim.press("next_turn")
    clock.advance(3)
    sim.unpress("next_turn")
    sim.press("p1_switch")
    assert events == [
        Event(kind="press", t_ns=SETTLED_NS + 7, button="next_turn"),
        Event(kind="unpress", t_ns=SETTLED_NS + 10, button="next_turn"),
        Event(kind="press", t_ns=SETTLED_NS + 10, button="p1_switch"),
    ]


def test_pwm_and_on_off_lights(make_sim):
    sim, _ = make_sim()
    assert isinstance(sim.light("p1"), PWMLED) and isinstance(sim.light("ready"), LED)
    sim.set_light("p1", 0.25)
    sim.set_light("p1", 1.7)  # clamped
    sim.set_light("p1", 0)
    assert sim.light_state("p1") == 0.0
    assert sim.light_history("p1") == [0.0, 0.25, 1.0, 0.0]
    sim.set_light("ready", 0.8)
    assert sim.light_state("ready") == 1.0
    sim.set_light("ready", 0.2)
    assert sim.light_history("ready") == [0.0, 1.0, 0.0]
    with pytest.raises(KeyError, match="p1"):
        sim.light("nope")


def test_close_is_idempotent_and_silences_inputs(make_sim):
    sim, events = make_sim()
    light = sim.light("p1")
    sim.close()
    sim.close()
    assert light.closed
    sim.touch(0x5A, 0)
    sim.run_for(5)
    sim.poll(START_NS + 10**9)
    assert events == []


def test_events_keep_flowing_after_the_emitter_reenters(make_sim):
    # An engine running synchronously may answer a touch by calling back in.
    sim, events = make_sim()

    def emit(event):
        events.append(event)
        if event.kind == "touch":
            sim.set_light("p1", 1.0)
            sim.set_thresholds(0x5A, event.electrode, 20, 10)

    sim._emit = emit
    sim.touch(0x5A, 3)
    sim.run_for(5)
    sim.touch(0x5A, 4)
    sim.run_for(5)
    assert kinds(events) == [("touch", 0x5A, 3), ("touch", 0x5A, 4)]
    assert sim.thresholds(0x5A, 4) == (20, 10) and sim.light_state("p1") == 1.0


def test_importing_station_and_hardware_never_imports_pi_libraries():
    code = (
        "import sys, station, hardware, hardware.spec, hardware.io, hardware.sim, "
        "hardware.pi, hardware.mock, hardware.chips, hardware.cap1188_sim\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('RPi', 'lgpio', 'board', 'busio', 'adafruit_mpr121', 'adafruit_cap1188', "
        "'gpiozero')]\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=_repo())
    assert out.stdout.strip() == "[]"


def test_simulator_runs_without_rpi(tmp_path):
    code = (
        "import sys\n"
        "from hardware.sim import SimulatedHardware\n"
        "from hardware.spec import HardwareSpec, BoardSpec\n"
        "from station.core.clock import VirtualClock\n"
        "ev = []\n"
        "sim = SimulatedHardware(HardwareSpec(boards=(BoardSpec(0x5A, 17),)), ev.append,"
        " VirtualClock())\n"
        "sim.start(); sim.run_for(5); sim.touch(0x5A, 1); sim.run_for(5); sim.close()\n"
        "print(len(ev), [m for m in sys.modules if m.split('.')[0] in ('RPi', 'lgpio')])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=_repo())
    assert out.stdout.strip() == "1 []"


def _repo():
    from pathlib import Path
    return str(Path(__file__).resolve().parents[2])
