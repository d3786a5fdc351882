"""Start-up against its folders and signals, with ``station run`` as a subprocess: an
unusable journal or runtime folder is a plain message and exit 1 (the unit's
RestartPreventExitStatus=1 then stops systemd's restart loop), SIGHUP while the station is
still starting does not kill it, ``systemctl reload`` sends SIGHUP, and the control socket
never falls back to a name in the shared /tmp that another user could take first."""

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, launch_sim_daemon, station_command, wait_until
from daemon_fixtures import station_yaml

from station.config.locate import socket_path
from station.core.errors import StationError
from station.service.control import ControlServer, request


def run_station(cfg, env):
    return subprocess.run(station_command() + ["run", "--config", str(cfg), "--hardware",
                                               "sim", "--no-audio"],
                          capture_output=True, text=True, env=env, timeout=90)


def unusable_folders(tmp_path) -> list[Path]:
    """Folders the station cannot write, whoever runs the test: below a plain file, and
    (when not root, for whom modes do not apply) a folder without write permission."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    folders = [blocker / "state"]
    if os.geteuid() != 0:
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        folders.append(locked)
    return folders


def test_an_unwritable_journal_folder_is_a_plain_exit_1(tmp_path, station_env):
    for folder in unusable_folders(tmp_path):
        cfg = station_yaml(tmp_path)
        cfg.write_text(re.sub(r"(?m)^journal: .*$", f"journal: {folder}/station.db",
                              cfg.read_text()))
        out = run_station(cfg, station_env)
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr and "internal error" not in out.stderr
        assert str(folder) in out.stderr and "journal" in out.stderr


def test_an_unwritable_runtime_folder_is_a_plain_exit_1(tmp_path, station_env):
    for folder in unusable_folders(tmp_path):
        cfg = station_yaml(tmp_path)
        cfg.write_text(re.sub(r"(?m)^control_socket: .*$",
                              f"control_socket: {folder}/station.sock", cfg.read_text()))
        out = run_station(cfg, station_env)
        assert out.returncode == 1, out.stderr
        assert "Traceback" not in out.stderr and "internal error" not in out.stderr
        assert str(folder) in out.stderr and "control_socket" in out.stderr
        assert not list((tmp_path / "j").glob("station.db*-journal"))


def test_the_unit_does_not_restart_a_refusal_and_reloads_with_sighup():
    unit = (ROOT / "deploy" / "station.service").read_text()
    prevented = {int(code) for line in re.findall(r"(?m)^RestartPreventExitStatus=(.*)$", unit)
                 for code in line.split()}
    assert 1 in prevented and 3 in prevented
    assert re.search(r"(?m)^ExecReload=/bin/kill -HUP \$MAINPID$", unit)


def caught_signals(pid: int) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"SigCgt:\s*([0-9a-f]+)", text).group(1), 16)


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_sighup_while_starting_does_not_kill_the_station(tmp_path, station_env):
    cfg = station_yaml(tmp_path)
    sock = tmp_path / "station.sock"
    proc = launch_sim_daemon(cfg, station_env)
    try:
        # the moment the station catches SIGHUP (its bit in /proc), long before it is ready
        wait_until(lambda: caught_signals(proc.pid) & (1 << (signal.SIGHUP - 1)), proc,
                   what="the station never caught SIGHUP")
        assert not sock.exists()                      # still starting
        proc.send_signal(signal.SIGHUP)
        wait_until(lambda: sock.exists() and request(sock, "status").get("startup") ==
                   "ready", proc, what="the station did not survive SIGHUP at start-up")
        request(sock, "stop")
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    err = proc.stderr.read()
    assert "SIGHUP during start-up" in err and "Traceback" not in err


def test_the_socket_never_falls_back_to_a_shared_tmp_name(tmp_path):
    path = socket_path(False, {})
    assert path.parent != Path("/tmp") and path.parent.parent == Path("/tmp")
    assert str(os.getuid()) in path.parent.name


def test_a_socket_folder_someone_else_could_write_is_refused(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)                               # like a folder another user made
    server = ControlServer(shared / "station.sock", lambda job: job())
    with pytest.raises(StationError, match="others can write") as e:
        server.start()
    assert "control_socket" in str(e.value)
    private = tmp_path / "private" / "run"
    server = ControlServer(private / "station.sock", lambda job: job())
    server.start()
    try:
        assert (private.stat().st_mode & 0o777) == 0o700
    finally:
        server.close()
