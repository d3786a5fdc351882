"""The panel as a user sets it up: ``station panel pin --new``, ``station panel``, HTTPS,
a taken port (the station plays on), and a TLS file that cannot be used (exit 3)."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import stat
import subprocess
import urllib.request

import pytest
from conftest import launch_sim_daemon, station_command, station_config, wait_until

from station.service.control import request


def station(*args, env):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=60)


def test_pin_new_prints_a_pin_once_and_keeps_only_its_hash(tmp_path, station_env):
    config = station_config(tmp_path)
    out = station("panel", "pin", "--new", "--config", str(config), env=station_env)
    assert out.returncode == 0, out.stderr
    pin = re.search(r"New panel PIN: (\d+)", out.stdout).group(1)
    assert len(pin) == 6 and "The panel is off" in out.stdout
    path = tmp_path / "j" / "panel-pin.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and pin not in path.read_text()
    longer = station("panel", "pin", "--new", "--digits", "9", "--config", str(config),
                     env=station_env)
    assert len(re.search(r"PIN: (\d+)", longer.stdout).group(1)) == 9
    short = station("panel", "pin", "--new", "--digits", "4", "--config", str(config),
                    env=station_env)
    assert short.returncode == 2 and "Traceback" not in short.stderr
    shown = station("panel", "--config", str(config), env=station_env)
    assert shown.returncode == 0 and "The panel is off" in shown.stdout
    on = station_config(tmp_path, extra="panel: {enabled: true, port: 8765}\n")
    shown = station("panel", "--config", str(on), env=station_env)
    assert "this machine only: open http://127.0.0.1:8765/" in shown.stdout    # the default
    assert "bind: 0.0.0.0" in shown.stdout and "A PIN is set" in shown.stdout
    on = station_config(tmp_path, extra="panel: {enabled: true, port: 8765, bind: 0.0.0.0}\n")
    shown = station("panel", "--config", str(on), env=station_env)
    assert re.search(r"Open http://[\d.]+:8765/", shown.stdout) and "A PIN is set" in shown.stdout
    assert "plain HTTP" in shown.stdout


def test_bad_panel_settings_stop_the_station_with_the_key_named(tmp_path, station_env):
    config = station_config(tmp_path, extra="panel: {enabled: true, bind: everywhere, "
                                            "tls_cert: cert.pem}\n")
    out = station("run", "--config", str(config), "--hardware", "sim", "--no-audio",
                  env=station_env)
    assert out.returncode == 3
    assert "panel.bind" in out.stderr and "not an IP address" in out.stderr
    assert "both tls_cert and tls_key" in out.stderr
    config.write_text(config.read_text().replace("bind: everywhere, ", "")
                      .replace("tls_cert: cert.pem", "tls_cert: cert.pem, tls_key: key.pem"))
    out = station("run", "--config", str(config), "--hardware", "sim", "--no-audio",
                  env=station_env)
    assert out.returncode == 3 and "panel.tls_cert" in out.stderr and "Traceback" not in out.stderr


def run_daemon(config, env, tmp_path):
    proc = launch_sim_daemon(config, env)
    sock = tmp_path / "station.sock"

    def ready():
        try:
            return request(sock, "status")["startup"] == "ready"
        except Exception:
            return False
    wait_until(ready, proc)
    return proc, request(sock, "status")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=15)
    proc.stdout.close()
    proc.stderr.close()


def test_a_taken_port_leaves_the_station_playing_without_its_panel(tmp_path, station_env):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    config = station_config(tmp_path, extra=f"panel: {{enabled: true, port: {port}, "
                                            f"bind: 127.0.0.1}}\n")
    try:
        proc, status = run_daemon(config, station_env, tmp_path)
        try:
            assert status["panel"]["running"] is False
            assert f"cannot listen on 127.0.0.1:{port}" in status["panel"]["error"]
            text = station("status", "--config", str(config), env=station_env).stdout
            assert "Panel: OFF" in text
        finally:
            stop(proc)
    finally:
        taken.close()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test certificate")
def test_https_with_a_given_certificate(tmp_path, station_env):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    config = station_config(tmp_path, extra="panel: {enabled: true, port: 0, bind: 127.0.0.1, "
                                            "tls_cert: cert.pem, tls_key: key.pem}\n")
    pin = re.search(r"PIN: (\d+)", station("panel", "pin", "--new", "--config", str(config),
                                           env=station_env).stdout).group(1)
    proc, status = run_daemon(config, station_env, tmp_path)
    try:
        panel = status["panel"]
        assert panel["tls"] and panel["url"].startswith("https://")
        ctx = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
        ctx.check_hostname = False
        req = urllib.request.Request(f"https://127.0.0.1:{panel['port']}/api/login",
                                     data=json.dumps({"pin": pin}).encode(), method="POST")
        with urllib.request.urlopen(req, context=ctx, timeout=20) as r:
            cookie = r.headers["Set-Cookie"]
            assert r.status == 200 and "csrf" in json.loads(r.read())
        assert "Secure" in cookie and "HttpOnly" in cookie
        # plain HTTP on the HTTPS port gets nothing: the connection is dropped or the
        # answer is not HTTP (OSError covers URLError and a reset connection)
        with pytest.raises((OSError, http.client.HTTPException)):
            urllib.request.urlopen(f"http://127.0.0.1:{panel['port']}/", timeout=5)
    finally:
        stop(proc)
    assert os.path.exists(tmp_path / "j" / "panel-pin.json")
