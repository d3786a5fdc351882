"""Benchmark: ``station report`` over a journal of 1,000,000 events (target: under 10 s).

    python -m bench.report_bench [--events 1000000] [--sessions 40] [--out out/bench]

Builds a synthetic journal with the real schema (not timed): ``sessions`` sessions of two
clients and a therapist, each client touching about twice a second (touch, note_on,
release, note_off), some touches held back, turns every 8 s and a 0.5 s pulse. Then times
the whole report (every session, and the across-sessions section of each client) and a
one-client report, writing the HTML each time. Prints the figures and writes
``OUT/report_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import tempfile
import time
from pathlib import Path

S = 1_000_000_000


def build_journal(path: Path, events: int, sessions: int, seed: int = 6) -> int:
    """Write a journal of about ``events`` events; return the exact count."""
    from station.journal.pseudonym import pseudonym
    from station.journal.writer import connect, journal_secret
    rng = random.Random(seed)
    conn = connect(path)
    secret = journal_secret(conn)
    clients = {1: pseudonym("alex", secret), 2: pseudonym("sam", secret)}
    per = events // sessions
    total = 0
    day = 86_400 * S
    base = time.time_ns() - sessions * 7 * day
    with conn:
        for sid in range(1, sessions + 1):
            rows = []
            t = 0
            turn_player = 1
            next_turn = 0
            next_beat = 0
            while len(rows) < per:
                t += int(rng.uniform(0.2, 0.8) * S)
                while next_beat <= t:
                    rows.append((sid, next_beat, "beat", None, None, None, None, "pulse"))
                    next_beat += S // 2
                while next_turn <= t:
                    rows.append((sid, next_turn, "turn_end", turn_player,
                                 clients[turn_player], None, None, "time"))
                    turn_player = 3 - turn_player
                    rows.append((sid, next_turn, "turn_start", turn_player,
                                 clients[turn_player], None, None, "time"))
                    next_turn += 8 * S
                player = rng.choice((1, 2, 3))
                client = clients.get(player)
                pad = rng.randrange(12)
                hold = int(rng.uniform(0.1, 0.6) * S)
                rows.append((sid, t, "touch", player, client, pad, None, None))
                if rng.random() < 0.1:
                    rows.append((sid, t, "suppressed", player, client, pad, None,
                                 rng.choice(("dwell", "lockout", "out_of_turn"))))
                else:
                    rows.append((sid, t, "note_on", player, client, pad, 60 + pad, None))
                    rows.append((sid, t + hold, "note_off", player, client, pad, 60 + pad,
                                 None))
                rows.append((sid, t + hold, "release", player, client, pad, None, None))
            conn.execute("INSERT INTO sessions(id, station, started_ns, ended_ns, started_at, "
                         "latency_ms, started_unix_ns, started_by, ended_by) VALUES "
                         "(?, 'bench', 0, ?, ?, 4.0, ?, 'cli', 'cli')",
                         (sid, t + S, f"2024-01-{1 + sid % 28:02d}T10:00:00+00:00",
                          base + sid * 7 * day))
            conn.executemany("INSERT INTO players VALUES (?, ?, ?)",
                             [(sid, 1, "client"), (sid, 2, "client"), (sid, 3, "therapist")])
            conn.executemany("INSERT INTO events(session_id, t_ns, kind, player, client, pad, "
                             "note, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            total += len(rows)
    conn.close()
    return total


def timed(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its plot workers)."""
    import resource

    def cpu() -> float:
        me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                   resource.RUSAGE_CHILDREN))
        return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    t0, c0 = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - t0, cpu() - c0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.report_bench")
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--sessions", type=int, default=40)
    ap.add_argument("--out", default="out/bench")
    args = ap.parse_args(argv)
    from station.journal.reader import open_journal
    from station.report.build import write_report
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        n = build_journal(db, args.events, args.sessions)
        t_build = time.perf_counter() - t0
        conn = open_journal(db)
        t_all = timed(lambda: write_report(conn, Path(tmp) / "all.html"))
        size = (Path(tmp) / "all.html").stat().st_size
        client = conn.execute("SELECT client FROM events WHERE client IS NOT NULL LIMIT 1"
                              ).fetchone()[0]
        t_client = timed(lambda: write_report(conn, Path(tmp) / "one.html", client=client))
        conn.close()
    load = os.getloadavg()[0]
    result = {"events": n, "sessions": args.sessions, "build_s": round(t_build, 2),
              "report_all_s": round(t_all[0], 2), "report_all_cpu_s": round(t_all[1], 2),
              "report_one_client_s": round(t_client[0], 2),
              "report_one_client_cpu_s": round(t_client[1], 2),
              "report_html_bytes": size, "cpus": os.cpu_count(), "load_average": load,
              "machine": platform.machine(), "python": platform.python_version()}
    print(f"report over {n} events in {args.sessions} sessions: all {t_all[0]:.2f} s "
          f"({t_all[1]:.2f} s CPU), one client {t_client[0]:.2f} s ({t_client[1]:.2f} s "
          f"CPU); target under 10 s; HTML {size / 1e6:.1f} MB; {os.cpu_count()} CPUs, "
          f"load average {load:.1f} (other work on the machine slows the wall time); "
          f"journal built in {t_build:.1f} s (not part of the figure)")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report_bench.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
