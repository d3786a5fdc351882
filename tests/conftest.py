"""Shared fixtures: gpiozero's real MockFactory, paths, and the ``station`` command."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = ROOT / "configs"


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
