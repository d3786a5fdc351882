"""Cost of the real daemon process: start-up time, memory at ready, idle CPU.

``station run --config <bench config> --hardware sim --no-audio`` is started as a user
would start it (the console script of this environment), with the default soundfont
loaded. Measured from outside, from /proc:

* start-up: from ``Popen`` until ``status`` answers with start-up phase "ready" (config,
  soundfont, journal, boards and clients up, the shipped "hands off" wait of
  ``daemon.hands_off_s`` = 1.5 s done, pads calibrated); ``startup_socket_s``: until
  the control socket first answers;
* RSS at ready: ``VmRSS`` of /proc/<pid>/status, in MB of 10^6 bytes (``VmHWM``, the
  peak, too);
* idle CPU: utime + stime of /proc/<pid>/stat (every thread: engine, journal writer,
  control socket) over ``idle_s`` of wall time after a 1 s settle, as % of one core.
  One clock tick is 10 ms, so over 20 s the resolution is 0.05 %.

The daemon is stopped with the ``stop`` command, and terminated (its pid only) if it
does not exit within 10 s.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.rig import write_config


def station_command() -> list[str]:
    script = Path(sys.executable).with_name("station")
    if script.exists():
        return [str(script)]
    found = shutil.which("station")
    return [found] if found else [sys.executable, "-m", "station"]


def ask(sock_path: Path, cmd: str):
    """One control request through the station's own client; the result, or None."""
    from station.core.errors import ControlError
    from station.service.control import request
    try:
        return {"ok": True, "result": request(sock_path, cmd)}
    except ControlError:
        return None


def cpu_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])   # fields 14 and 15 of proc(5)


def status_kb(pid: int, key: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def measure(folder: Path, *, players: int = 4, idle_s: float = 20.0,
            quick_start: bool = False) -> dict:
    """Start a daemon with ``players`` boards/players; idle_s=0 skips the CPU figure.
    ``quick_start`` skips the start-up cue and hands-off wait (the smoke test only)."""
    from station.config.station import load_config

    config = write_config(folder, players=players, quick_start=quick_start)
    hands_off = load_config(config).raw.get("daemon", {}).get("hands_off_s", 0.0)
    sock = folder / "station.sock"
    env = dict(os.environ, XDG_RUNTIME_DIR=str(folder))
    env.pop("GPIOZERO_PIN_FACTORY", None)
    log = open(folder / "daemon.log", "wb")
    t0 = time.perf_counter()
    proc = subprocess.Popen(station_command() + ["run", "--config", str(config), "--hardware",
                                                 "sim", "--no-audio"],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    answered = None
    try:
        while True:
            reply = ask(sock, "status") if sock.exists() else None
            if reply and reply.get("ok"):
                answered = answered or time.perf_counter() - t0
                if (reply.get("result") or {}).get("startup", "ready") == "ready":
                    break
            if proc.poll() is not None:
                raise RuntimeError(f"the daemon exited with code {proc.returncode} before "
                                   f"it was ready; see {folder / 'daemon.log'}")
            if time.perf_counter() - t0 > 60:
                raise TimeoutError("the daemon was not ready within 60 s")
            time.sleep(0.005)
        out = {"startup_s": time.perf_counter() - t0, "startup_socket_s": answered,
               "startup_hands_off_s": hands_off,
               "rss_mb": status_kb(proc.pid, "VmRSS") * 1024 / 1e6}
        if idle_s > 0:
            time.sleep(1.0)
            hz = os.sysconf("SC_CLK_TCK")
            c0, w0 = cpu_ticks(proc.pid), time.perf_counter()
            time.sleep(idle_s)
            c1, w1 = cpu_ticks(proc.pid), time.perf_counter()
            out["idle_cpu_percent"] = (c1 - c0) / hz / (w1 - w0) * 100.0
            out["idle_window_s"] = w1 - w0
            out["rss_peak_mb"] = status_kb(proc.pid, "VmHWM") * 1024 / 1e6
        return out
    finally:
        ask(sock, "stop")
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.terminate()
            proc.wait(timeout=10)
        log.close()
