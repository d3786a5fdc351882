"""A real ``station run --hardware sim`` subprocess: READY and watchdog pings to systemd,
``station status``, SIGTERM/SIGINT stop it cleanly (notes off, journal saved), a second
daemon on the same journal is refused, an exception still silences and saves."""

import json
import signal
import socket
import subprocess

import pytest
from conftest import launch_sim_daemon, station_command
from daemon_fixtures import make_daemon, rows, station_yaml, world

from station.core.clock import VirtualClock
from station.service.control import request


def recv_until(sock, wanted: bytes) -> list[bytes]:
    got = []
    while True:
        msg = sock.recv(4096)                    # the socket's timeout bounds the wait
        got.append(msg)
        if wanted in msg:
            return got


@pytest.fixture
def notify(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(30)
    yield sock
    sock.close()


launch = launch_sim_daemon


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_daemon_cleanly(sig, tmp_path, station_env, notify):
    cfg = station_yaml(tmp_path)
    sock_path = tmp_path / "station.sock"
    env = dict(station_env, NOTIFY_SOCKET=str(tmp_path / "notify"), WATCHDOG_USEC="1000000")
    proc = launch(cfg, env)
    try:
        ready = recv_until(notify, b"READY=1")[-1].decode()
        assert "4 of 4 boards online" in ready
        recv_until(notify, b"WATCHDOG=1")        # pinged from the engine loop
        request(sock_path, "sim", action="touch", address=0x5A, electrode=2)
        request(sock_path, "sim", action="touch", address=0x5B, electrode=4)
        status = subprocess.run(station_command() + ["status", "--config", str(cfg)],
                                capture_output=True, text=True, env=env, timeout=30)
        assert status.returncode == 0, status.stderr
        assert "0x5a online" in status.stdout and "1 (client): alex" in status.stdout
        assert "Last touch:" in status.stdout and "ago" in status.stdout
        js = subprocess.run(station_command() + ["status", "--socket", str(sock_path),
                                                 "--json"],
                            capture_output=True, text=True, env=env, timeout=30)
        data = json.loads(js.stdout)
        assert data["players"]["2"]["client"] == "sam" and data["uptime_s"] >= 0
        assert data["audio"]["state"] == "off" and data["journal"]["ok"]
        assert set(data) >= {"boards", "session", "last_touch_s_ago", "startup", "turns"}
        proc.send_signal(sig)
        assert recv_until(notify, b"STOPPING=1")
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not sock_path.exists()
    log = rows(tmp_path / "j" / "station.db")
    kinds = [r[0] for r in log]
    assert kinds.count("note_on") == 2 and kinds.count("note_off") == 2, "notes released"
    assert "Traceback" not in proc.stderr.read()


def test_a_second_daemon_on_the_same_journal_is_refused(tmp_path, station_env, notify):
    cfg = station_yaml(tmp_path)
    env = dict(station_env, NOTIFY_SOCKET=str(tmp_path / "notify"))
    proc = launch(cfg, env)
    try:
        recv_until(notify, b"READY=1")
        other = tmp_path / "other.yaml"           # another socket, the same journal
        other.write_text(cfg.read_text().replace("station.sock", "other.sock"))
        second = subprocess.run(station_command() + ["run", "--config", str(other),
                                                     "--hardware", "sim", "--no-audio"],
                                capture_output=True, text=True, env=station_env, timeout=60)
        assert second.returncode == 1
        assert "already running on the journal" in second.stderr
        assert f"process {proc.pid}" in second.stderr and "Traceback" not in second.stderr
        same = subprocess.run(station_command() + ["run", "--config", str(cfg), "--hardware",
                                                   "sim", "--no-audio"],
                              capture_output=True, text=True, env=station_env, timeout=60)
        assert same.returncode == 1 and "already running" in same.stderr
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_exception_in_the_loop_still_silences_and_saves(tmp_path, mock_pins):
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    real_step, calls = d.station.step, []

    def step(now):
        calls.append(now)
        if len(calls) == 1:
            d.clock.advance(5_000_000)        # the boards' first samples
            world(d).touch(0x5A, 6)
            d.clock.advance(1_000_000)        # the chip's next sample sees the touch
            return real_step(d.clock.now_ns())
        raise RuntimeError("a bug in a stage")
    d.station.step = step
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with pytest.raises(RuntimeError, match="a bug"):
            d.run()
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
    log = rows(tmp_path / "j" / "station.db")
    kinds = [r[0] for r in log]
    assert kinds.count("note_on") == 1 and kinds.count("note_off") == 1
    assert not (tmp_path / "station.sock").exists()
    assert d.station.synth.closed
