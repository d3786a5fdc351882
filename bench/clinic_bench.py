"""Benchmark: a clinic of 4 rooms replicating to a real PostgreSQL (docs/clinic.md).

    python -m bench.clinic_bench [--hours 8] [--out out/bench]

Starts a throw-away PostgreSQL cluster (Debian's postgresql; as the postgres user when
run as root; Unix socket only; stopped with -m immediate), then:

1. **Exactly once under faults.** 4 stations each write a virtual day of ``--hours``
   hours of sessions (two clients touching about every 2 s) into their own journal.
   Rooms 1-2 are sent by the real ``Replicator`` threads while a chaos thread cuts their
   connections 20 times at random moments (``pg_terminate_backend``: the database side
   of a partition); rooms 3-4 by ``station clinic push`` subprocesses, each killed with
   -9 at a random moment once, then pushed again. Counts the rows lost and duplicated.
2. **Lag when connected.** The 4 replicators run at the default 1 s interval while each
   room journals 20 touches a second for ``--live-s`` seconds of real time; lag is the
   database's receive time minus the event's wall-clock time (p50, p99).
3. **Cross-room report.** ``station.clinic.gather`` plus the metrics of every session,
   as ``station export --clinic --format metrics`` computes them.
4. **Touch path with replication on and off**, in the same run: the real daemon on the
   simulator (``bench.rig``), one-pad touches from IRQ edge to note-on, alternately
   without and with a ``clinic:`` section (the replicator sending every 0.2 s).

Prints the figures and writes ``OUT/clinic_bench.json``. Targets (issue 26): 0 lost,
0 duplicated; lag p99 <= 2 s; touch p99 with replication within 5 % of without.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

S = 1_000_000_000


def start_cluster(root: Path) -> tuple[str, Callable[[], None]]:
    """(owner conninfo, stop) of a new cluster in ``root``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL is not installed (apt: postgresql)")
    bindir = Path(found[-1]).parent
    data, sock = root / "data", root / "sock"
    sock.mkdir(parents=True)
    run_as = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    if run_as:
        shutil.chown(root, "postgres")
        shutil.chown(sock, "postgres")
    subprocess.run(run_as + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U",
                             "postgres", "--no-sync"], check=True, capture_output=True)
    port = 5432
    subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l",
                             str(root / "log"), "-o", f"-k {sock} -p {port} -c "
                             f"listen_addresses=''", "start"], check=True, capture_output=True)

    def stop():
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                 "stop"], capture_output=True)
    return f"host={sock} port={port}", stop


def write_day(path: Path, hours: float, room: str, seed: int) -> None:
    """A virtual day: 45-minute sessions back to back, two clients, a touch each ~2 s."""
    from station.core.events import Event
    from station.journal.writer import Journal
    rng = random.Random(seed)
    j = Journal(path, station=room)
    try:
        for n in range(int(hours * 60 // 45)):
            t0 = n * 45 * 60 * S
            sid = j.start_session(t0, [(1, "client"), (2, "client")], by="cli")
            j.record(Event("phase", t0, detail="main"))
            t = t0
            while t < t0 + 40 * 60 * S:
                t += int(rng.uniform(0.5, 1.5) * S)
                p = rng.choice((1, 2))
                c = f"c-{room[-1]}{p}{n % 5:06d}"
                j.record(Event("touch", t, player=p, client=c, pad=rng.randrange(12)))
                j.record(Event("note_on", t, player=p, client=c, note=60, velocity=90))
                j.record(Event("release", t + S // 4, player=p, client=c, pad=0))
            j.rate(sid, t + S, 1, f"c-{room[-1]}1{n % 5:06d}", "reach", rng.randint(-2, 2))
            j.end_session(t + 2 * S, "cli")
        assert j.flush(60)
    finally:
        j.close()


def rows_of(path: Path) -> int:
    import sqlite3
    conn = sqlite3.connect(path)
    try:
        return sum(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("sessions", "events", "ratings"))
    finally:
        conn.close()


def config(tmp: Path, dsn: str, room: str) -> Path:
    from station.core.paths import CONFIGS
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("plans_dir: plans", f"plans_dir: {CONFIGS / 'plans'}")
    path = tmp / f"{room}.yaml"
    path.write_text(text + f"clinic:\n  database: {dsn} user=clinic_station_{room}\n"
                           f"  station_id: {room}\n  sslmode: disable\n")
    return path


def replicator(dsn: str, room: str, journal: Path, interval: float = 1.0):
    from station.clinic.replicator import Replicator
    from station.clinic.settings import ClinicSettings, connect
    from station.journal.store import connect as open_journal
    s = ClinicSettings(f"{dsn} user=clinic_station_{room}", room, sslmode="disable",
                       interval_s=interval)
    rep = Replicator(s, lambda: connect(s.database), lambda: open_journal(journal),
                     wait=lambda sec: rep.stopping.wait(min(sec, interval)))
    return rep


def touch_path(tmp: Path, db: str, touches: int) -> dict:
    """IRQ edge -> note-on of the real daemon, off / on / off / on (alternating, so a
    change of the machine's load falls on both)."""
    from bench.pipeline import single_touches
    from bench.rig import run_daemon, write_config
    from bench.stats import summary_ms
    samples: dict[str, list] = {"off": [], "on": []}
    for n, label in enumerate(("off", "on", "off", "on")):
        cfg = write_config(tmp / f"touch{n}", quick_start=True)
        if label == "on":
            cfg.write_text(cfg.read_text() + f"clinic:\n  database: {db} "
                           f"user=clinic_station_room1\n  station_id: room1\n  sslmode: "
                           f"disable\n  interval_s: 0.2\n")
        samples[label] += run_daemon(cfg, single_touches(touches, 5 + n, True))["note"]
    off, on = summary_ms(samples["off"]), summary_ms(samples["on"])
    return {"touch_n": off["n"] + on["n"], "touch_p50_off_ms": round(off["median"], 3),
            "touch_p50_on_ms": round(on["median"], 3), "touch_p99_off_ms": round(off["p99"], 3),
            "touch_p99_on_ms": round(on["p99"], 3),
            "touch_p99_on_over_off": round(on["p99"] / off["p99"], 3)}


def measure(tmp: Path, dsn: str, hours: float, live_s: float, touches: int = 300) -> dict:
    import psycopg

    from station.clinic.roles import init
    r: dict = {}
    admin = psycopg.connect(f"{dsn} dbname=postgres user=postgres", autocommit=True)
    admin.execute("CREATE DATABASE clinic")
    db = f"{dsn} dbname=clinic"
    owner = psycopg.connect(f"{db} user=postgres", autocommit=True)
    rooms = [f"room{i}" for i in range(1, 5)]
    init(owner, rooms)
    journals = {room: tmp / f"{room}.db" for room in rooms}
    t = time.perf_counter()
    for i, room in enumerate(rooms):
        write_day(journals[room], hours, room, seed=i)
    r["day_write_s"] = round(time.perf_counter() - t, 1)
    expected = {room: rows_of(p) for room, p in journals.items()}
    r["rows_per_room"] = expected["room1"]
    # 1. rooms 1-2: replicator threads under 20 cut connections
    t = time.perf_counter()
    reps = [replicator(db, room, journals[room], 0.2) for room in rooms[:2]]
    for rep in reps:
        rep.start()
    rng = random.Random(26)
    cuts = 0
    while cuts < 20:
        time.sleep(rng.uniform(0.05, 0.4))
        cuts += owner.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE usename IN ('clinic_station_room1', "
                              "'clinic_station_room2')").fetchone()[0] > 0
    # 2 kills: rooms 3-4 pushed by the CLI, killed -9 once each at a random moment
    cmd = [sys.executable, "-m", "station", "clinic", "push"]
    for room in rooms[2:]:
        proc = subprocess.Popen(cmd + ["--db", str(journals[room]), "--config",
                                       str(config(tmp, db, room))],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while held(owner, room) == 0 and proc.poll() is None:    # it is sending now
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.3))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        r[f"{room}_rows_at_kill"] = held(owner, room)
        subprocess.run(cmd + ["--db", str(journals[room]), "--config",
                              str(config(tmp, db, room))], check=True, capture_output=True)
    while any(held(owner, room) < expected[room] for room in rooms[:2]):
        time.sleep(0.2)
    r["partition_phase_s"] = round(time.perf_counter() - t, 1)
    r["partitions"] = cuts
    r["kills"] = 2
    got = {room: held(owner, room) for room in rooms}
    r["rows_lost"] = sum(max(0, expected[k] - got[k]) for k in rooms)
    r["rows_duplicated"] = sum(max(0, got[k] - expected[k]) for k in rooms)
    # 2. lag while connected: all four rooms journal live touches
    for rep in reps:
        rep.stop()
    r.update(lag(db, owner, rooms, journals, live_s))
    # 3. the cross-room metrics
    from station.clinic.gather import clinic_journal
    from station.journal.reader import select_sessions
    from station.report.export_metrics import metric_rows
    t = time.perf_counter()
    with psycopg.connect(f"{db} user=clinic_reader", autocommit=True) as pg:
        conn = clinic_journal(pg)
    r["clinic_gather_s"] = round(time.perf_counter() - t, 2)
    sessions = select_sessions(conn)
    n = sum(1 for _ in metric_rows(conn, sessions))
    r["clinic_metrics_s"] = round(time.perf_counter() - t, 2)
    r["clinic_sessions"], r["clinic_metric_rows"] = len(sessions), n
    r["clinic_events"] = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    r.update(touch_path(tmp, db, touches))
    owner.close()
    admin.close()
    return r


def held(pg, room: str) -> int:
    return sum(pg.execute(f"SELECT count(*) FROM clinic.{t} WHERE station_id = %s",
                          (room,)).fetchone()[0] for t in ("sessions", "events", "ratings"))


def lag(db: str, owner, rooms, journals, live_s: float) -> dict:
    from station.core.events import Event
    from station.journal.writer import Journal
    reps = [replicator(db, room, journals[room]) for room in rooms]
    for rep in reps:
        rep.start()
    writers = [Journal(journals[room], station=room) for room in rooms]
    start = time.monotonic_ns()
    sids = [w.start_session(start, [(1, "client")], by="cli") for w in writers]
    while time.monotonic_ns() - start < live_s * S:
        now = time.monotonic_ns()
        for w in writers:
            w.record(Event("touch", now, player=1, client="c-live0001", pad=1))
        time.sleep(0.05)
    time.sleep(3.0)                 # the last batches arrive (not part of any figure)
    for rep in reps:
        rep.stop()
    for w in writers:
        w.close()
    rows = owner.execute(
        "SELECT (extract(epoch FROM e.received_at) * 1e9 - (s.started_unix_ns + e.t_ns - "
        "s.started_ns)) / 1e9 FROM clinic.events e JOIN clinic.sessions s USING "
        "(station_id, journal) WHERE s.row_id = e.session_id AND e.client = 'c-live0001' "
        "AND s.row_id = ANY(%s)", (sids,)).fetchall()
    lags = sorted(float(x) for (x,) in rows)
    return {"lag_events": len(lags), "lag_p50_s": round(lags[len(lags) // 2], 3),
            "lag_p99_s": round(lags[int(len(lags) * 0.99)], 3), "lag_max_s": round(lags[-1], 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float, default=8.0)
    ap.add_argument("--live-s", type=float, default=20.0)
    ap.add_argument("--touches", type=int, default=300, help="per touch-path run (4 runs)")
    ap.add_argument("--out", default="out/bench")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="clinic-bench-"))
    os.chmod(tmp, 0o755)
    dsn, stop = start_cluster(tmp / "pg")
    try:
        r = measure(tmp, dsn, args.hours, args.live_s, args.touches)
    finally:
        stop()
        shutil.rmtree(tmp, ignore_errors=True)
    r["pass_exactly_once"] = r["rows_lost"] == 0 and r["rows_duplicated"] == 0
    r["pass_lag_p99_2s"] = r["lag_p99_s"] <= 2.0
    r["pass_touch_p99_within_5pct"] = r["touch_p99_on_over_off"] <= 1.05
    for k, v in r.items():
        print(f"  {k:<28} {v}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "clinic_bench.json").write_text(json.dumps(r, indent=2))


if __name__ == "__main__":
    main()
