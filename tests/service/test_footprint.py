"""The daemon's footprint: a running ``station run`` has not loaded numpy (it is only for
offline rendering, reports and tests), checked in the real process's memory map."""

from pathlib import Path

from conftest import launch_sim_daemon, wait_until
from daemon_fixtures import station_yaml

from station.service.control import request


def mapped(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def test_a_ready_daemon_has_not_loaded_numpy(tmp_path, station_env):
    cfg = station_yaml(tmp_path)
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        wait_until(lambda: sock.exists() and
                   request(sock, "status").get("startup", "ready") == "ready", proc)
        request(sock, "sim", action="touch", address=0x5A, electrode=2)   # a note played
        request(sock, "status")
        maps = mapped(proc.pid)
        assert "fluidsynth" in maps                 # the check sees shared libraries
        assert "numpy" not in maps, [line for line in maps.splitlines() if "numpy" in line][:3]
    finally:
        request(sock, "stop")
        proc.wait(timeout=20)
