"""A real daemon with its panel, for the API and browser tests.

``panel_station(tmp)`` runs ``station run --hardware sim --no-audio`` as a user does, with
``panel: {enabled: true, port: 0, bind: 127.0.0.1}``, sets a PIN with ``station panel pin
--new`` (as a user does, reading the printed PIN) and waits until the panel answers.
``Client`` is a tiny HTTP client that keeps the cookie and the CSRF token.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conftest import (
    CONFIGS,
    launch_sim_daemon,
    station_command,
    station_config,
    wait_until,
)

from station.service.control import request

PANEL = "panel: {enabled: true, port: 0, bind: 127.0.0.1}\n" \
        "daemon: {hands_off_s: 0, chime: false}\n"


@dataclass
class Running:
    proc: subprocess.Popen
    config: Path
    socket: Path
    port: int
    pin: str
    clients: Path
    journal: Path
    plans: Path

    def command(self, cmd: str, **args):
        return request(self.socket, cmd, **args)

    def touch(self, electrode: int, board: int = 0x5A) -> None:
        self.command("sim", action="touch", address=board, electrode=electrode)

    def release(self, electrode: int, board: int = 0x5A) -> None:
        self.command("sim", action="release", address=board, electrode=electrode)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc.stderr.close()


@contextlib.contextmanager
def running_station(tmp_path_factory, name: str):
    """A module's own daemon with its panel (see ``panel_station``), stopped afterwards."""
    tmp = tmp_path_factory.mktemp(name)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp))
    env.pop("GPIOZERO_PIN_FACTORY", None)
    running = panel_station(tmp, env)
    try:
        yield running
    finally:
        running.stop()


def panel_station(tmp: Path, env: dict) -> Running:
    clients = tmp / "clients"
    clients.mkdir(parents=True, exist_ok=True)
    for cid in ("alex", "sam", "jo", "kim"):
        shutil.copy(CONFIGS / "clients" / f"{cid}.yaml", clients)
    (clients / "broken.yaml").write_text("name: Broken\nsound: {timbre: marimbaa, "
                                         "volume: 7}\n")
    plans = tmp / "plans"                   # the shipped plans, in a folder of its own
    shutil.copytree(CONFIGS / "plans", plans, dirs_exist_ok=True)
    config = station_config(tmp, clients, PANEL)
    config.write_text(config.read_text().replace(f"plans_dir: {CONFIGS / 'plans'}",
                                                 f"plans_dir: {plans}"))
    out = subprocess.run(station_command() + ["panel", "pin", "--new", "--config", str(config)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    pin = re.search(r"New panel PIN: (\d{6})", out.stdout).group(1)
    proc = launch_sim_daemon(config, env)
    sock = tmp / "station.sock"
    running = Running(proc, config, sock, 0, pin, clients, tmp / "j" / "station.db", plans)

    def ready():
        try:
            s = request(sock, "status")
        except Exception:
            return False
        running.port = (s.get("panel") or {}).get("port") or 0
        return s.get("startup") == "ready" and bool((s.get("panel") or {}).get("running"))
    try:
        wait_until(ready, proc, what="the station with its panel did not start")
    except BaseException:
        running.stop()
        raise
    return running


class Client:
    """Cookie and CSRF token kept, raw bodies allowed; ``call`` returns (status, json)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie: str | None = None
        self.csrf: str | None = None

    def raw(self, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=180)
        try:
            h = dict(headers or {})
            if self.cookie:
                h["Cookie"] = self.cookie
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            cookie = r.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return r.status, dict(r.getheaders()), data
        finally:
            conn.close()

    def call(self, method: str, path: str, data=None, csrf: bool = True):
        headers = {"Content-Type": "application/json"}
        if csrf and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        body = None if data is None else (data if isinstance(data, bytes)
                                          else json.dumps(data).encode())
        status, _, raw = self.raw(method, path, body, headers)
        try:
            return status, json.loads(raw or b"{}")
        except ValueError:
            return status, {"raw": raw.decode("utf-8", "replace")}

    def login(self, pin: str):
        status, data = self.call("POST", "/api/login", {"pin": pin})
        if status == 200:
            self.csrf = data["csrf"]
        return status, data
