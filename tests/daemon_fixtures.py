"""Helpers for the daemon, fault and soak tests: a station config in a temp folder, an
in-process ``Daemon`` on the simulator and a virtual clock, and a driver for it."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from pathlib import Path

import pytest
from conftest import station_config_text, write

DAEMON_DEFAULTS = {"hands_off_s": 0.0, "chime": False}


def station_yaml(tmp_path: Path, *, daemon: dict | None = None, audio: dict | None = None,
                 extra: str = "", poll_ms: float | None = None,
                 clients_dir: Path | None = None) -> Path:
    """The packaged station.yaml with its clients, a journal and a socket under tmp_path,
    and ``daemon:``/``audio:`` keys set as given."""
    text = station_config_text(tmp_path, clients_dir)
    if poll_ms is not None:
        text = text.replace("poll_interval_ms: 10", f"poll_interval_ms: {poll_ms}")
    if audio:
        for key, value in audio.items():
            import re
            text = re.sub(rf"(?m)^(  {key}:) *[^#\n]*", rf"\g<1> {value}  ", text)
    d = dict(DAEMON_DEFAULTS, **(daemon or {}))
    text += "daemon:\n" + "".join(f"  {k}: {str(v).lower() if isinstance(v, bool) else v}\n"
                                  for k, v in d.items())
    return write(tmp_path / "station.yaml", text + extra)


def make_daemon(config: Path, clock, *, audio: bool = False, exits: list | None = None):
    from station.service.daemon import Daemon
    exits = [] if exits is None else exits
    return Daemon(config, "sim", audio=audio, clock=clock, exit_fn=exits.append)


def start(daemon) -> None:
    """What ``Daemon.run`` does before its loop (without the real-time loop)."""
    daemon.station.start()
    daemon.startup.begin(daemon.clock.now_ns())


def drive(daemon, until_ns: int, synth_frames: int = 0, audio: list | None = None) -> int:
    """Run the station's timers and polls in order up to ``until_ns`` of virtual time.
    ``synth_frames``: frames rendered per step (an offline synth only plays queued
    events when it renders). ``audio``: render exactly the time that passes instead and
    append the blocks to this list. Returns the number of steps."""
    station, clock = daemon.station, daemon.clock
    steps = 0

    def goto(t_ns):
        if audio is not None:
            rate = station.synth.sample_rate
            frames = t_ns * rate // 1_000_000_000 - clock.now_ns() * rate // 1_000_000_000
            if frames > 0:
                audio.append(station.synth.render(frames))
        clock.set(max(t_ns, clock.now_ns()))
    while True:
        due = station.next_wakeup()
        if due > until_ns:
            break
        goto(due)
        station.step(clock.now_ns())
        if synth_frames:
            station.synth.render(synth_frames)
        steps += 1
    goto(until_ns)
    station.drain()
    return steps


def world(daemon):
    return daemon.sim["world"]


def rows(db: Path, sql: str = "SELECT kind, player, board, electrode, detail FROM events "
                               "ORDER BY id") -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path, mock_pins):
    """A daemon whose control socket is live; its jobs run in an engine-loop thread."""
    from station.core.clock import VirtualClock
    d = make_daemon(station_yaml(tmp_path), VirtualClock())
    start(d)
    d.control.start()
    stop = threading.Event()

    def engine_loop():
        while not stop.is_set():
            if d.station.wake.wait(0.02):
                d.station.wake.clear()
            d.station.drain()
    loop = threading.Thread(target=engine_loop, daemon=True)
    loop.start()
    yield d
    stop.set()
    loop.join(timeout=2)
    d.close()


def ask(path: Path, data: bytes, timeout: float = 10.0) -> dict:
    """Send raw bytes to a control socket; the one JSON reply line, parsed."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(str(path))
    try:
        s.sendall(data)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    finally:
        s.close()
    return json.loads(reply)
