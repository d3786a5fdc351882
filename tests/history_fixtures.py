"""An eight-session history of one client with a therapist partner, written through the
real journal, for the report's screenshots and tests.

Client ``alex`` (pseudonym from the journal's secret) plays call and response with the
therapist (player 2) once a week. Over the weeks the replies come sooner, the timing
within phrases steadier and the playing longer; a pulse sounds in the main phase; in
session 3 the board is unplugged for 6 s; the therapist rates both goals every session
(the last two sessions higher). Everything is deterministic (a seeded generator).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sqlite3
from pathlib import Path

from journal_fixtures import touch

from station.core.events import Event
from station.journal.writer import Journal

S = 1_000_000_000
GOALS = [
    {"id": "steady", "text": "Keeps a steady beat within a phrase", "metric": "ioi_cv",
     "direction": "lower", "levels": {"-2": "no two notes alike", "0": "steady for a short "
                                      "phrase", "2": "steady through the activity"}},
    {"id": "reply", "text": "Replies to the therapist's phrase", "metric":
     "response_latency_median_s", "direction": "lower", "levels": {}},
]
RATINGS = {"steady": [-2, -1, -1, 0, 0, 1, 1, 2], "reply": [-1, -1, 0, 0, 0, 0, 1, 1]}
CONSENT = "date=2024-02-01;journal=yes;audio=yes;research_export=yes"


def session_events(k: int, client: str, rng: random.Random) -> tuple[list, float]:
    """Events of session k (0-based) and its length (s)."""
    ev = [(0.0, "profile", dict(player=1, client=client, detail="use:abc")),
          (0.0, "consent", dict(player=1, client=client, detail=CONSENT)),
          (0.0, "goals", dict(player=1, client=client, detail=json.dumps(GOALS))),
          (0.0, "profile", dict(player=2, client="c-therapy", detail="use:def")),
          (0.0, "phase", dict(detail="warm-up")), (60.0, "phase", dict(detail="main")),
          (240.0, "phase", dict(detail="reflection")),
          (245.0, "note", dict(detail=f"week {k + 1}: " + ("calm" if k % 2 else "tired")))]
    delay = max(0.5, round(2 * (3.0 - 0.35 * k)) / 2) - 0.03  # replies come sooner
    jitter = 0.12 * max(0.0, 1 - k / 6)         # and steadier
    gap = 0.5
    t = 62.0
    while t < 230.0:                            # call and response in the main phase
        t = math.ceil(2 * t) / 2                # the therapist starts on a beat
        ev.append((t, "turn_start", dict(player=2, client="c-therapy", detail="gap")))
        for i in range(4):
            ev += touch(t + 0.5 * i, i, 0.2, player=2, client="c-therapy", note=57 + i)
        t_end = t + 2.5
        ev += [(t_end, "turn_end", dict(player=2, client="c-therapy", detail="gap")),
               (t_end, "turn_start", dict(player=1, client=client, detail="gap"))]
        first = t_end + delay
        notes = 3 + k                           # longer replies
        for i in range(notes):
            tt = first + i * gap + rng.uniform(-jitter, jitter)
            ev += touch(round(tt, 3), (i + k) % 6, 0.3, player=1, client=client)
        t = first + notes * gap + 2.0
        ev.append((t, "turn_end", dict(player=1, client=client, detail="gap")))
        t += 0.2
    b = 60.0
    while b < 240.0:                            # a pulse under the main phase
        ev.append((b, "beat", dict(detail="pulse")))
        b += 0.5
    for i in range(6):                          # warm-up: free playing
        ev += touch(10.0 + i * (6 - 0.5 * k / 2), i % 4, 0.4, player=1, client=client)
    if k == 2:                                  # session 3: the board is unplugged 6 s
        ev += [(150.0, "fault", dict(board=0x5A, detail="board_lost")),
               (156.0, "fault", dict(board=0x5A, detail="board_recovered"))]
        ev = [e for e in ev if not (150.0 <= e[0] <= 156.0 and e[2].get("player") == 1
                                    and e[1] in ("touch", "release", "note_on",
                                                 "note_off"))]
    ev.sort(key=lambda e: e[0])
    return ev, 270.0


def make_history(path: Path, sessions: int = 8, client_id: str = "alex",
                 start: dt.datetime = dt.datetime(2024, 3, 4, 10, 0, tzinfo=dt.UTC),
                 utc_offset_min: int = 60, tz: str = "CET") -> tuple[Path, str]:
    """Write the history to ``path``; return (path, the client's pseudonym)."""
    rng = random.Random(13)
    j = Journal(path, station="room-1")
    client = j.pseudonym(client_id)
    try:
        for k in range(sessions):
            t0 = k * 10_000 * S
            events, length = session_events(k, client, rng)
            sid = j.start_session(t0, [(1, "client"), (2, "therapist")], latency_ms=4.0,
                                  by="button")
            for t, kind, fields in events:
                j.record(Event(kind, t0 + int(round(t * S)), **fields))
            for goal, levels in RATINGS.items():
                j.rate(sid, t0 + int(length * S), 1, client, goal, levels[k])
            j.end_session(t0 + int(length * S), "button")
        assert j.flush()
    finally:
        j.close()
    conn = sqlite3.connect(path)
    with conn:
        for k in range(sessions):
            when = start + dt.timedelta(days=7 * k)
            conn.execute("UPDATE sessions SET started_unix_ns=?, started_at=?, "
                         "utc_offset_min=?, tz=? WHERE id=?",
                         (int(when.timestamp()) * S, when.isoformat(), utc_offset_min, tz,
                          k + 1))
    conn.close()
    return path, client
