"""The systemd unit passes ``systemd-analyze verify`` with no error and no warning, and
the install script (staged under STATION_DESTDIR) is idempotent and keeps edits."""

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, station_command

UNIT = ROOT / "deploy" / "station.service"
INSTALL = ROOT / "deploy" / "install-service.sh"


def render(unit_text: str, dest: Path) -> Path:
    """The unit as installed, with ExecStart pointing at this environment's station
    command (the unit's own path, .venv/bin/station, may not exist on this machine)."""
    exe = station_command()[0]
    lines = []
    for line in unit_text.replace("@ROOT@", str(ROOT)).splitlines():
        if line.startswith("ExecStart="):
            line = f"ExecStart={exe} " + line.split(" ", 1)[1]
        lines.append(line)
    dest.write_text("\n".join(lines) + "\n")
    return dest


def verify(path: Path) -> subprocess.CompletedProcess:
    tool = shutil.which("systemd-analyze")
    assert tool, "systemd-analyze is missing: sudo apt-get install systemd (./run.sh does)"
    env = dict(os.environ, SYSTEMD_LOG_COLOR="0")
    return subprocess.run([tool, "verify", str(path)], capture_output=True, text=True,
                          env=env, timeout=60, cwd=path.parent)


def test_the_unit_verifies_without_errors_or_warnings(tmp_path):
    r = verify(render(UNIT.read_text(), tmp_path / "station.service"))
    assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", \
        r.stdout + r.stderr


def test_verify_does_report_a_broken_unit(tmp_path):
    broken = UNIT.read_text().replace("WatchdogSec=20", "WatchdogSecs=20")
    r = verify(render(broken, tmp_path / "station.service"))
    assert "Unknown key 'WatchdogSecs'" in r.stderr     # so the clean run above means it


def test_the_unit_has_what_a_headless_station_needs():
    lines = set(UNIT.read_text().splitlines())
    for want in ("Type=notify", "WatchdogSec=20", "Restart=on-failure",
                 "RestartPreventExitStatus=3", "LimitRTPRIO=95", "LimitMEMLOCK=infinity",
                 "User=station", "SupplementaryGroups=gpio i2c audio",
                 "WorkingDirectory=/var/lib/station", "StateDirectory=station",
                 "Environment=BLINKA_SKIP_DEPENDENCY_CHECK=1",
                 "ExecStart=@ROOT@/.venv/bin/station run --config /etc/station/station.yaml"):
        assert want in lines, want


def tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_install_script_is_idempotent_keeps_edits_and_installs_a_valid_config(tmp_path):
    stage = tmp_path / "stage"
    env = dict(os.environ, STATION_DESTDIR=str(stage))
    first = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, env=env,
                           timeout=60)
    assert first.returncode == 0, first.stderr
    assert "systemctl --global mask fluidsynth.service" in first.stdout
    assert "systemctl enable station.service" in first.stdout
    once = tree(stage)
    config = stage / "etc" / "station" / "station.yaml"
    assert "etc/systemd/system/station.service" in once and "etc/station/clients/alex.yaml" in once
    assert (stage / "var" / "lib" / "station").stat().st_mode & 0o077 == 0
    from station.config.station import load_config
    c = load_config(config)
    assert str(c.journal) == "/var/lib/station/station.db"
    assert str(c.control_socket) == "/run/station/station.sock"
    assert (c.clients_dir / "alex.yaml").exists()
    from station.config.plan import load_plan, plans_folder
    assert load_plan("standard", plans_folder(c)).phases, "the session plans came along"
    unit = (stage / "etc" / "systemd" / "system" / "station.service").read_text()
    assert "@ROOT@" not in unit and f"ExecStart={ROOT}/.venv/bin/station run" in unit
    r = verify(render(unit, tmp_path / "station.service"))
    assert r.returncode == 0 and not r.stderr.strip(), r.stderr
    config.write_text(config.read_text().replace("name: room-1", "name: room-7"))
    again = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, env=env,
                           timeout=60)
    assert again.returncode == 0, again.stderr
    twice = tree(stage)
    assert set(twice) == set(once)
    assert "name: room-7" in config.read_text()           # the therapist's edit stays
    changed = [k for k in once if once[k] != twice[k]]
    assert changed == ["etc/station/station.yaml"]


@pytest.mark.skipif(os.geteuid() == 0, reason="as root the script would really install")
def test_install_script_refuses_without_root():
    r = subprocess.run(["bash", str(INSTALL)], capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "STATION_DESTDIR"})
    assert r.returncode == 1 and "sudo" in r.stderr


def security_exposure(path: Path) -> float:
    """The overall exposure ``systemd-analyze security --offline=true`` gives the unit."""
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is missing (./run.sh test installs systemd)")
    r = subprocess.run([tool, "security", "--offline=true", "--no-pager", str(path)],
                       capture_output=True, text=True, timeout=60, cwd=path.parent,
                       env=dict(os.environ, SYSTEMD_LOG_COLOR="0", SYSTEMD_COLORS="0"))
    import re
    found = re.search(r"Overall exposure level for \S+: ([0-9.]+)", r.stdout + r.stderr)
    if found is None and "Unknown command verb" in r.stderr + r.stdout:
        pytest.skip("this systemd-analyze has no offline security check")
    assert found, r.stdout[-1500:] + r.stderr[-1500:]
    return float(found.group(1))


def test_the_unit_is_sandboxed_yet_may_use_real_time(tmp_path):
    assert security_exposure(render(UNIT.read_text(), tmp_path / "station.service")) <= 2.0
    lines = set(UNIT.read_text().splitlines())
    assert not any(line.startswith(("RestrictRealtime", "MemoryDenyWriteExecute"))
                   for line in lines)
    for device in ("char-i2c rw", "char-gpiochip rw", "char-alsa rw"):
        assert f"DeviceAllow={device}" in lines, device


def test_the_score_can_fail(tmp_path):
    bare = "\n".join(line for line in UNIT.read_text().splitlines()
                     if line.startswith(("[", "Description", "Type", "ExecStart", "User")))
    assert security_exposure(render(bare, tmp_path / "station.service")) > 5.0
