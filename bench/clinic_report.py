"""Benchmark: the cross-room report of a clinic, 100 clients x 50 sessions (issue 26).

``fill(owner, ...)`` writes a clinic's history straight into the clinic database with
COPY, as the replicators would have left it: ``clients`` clients, each seen in
``sessions`` sessions of 30 minutes spread over 4 rooms (so a client's history is in
every room), ``touches`` touches per session (a touch, its note and its release: three
event rows each), a phase and a goal rating per session. Clients carry clinic
pseudonyms. ``measure(db)`` then times what ``station export --clinic --format
metrics`` does, as the report role: gather the clinic into one journal
(``station.clinic.gather``) and compute every session's metrics
(``station.report.export_metrics``), the same code as one station's report.
"""

from __future__ import annotations

import io
import random
import time

S = 1_000_000_000
ROOMS = ("room1", "room2", "room3", "room4")
SESSION_NS = 30 * 60 * S


def fill(owner, clients: int = 100, sessions: int = 50, touches: int = 100,
         seed: int = 26) -> dict:
    """Write the history (see the module docstring); return its size."""
    rng = random.Random(seed)
    day0 = 1_767_225_600 * S          # 2026-01-01 UTC
    srows, erows, rrows = io.StringIO(), io.StringIO(), io.StringIO()
    row_ids = {room: [0, 0, 0] for room in ROOMS}
    n_sessions = n_events = 0
    for c in range(clients):
        client = f"c-{c:08x}"
        for k in range(sessions):
            room = ROOMS[(c + k) % len(ROOMS)]
            ids = row_ids[room]
            ids[0] += 1
            sid = ids[0]
            unix0 = day0 + (k * 7 + c % 5) * 86400 * S + (c % 8) * 3600 * S
            t0 = sid * 4 * 3600 * S                  # the station's own clock
            started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(unix0 // S)) + "Z"
            ended = time.strftime("%Y-%m-%dT%H:%M:%S",
                                  time.gmtime((unix0 + SESSION_NS) // S)) + "Z"
            srows.write(f"{room}\tj-{room}\t{sid}\t{room}\t{t0}\t{t0 + SESSION_NS}\t{started}\t"
                        f"{ended}\tcli\tcli\t6.0\t0\tUTC\t{unix0}\t{{\"1\": \"client\"}}\n")
            ids[1] += 1
            erows.write(f"{room}\tj-{room}\t{ids[1]}\t{sid}\t{t0}\tphase\t"
                        + "\\N\t" * 9 + "main\t\\N\n")      # player .. channel: none
            t = t0
            for _ in range(touches):
                t += int(rng.uniform(0.3, 1.5) * SESSION_NS / touches)    # ends inside the session
                pad = rng.randrange(12)
                n = "\\N"
                for kind, dt, cells in (       # board electrode button pad note velocity ch
                        ("touch", 0, (90, pad, n, pad, n, n, n)),
                        ("note_on", 1_000_000, (n, n, n, pad, 60 + pad, 90, 0)),
                        ("release", S // 3, (90, pad, n, pad, n, n, n))):
                    ids[1] += 1
                    erows.write(f"{room}\tj-{room}\t{ids[1]}\t{sid}\t{t + dt}\t{kind}\t1\t"
                                f"{client}\t" + "\t".join(map(str, cells)) + f"\t{n}\t{n}\n")
            ids[2] += 1
            rrows.write(f"{room}\tj-{room}\t{ids[2]}\t{sid}\t{t0 + SESSION_NS - S}\t1\t"
                        f"{client}\treach\t{rng.randint(-2, 2)}\t{ended}\n")
            n_sessions += 1
            n_events += 1 + 3 * touches
    ecols = ("station_id, journal, row_id, session_id, t_ns, kind, player, client, board, "
             "electrode, button, pad, note, velocity, channel, detail, strength")
    with owner.transaction():
        with owner.cursor() as cur:
            for table, cols, buf in (
                    ("sessions", "station_id, journal, row_id, station_name, started_ns, "
                                 "ended_ns, started_at, ended_at, started_by, ended_by, "
                                 "latency_ms, utc_offset_min, tz, started_unix_ns, roles",
                     srows), ("events", ecols, erows),
                    ("ratings", "station_id, journal, row_id, session_id, t_ns, player, "
                                "client, goal, level, rated_at", rrows)):
                with cur.copy(f"COPY clinic.{table} ({cols}) FROM STDIN") as copy:
                    copy.write(buf.getvalue())
    owner.execute("ANALYZE")
    return {"report_clients": clients, "report_sessions": n_sessions,
            "report_events": n_events}


def measure(reader) -> dict:
    """Time the cross-room metrics on ``reader`` (a connection as the report role)."""
    from station.clinic.gather import clinic_journal
    from station.journal.reader import select_sessions
    from station.report.export_metrics import metric_rows
    t = time.perf_counter()
    conn = clinic_journal(reader)
    gathered = time.perf_counter() - t
    sessions = select_sessions(conn)
    rows = sum(1 for _ in metric_rows(conn, sessions))
    total = time.perf_counter() - t
    conn.close()
    return {"report_gather_s": round(gathered, 2), "report_metrics_s": round(total - gathered, 2),
            "report_total_s": round(total, 2), "report_metric_rows": rows}
