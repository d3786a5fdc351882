"""A throw-away PostgreSQL cluster for the clinic tests, and journals to send to it.

The cluster is Debian's ``postgresql`` (initdb, pg_ctl): made in a temporary folder (as
the ``postgres`` user when the tests run as root: initdb refuses root), listening on a
Unix socket only, stopped with ``-m immediate`` and removed when the test run ends (one
cluster per run, however many modules import the fixture). Without the package or
psycopg the clinic tests are skipped and say why. Each test gets a database of its own
in that cluster (``clinic_db``).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import station_config

from station.core.events import Event
from station.journal.writer import Journal

S = 1_000_000_000


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


@dataclass
class Cluster:
    socket_dir: Path
    port: int

    def dsn(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"host={self.socket_dir} port={self.port} dbname={dbname} user={user}"

    def connect(self, dbname: str = "postgres", user: str = "postgres"):
        import psycopg
        return psycopg.connect(self.dsn(dbname, user), autocommit=True)


_started: list[Cluster] = []


@pytest.fixture(scope="session")
def pg_cluster():
    bindir = _bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (Debian package 'postgresql'; "
                    "./run.sh test installs it)")
    pytest.importorskip("psycopg", reason="psycopg 3 is not installed (pip install "
                        "'psycopg[binary]', the 'clinic' and 'test' extras)")
    if not _started:
        _started.append(_start(bindir))
    return _started[0]


def _start(bindir: Path) -> Cluster:
    root = Path(tempfile.mkdtemp(prefix="station-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    run_as: list[str] = []
    if os.getuid() == 0:                 # initdb refuses root: the package's own user
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    os.chmod(root, 0o700)
    port = 5432 + os.getpid() % 1000       # the socket folder is ours: any number will do
    subprocess.run(run_as + [str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                             "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
                   check=True, capture_output=True)
    subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                             str(root / "log"), "-o",
                             f"-k {sock} -p {port} -c listen_addresses='' -c fsync=off",
                             "start"], check=True, capture_output=True)

    def stop() -> None:
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                 "stop"], capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
    atexit.register(stop)
    return Cluster(sock, port)


_numbers = itertools.count(1)


@pytest.fixture
def clinic_db(pg_cluster):
    """The name of a new, empty database in the cluster (dropped after the test)."""
    name = f"clinic_{os.getpid()}_{next(_numbers)}"
    with pg_cluster.connect() as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield name
    with pg_cluster.connect() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def clinic_config(tmp_path: Path, database: str, station_id: str, extra: str = "",
                  name: str = "station.yaml") -> Path:
    """The packaged station config with a clinic: section (``extra``: more of its keys)."""
    path = station_config(tmp_path, extra=f"clinic:\n  database: {database}\n"
                                           f"  station_id: {station_id}\n{extra}")
    if name != "station.yaml":
        path = path.rename(tmp_path / name)
    return path


def init_clinic(cluster: Cluster, dbname: str, *stations: str) -> dict:
    from station.clinic.roles import init
    with cluster.connect(dbname) as pg:
        return init(pg, list(stations))


def make_day(path: Path, sessions: int = 3, touches: int = 40, station: str = "room",
             clients=("c-aaaaaaaa", "c-bbbbbbbb")) -> Path:
    """A real journal: ``sessions`` sessions, each with phases, a note, goals and
    ``touches`` touches per client (touch, note_on, release rows) and a goal rating."""
    j = Journal(path, station=station)
    try:
        for n in range(sessions):
            t0 = n * 3600 * S
            sid = j.start_session(t0, [(1, "client"), (2, "client")], latency_ms=6.0,
                                  by="cli")
            j.record(Event("phase", t0, detail="warm-up"))
            for k in range(touches):
                for p, c in enumerate(clients, start=1):
                    t = t0 + (k + 1) * S + p * 1000
                    j.record(Event("touch", t, player=p, client=c, board=0x5A,
                                   electrode=k % 12, pad=k % 12))
                    j.record(Event("note_on", t, player=p, client=c, pad=k % 12,
                                   note=60 + k % 12, velocity=90, channel=p - 1))
                    j.record(Event("release", t + S // 3, player=p, client=c,
                                   board=0x5A, electrode=k % 12, pad=k % 12))
            j.record(Event("note", t0 + (touches + 2) * S, detail="calm today"))
            j.rate(sid, t0 + (touches + 3) * S, 1, clients[0], "reach", n % 3 - 1)
            j.end_session(t0 + (touches + 5) * S, "cli")
        assert j.flush()
    finally:
        j.close()
    return path


def journal_rows(path: Path) -> dict[str, list[tuple]]:
    """The rows of a journal file as the clinic should hold them, per table, id order."""
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        return {
            "sessions": conn.execute("SELECT id, started_ns, ended_ns FROM sessions "
                                     "ORDER BY id").fetchall(),
            "events": conn.execute("SELECT id, session_id, t_ns, kind, client FROM events "
                                   "ORDER BY id").fetchall(),
            "ratings": conn.execute("SELECT id, session_id, client, level FROM ratings "
                                    "ORDER BY id").fetchall(),
        }
    finally:
        conn.close()


def clinic_rows(cluster: Cluster, dbname: str, station_id: str) -> dict[str, list[tuple]]:
    """The same view of what the clinic database holds for ``station_id``."""
    with cluster.connect(dbname) as pg:
        q = "FROM clinic.{} WHERE station_id = %s ORDER BY row_id"
        return {
            "sessions": pg.execute("SELECT row_id, started_ns, ended_ns " + q.format("sessions"),
                                   (station_id,)).fetchall(),
            "events": pg.execute("SELECT row_id, session_id, t_ns, kind, client "
                                 + q.format("events"), (station_id,)).fetchall(),
            "ratings": pg.execute("SELECT row_id, session_id, client, level "
                                  + q.format("ratings"), (station_id,)).fetchall(),
        }
