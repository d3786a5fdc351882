"""``station run``: the headless daemon, on real time, on a Pi or on the simulator.

One engine thread (this one) sleeps until the next event, timer or poll; hardware
callbacks and the control socket only queue work and wake it. SIGTERM and SIGINT stop it
cleanly: all notes off, journal flushed, socket removed.
"""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path

from station.clock import MonotonicClock
from station.config import StationConfig, load_config
from station.control import ControlServer, refuse_if_running
from station.errors import AudioError
from station.journal import Journal
from station.runtime import Station
from station.soundfont import find_soundfont
from station.synth import AudioSettings, Synth

log = logging.getLogger("station")


def open_synth(config: StationConfig, realtime: bool = True) -> Synth:
    """The real-time synth of the config; without a working device, a silent offline one."""
    soundfont = find_soundfont(config.soundfont)
    a = config.audio
    if realtime:
        settings = AudioSettings(driver=a["driver"], device=a["device"],
                                 period_size=a["period_size"], periods=a["periods"],
                                 sample_rate=a["sample_rate"])
        try:
            return Synth(soundfont, sample_rate=a["sample_rate"], gain=a["gain"], audio=settings)
        except AudioError as exc:
            log.warning("%s Playing silently; the journal still records everything.", exc)
    return Synth(soundfont, sample_rate=a["sample_rate"], gain=a["gain"])


def hardware_factory(config: StationConfig, kind: str, clock):
    """Build the Hardware for ``kind`` ('pi' or 'sim'); Pi libraries load only here."""
    if kind == "sim":
        from hardware.mock import use_mock_pins
        from hardware.sim import SimulatedHardware
        from station.wiring import hardware_spec
        use_mock_pins()
        holder = {}

        def make(emit):
            holder["world"] = SimulatedHardware(hardware_spec(config), emit=emit, clock=clock)
            return holder["world"]
        return make, holder
    from hardware.io import Hardware
    from hardware.pi import open_pi_i2c, use_pi_pins
    from station.wiring import hardware_spec
    use_pi_pins()

    def make(emit):
        return Hardware(hardware_spec(config), open_pi_i2c(config.input["i2c_frequency"]),
                        emit, clock)
    return make, {}


class Daemon:
    def __init__(self, config_path: str | Path | None, hardware: str = "pi",
                 audio: bool = True) -> None:
        self.config = load_config(config_path)
        refuse_if_running(self.config.control_socket)
        self.clock = MonotonicClock()
        self.stop_event = threading.Event()
        make, self.sim = hardware_factory(self.config, hardware, self.clock)
        synth = open_synth(self.config, realtime=audio)
        journal = Journal(self.config.journal, station=self.config.name)
        self.station = Station(self.config, synth=synth, journal=journal, clock=self.clock,
                               hardware_factory=make)
        self.control = ControlServer(self.config.control_socket, self.station.submit)
        self._register()

    def _register(self) -> None:
        h = self.control.handlers
        h["status"] = self.status
        h["stop"] = self.stop
        if self.sim:
            h["sim"] = self._sim_action

    def stop(self) -> str:
        self.stop_event.set()
        self.station.wake.set()
        return "stopping"

    def status(self) -> dict:
        s = self.station.engine.status()
        s["journal"] = self.station.journal.health()
        s["hardware"] = "sim" if self.sim else "pi"
        return s

    def _sim_action(self, action: str, **args) -> str:
        world = self.sim["world"]
        getattr(world, action)(**args)
        return "ok"

    def run(self) -> int:
        """Run until SIGTERM/SIGINT or a stop command; return the exit code."""
        def on_signal(signum, frame):
            self.stop_event.set()
            self.station.wake.set()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, on_signal)
        station = self.station
        try:
            station.start()
            self.control.start()
            log.info("station ready: %d players, control socket %s",
                     len(self.config.players), self.config.control_socket)
            while not self.stop_event.is_set():
                now = self.clock.now_ns()
                timeout = max(0.0, (station.next_wakeup() - now) / 1e9)
                if station.wake.wait(timeout):
                    station.wake.clear()
                station.drain()
                station.step(self.clock.now_ns())
        finally:
            self.control.close()
            station.close()
        return 0


def run(config_path=None, hardware: str = "pi", audio: bool = True) -> int:
    return Daemon(config_path, hardware, audio).run()
