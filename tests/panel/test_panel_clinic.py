"""The panel of a station in a clinic (the real daemon, its panel over HTTP, a real
PostgreSQL): the Station screen's data carries the replication state, an edit of a
shared profile on the panel is published to the other rooms, and the Reports screen
makes the clinic's report and metrics across rooms with the report role."""

import os
import re
import subprocess

from clinic_fixtures import clinic_db, init_clinic, pg_cluster  # noqa: F401 (fixtures)
from conftest import CONFIGS, launch_sim_daemon, station_command, station_config, wait_until
from panel_fixtures import PANEL, Client

from station.clinic.shared import fetch, publish
from station.service.control import request


def test_the_panel_shows_the_clinic_and_shares_an_edit(tmp_path, pg_cluster, clinic_db):
    init_clinic(pg_cluster, clinic_db, "room1", "room2")
    clients = tmp_path / "clients"
    clients.mkdir()
    alex = (CONFIGS / "clients" / "alex.yaml").read_text()
    (clients / "alex.yaml").write_text(alex)
    clinic = (f"clinic:\n  database: {pg_cluster.dsn(clinic_db, 'clinic_station_room1')}\n"
              f"  station_id: room1\n  interval_s: 0.1\n"
              f"  report_database: {pg_cluster.dsn(clinic_db, 'clinic_reader')}\n")
    config = station_config(tmp_path, clients, PANEL + clinic)
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("GPIOZERO_PIN_FACTORY", None)
    out = subprocess.run(station_command() + ["panel", "pin", "--new", "--config", str(config)],
                         capture_output=True, text=True, env=env, timeout=60)
    pin = re.search(r"New panel PIN: (\d{6})", out.stdout).group(1)
    with pg_cluster.connect(clinic_db, "clinic_station_room2") as room2:
        publish(room2, "profile", "alex", alex, None, "jo")      # room 2 shares it first
        proc = launch_sim_daemon(config, env)
        sock = tmp_path / "station.sock"
        try:
            wait_until(lambda: sock.exists() and (request(sock, "status").get("panel") or {})
                       .get("running"), proc, what="the station did not start")
            client = Client(request(sock, "status")["panel"]["port"])
            assert client.login(pin)[0] == 200
            # the same text here: adopted, so the panel's edit is shared
            wait_until(lambda: client.call("GET", "/api/station")[1]["clinic"].get("shared")
                       == 1, proc, what="the shared profile was not taken up")
            status, s = client.call("GET", "/api/station")
            c = s["clinic"]
            assert c["connected"] and c["error"] is None and c["station_id"] == "room1"
            assert {"pending", "oldest_pending_unix_ns", "conflicts"} <= set(c)
            status, d = client.call("GET", "/api/clients/alex")
            status, r = client.call("POST", "/api/clients/alex",
                                    {"version": d["version"], "changes": {"volume": 0.4}})
            assert status == 200, r
            assert r["clinic"] == "shared with the clinic's other rooms as version 2."
            assert "volume: 0.4" in fetch(room2, "profile", "alex").body
            # the Reports screen: the clinic's files, read as the report role
            request(sock, "session", op="start")
            request(sock, "session", op="phase", name="warm-up")
            request(sock, "session", op="stop")
            wait_until(lambda: _ended(pg_cluster, clinic_db), proc,
                       what="the session did not reach the clinic")
            status, info = client.call("GET", "/api/clinic")
            assert info == {"enabled": True, "files": ["report", "metrics"],
                            "rooms": "every room"}
            status, headers, body = client.raw("GET", "/api/clinic/metrics")
            assert status == 200, body
            assert body.decode().splitlines()[0].startswith("session,")
            status, headers, body = client.raw("GET", "/api/clinic/report")
            assert status == 200 and b"<html" in body[:500].lower()
            assert b"room1" in body
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _ended(cluster, db) -> bool:
    with cluster.connect(db, "clinic_reader") as reader:
        return reader.execute("SELECT count(*) FROM clinic.sessions WHERE ended_ns IS NOT "
                              "NULL").fetchone()[0] == 1
