"""The clinic section of ``python -m bench`` (``make bench``): issue 26's figures.

Needs Debian's ``postgresql`` (a throw-away cluster is started and stopped here) and
psycopg; without either the section is reported as not measured, with the reason
(``bench.sections``). In one run:

* **exactly once**: 4 simulated stations, a virtual day each (8 h), 20 random
  partitions of two rooms' replicators and 2 kills (-9) of the other two rooms'
  ``station clinic push``: rows lost and duplicated (``bench.clinic_bench``);
* **lag when connected**: event -> committed in PostgreSQL, p50/p99 (same module);
* **cross-room report**: 100 clients x 50 sessions, gathered and their metrics computed
  as ``station export --clinic --format metrics`` does (``bench.clinic_report``);
* **touch path with replication off and on, in the same run**: IRQ edge -> note-on of
  the real daemon on the simulator (alternating off/on/off/on), and, where jackd is
  installed, IRQ edge -> first sound out of FluidSynth on JACK (``bench.e2e``'s driver,
  period 64), alternating the same way.
"""

from __future__ import annotations

import glob
import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

FULL: dict[str, Any] = dict(hours=8.0, live_s=20.0, touches=300, clients=100,
                            sessions=50, session_touches=20, e2e_touches=150)
QUICK: dict[str, Any] = dict(hours=1.0, live_s=2.0, touches=10, clients=10, sessions=5,
                             session_touches=5, e2e_touches=5)


def why_not() -> str | None:
    """The reason the section cannot run here, or None."""
    if not glob.glob("/usr/lib/postgresql/*/bin/initdb"):
        return "PostgreSQL is not installed (Debian package 'postgresql'; ./run.sh test " \
               "installs it)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg 3 is not installed (pip install 'psycopg[binary]', the 'clinic' extra)"
    return None


def measure(tmp: Path, quick: bool, say=print) -> dict:
    from bench import clinic_bench
    reason = why_not()
    if reason:
        raise RuntimeError(reason)
    sizes = QUICK if quick else FULL
    tmp.mkdir(parents=True, exist_ok=True)
    # the cluster runs as the postgres user when we are root: a folder it can reach
    pg_root = Path(tempfile.mkdtemp(prefix="station-bench-pg-"))
    pg_root.chmod(0o755)
    dsn, stop = clinic_bench.start_cluster(pg_root / "pg")
    try:
        day = clinic_bench.measure(tmp, dsn, sizes["hours"], sizes["live_s"], sizes["touches"])
        out = {f"clinic_{k.removeprefix('clinic_')}": v for k, v in day.items()}
        say("      ... the cross-room report: "
            f"{sizes['clients']} clients x {sizes['sessions']} sessions")
        out.update({f"clinic_{k}": v for k, v in report(dsn, sizes).items()})
        out.update(e2e_on_off(tmp, f"{dsn} dbname=clinic", sizes["e2e_touches"], say))
    finally:
        stop()
        shutil.rmtree(pg_root, ignore_errors=True)
    return out


def report(dsn: str, sizes: dict) -> dict:
    import psycopg

    from bench import clinic_report
    from station.clinic.roles import init
    with psycopg.connect(f"{dsn} dbname=postgres user=postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE clinic_report")
    with psycopg.connect(f"{dsn} dbname=clinic_report user=postgres",
                         autocommit=True) as owner:
        init(owner, list(clinic_report.ROOMS))
        out = clinic_report.fill(owner, sizes["clients"], sizes["sessions"],
                                 sizes["session_touches"])
    with psycopg.connect(f"{dsn} dbname=clinic_report user=clinic_reader",
                         autocommit=True) as reader:
        out.update(clinic_report.measure(reader))
    return out


def e2e_on_off(tmp: Path, db: str, touches: int, say=print) -> dict:
    """IRQ edge -> first sound on JACK (period 64), replication off/on/off/on."""
    from bench import e2e
    from bench.jack import jackd_path
    from bench.onsets import latencies
    from bench.rig import run_daemon
    from bench.stats import summary_ms
    if jackd_path() is None:
        return {"clinic_e2e_p99_on_over_off": None, "_not_measured": {
            "clinic_e2e_p99_on_over_off": "jackd is not installed (apt: jackd2)"}}
    say("      ... the touch path at the speaker (JACK, period 64), replication off / on")
    server, _rt = e2e.start_server(64)
    samples: dict[str, list] = {"off": [], "on": []}
    try:
        spacing = e2e.HOLD_S + e2e.GAP_S[1] + 0.01
        for n, label in enumerate(("off", "on", "off", "on")):
            cfg = e2e.e2e_config(tmp / f"e2e-clinic-{n}", server.name, 64, "irq")
            if label == "on":
                cfg.write_text(cfg.read_text() + f"clinic:\n  database: {db} user="
                               f"clinic_station_room1\n  station_id: room1\n  sslmode: "
                               f"disable\n  interval_s: 0.2\n")
            box: dict = {}
            run = run_daemon(cfg, e2e._touches(touches, 40 + n, "irq",
                                               (touches + e2e.WARMUP) * spacing + 5,
                                               server.name, box))
            got, _dropped = latencies(box["rec"], run["starts"])
            samples[label] += got
    finally:
        server.stop()
    off, on = summary_ms(samples["off"]), summary_ms(samples["on"])
    return {"clinic_e2e_n": off["n"] + on["n"], "clinic_e2e_p50_off_ms": off["median"],
            "clinic_e2e_p50_on_ms": on["median"], "clinic_e2e_p99_off_ms": off["p99"],
            "clinic_e2e_p99_on_ms": on["p99"],
            "clinic_e2e_p99_on_over_off": on["p99"] / off["p99"]}
