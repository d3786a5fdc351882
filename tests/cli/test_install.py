"""The station installed from its wheel, outside the checkout, as `pip install` or pipx
leaves it: the data trees ride inside, so the commands work from any folder.

The wheel is built once per test session from a copy of the sources (no build files land
in the checkout) without build isolation (offline, seconds). It goes into a fresh venv
in a temporary folder with --no-deps; the dependencies come from this environment's
site-packages through a path file (its editable install of the checkout is *not*
activated: path files of a folder added that way are not read), so the installed
`station` can only find its data inside itself.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

SOURCES = ("station", "hardware", "configs", "soundfonts", "pyproject.toml", "setup.py",
           "MANIFEST.in", "README.md", "LICENSE")


@pytest.fixture(scope="session")
def installed(tmp_path_factory):
    """(bin folder of the fresh venv, a clean environment, a folder outside the checkout)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", "*.db", "*.db-*", "*.wav", "*.egg-info"))
        else:
            shutil.copy2(path, src / name)
    dist = base / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "-q", "-w", str(dist), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(dist.glob("*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin/python"),
                           "install", "--no-deps", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stderr[-2000:]
    site = Path(subprocess.check_output(
        [str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], text=True).strip())
    (site / "station-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    away = base / "elsewhere"
    away.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "STATION_CONFIG", "VIRTUAL_ENV")}
    env.update(HOME=str(away), XDG_CONFIG_HOME=str(away / "xdg"),
               XDG_RUNTIME_DIR=str(away), PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    return venv / "bin", env, away


def run(installed, *args, timeout=120):
    bin_dir, env, away = installed
    return subprocess.run([str(bin_dir / "station"), *args], capture_output=True, text=True,
                          env=env, cwd=away, timeout=timeout)


def packaged(installed) -> Path:
    bin_dir, env, away = installed
    out = subprocess.check_output([str(bin_dir / "python"), "-c", "import station.core.paths"
                                   " as p; print(p.CONFIGS, p.PACKAGED)"], env=env, cwd=away,
                                  text=True).split()
    assert out[1] == "True", out
    return Path(out[0])


def test_the_installed_station_finds_its_data_inside_itself(installed):
    bin_dir = installed[0]
    configs = packaged(installed)
    assert configs.is_relative_to(bin_dir.parent)       # inside the venv, not the checkout
    assert (configs / "clients" / "ex-tremor.yaml").is_file()
    assert (configs.parent / "soundfonts" / "timbres.yaml").is_file()
    version = run(installed, "--version")
    assert version.returncode == 0 and version.stdout.strip() == "station 0.1.0"


def test_profile_check_on_a_packaged_example(installed):
    example = packaged(installed) / "clients" / "ex-tremor.yaml"
    r = run(installed, "profile", "check", str(example))
    assert r.returncode == 0, r.stderr
    assert "ex-tremor" in r.stdout


def test_simulate_the_packaged_demo_and_doctor(installed):
    away = installed[2]
    demo = packaged(installed) / "scenarios" / "demo.yaml"
    r = run(installed, "simulate", str(demo), "--out", "sim")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["touches"] > 100 and summary["notes"] > 100
    assert len(summary["refused_profiles"]) == 1          # the demo's broken profile
    assert (away / "sim" / "session.wav").stat().st_size > 1_000_000
    doctor = run(installed, "doctor")
    assert "found by the packaged example" in doctor.stdout, doctor.stdout


def test_station_demo_from_any_folder(installed):
    away = installed[2]
    r = run(installed, "demo", "--out", "shown", timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    for name in ("demo", "group", "tremor"):
        for f in ("session.wav", "station.db", "report.html"):
            assert (away / "shown" / name / f).is_file(), (name, f)
    assert "Proposed touch: settings: release_grace_ms" in r.stdout   # the tremor demo
