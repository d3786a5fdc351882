"""Shared fixtures: gpiozero's real MockFactory, paths, and the ``station`` command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"

# Set by ./run.sh pi-check, which runs the suite on an arm64 root under qemu's user-mode
# emulation (~10x slower): Chromium does not start there, and tests that hold real
# deadlines (a kill -9 within 200 ms of a write, MIDI through a running JACK server)
# measure the emulator, not the code. They are skipped there, and say so.
EMULATED = os.environ.get("STATION_EMULATED") == "1"


# The fixtures that bring up a part beyond Python: tests using them get its marker, so
# ``pytest -m "not browser"`` (or realtime) leaves them out; ./run.sh test runs them all.
MARKED_FIXTURES = {"browser": "browser", "page": "browser", "jack_server": "realtime",
                   "jack": "realtime", "pulse_server": "realtime"}


# The files that take longest, run first: with two workers taking whole files (./run.sh
# test: --dist loadfile), a long file collected last would leave one worker idle at the end.
SLOW_FIRST = ("tests/service/test_soak.py", "tests/sim/test_motor.py",
              "tests/bench/test_bench.py", "tests/panel/test_panel_browser.py",
              "tests/report/test_report_browser.py", "tests/report/test_report_stored_rows.py",
              "tests/report/test_report.py", "tests/clinic/test_clinic_report.py")


def pytest_collection_modifyitems(config, items):
    first = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: first.get(item.nodeid.split("::")[0], len(first)))
    for item in items:
        for fixture in getattr(item, "fixturenames", ()):
            if fixture in MARKED_FIXTURES:
                item.add_marker(MARKED_FIXTURES[fixture])
    if not EMULATED:
        return
    skip = pytest.mark.skip(reason="needs a native CPU (skipped under emulation: "
                            "./run.sh pi-check)")
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("native_timing"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _root_logging_restored():
    """Each test leaves the root logger as it found it. A test that sets up the station's
    logging in-process (or a library's basicConfig) would otherwise leave a handler on a
    stream pytest has since closed, and a later test's library warning (python-osc logs
    to the root logger) would print logging's own 'Logging error' traceback."""
    import logging
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def mock_pins():
    """gpiozero's MockFactory with PWM pins, fresh for each test."""
    from gpiozero import Device

    from hardware.mock import use_mock_pins
    factory = use_mock_pins()
    yield factory
    factory.reset()
    Device.pin_factory = None


def station_command() -> list[str]:
    """The ``station`` console script of this environment, as a user would run it."""
    script = Path(sys.executable).with_name("station")
    if script.exists():
        return [str(script)]
    found = shutil.which("station")
    return [found] if found else [sys.executable, "-m", "station"]


@pytest.fixture
def station_env(tmp_path):
    env = dict(os.environ)
    env["XDG_RUNTIME_DIR"] = str(tmp_path)
    env.pop("GPIOZERO_PIN_FACTORY", None)
    return env


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def station_config_text(tmp_path: Path, clients_dir: Path | None = None) -> str:
    """The packaged station.yaml with its clients, a journal and a control socket under
    ``tmp_path`` (journal ``tmp_path/j/station.db``, socket ``tmp_path/station.sock``)."""
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("clients_dir: clients",
                        f"clients_dir: {clients_dir or CONFIGS / 'clients'}")
    text = text.replace("plans_dir: plans", f"plans_dir: {CONFIGS / 'plans'}")
    text = text.replace("journal: out/station.db", f"journal: {tmp_path / 'j' / 'station.db'}")
    if clients_dir is not None:          # roster ids must name profiles there (or be left out)
        roster = [c for c in ("alex", "sam", "jo") if (Path(clients_dir) / f"{c}.yaml").exists()]
        text = text.replace("roster: [alex, sam, jo]", f"roster: [{', '.join(roster)}]")
    return text + f"control_socket: {tmp_path / 'station.sock'}\n"


def station_config(tmp_path: Path, clients_dir: Path | None = None, extra: str = "") -> Path:
    """``station_config_text`` plus ``extra`` lines, written to ``tmp_path/station.yaml``."""
    return write(tmp_path / "station.yaml", station_config_text(tmp_path, clients_dir) + extra)


def launch_sim_daemon(config: Path, env: dict, *extra: str) -> subprocess.Popen:
    """``station run --hardware sim --no-audio`` as a user starts it, in the background."""
    return subprocess.Popen(station_command() + ["run", "--config", str(config), "--hardware",
                                                 "sim", "--no-audio", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_until(predicate, proc: subprocess.Popen | None = None, seconds: float = 30.0,
               what: str = "the daemon did not get there") -> None:
    """Wait for a real subprocess to reach a state (not timing anything): fail if it exits."""
    deadline = time.monotonic() + seconds
    while not predicate():
        if proc is not None:
            assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def wait_for(path: Path, proc, seconds=30.0):
    """Wait until a daemon's control socket exists (it is listening)."""
    wait_until(path.exists, proc, seconds, "daemon did not come up")


def control(sock, cmd, **args):
    """One control request to a running station, as the CLI sends it."""
    from station.service.control import request
    return request(sock, cmd, **args)
