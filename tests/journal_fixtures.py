"""Helpers for journal tests: write a small real journal with known events and times."""

from __future__ import annotations

from pathlib import Path

import sqlite3

from station.core.events import Event
from station.journal.schema import MIGRATIONS
from station.journal.writer import Journal

S = 1_000_000_000


def make_journal(path: Path, sessions: list[dict]) -> Path:
    """Write ``sessions`` through the real Journal (writer thread, real SQLite file).

    Each session: ``{"start": s, "end": s, "players": [(1, "client")], "latency_ms": x,
    "events": [(t_s, kind, {field: value}), ...]}`` with times in seconds.
    """
    j = Journal(path, station="test")
    try:
        for s in sessions:
            t0 = int(s.get("start", 0) * S)
            j.start_session(t0, s.get("players", [(1, "client")]),
                            latency_ms=s.get("latency_ms", 0.0), by="cli")
            for t, kind, fields in s["events"]:
                j.record(Event(kind, t0 + int(round(t * S)), **fields))
            j.end_session(t0 + int(s["end"] * S), "cli")
        assert j.flush()
    finally:
        j.close()
    return path


def touch(t, pad, hold, player=1, client="c-00000001", sounded=True, note=60,
          reason=None, detail=None):
    """Rows for one touch of ``pad`` held ``hold`` s: raw touch, what it became, release."""
    who = dict(player=player, client=client, pad=pad)
    rows = [(t, "touch", dict(who, board=0x5A, electrode=pad))]
    if sounded:
        rows.append((t, "note_on", dict(who, note=note, velocity=90, channel=0,
                                        detail=detail)))
    else:
        rows.append((t, "suppressed", dict(who, detail=reason)))
    rows.append((t + hold, "release", dict(who, board=0x5A, electrode=pad)))
    if sounded:
        rows.append((t + hold, "note_off", dict(who, note=note, channel=0)))
    return rows


def old_journal(path: Path, version: int) -> Path:
    """A journal as an earlier release wrote it (schema ``version``), with one session of
    station 'old' (0..5 s), player 1, and one touch of client c-aaaaaaaa on pad 3."""
    conn = sqlite3.connect(path)
    conn.executescript("".join(MIGRATIONS[:version]))
    conn.execute(f"PRAGMA user_version = {version}")
    conn.execute("INSERT INTO meta VALUES ('secret', 'abc')")
    conn.execute("INSERT INTO sessions(id, station, started_ns, ended_ns, started_at, "
                 "latency_ms) VALUES (1, 'old', 0, 5000000000, '2024-01-02T10:00:00+00:00', 4)")
    conn.execute("INSERT INTO players VALUES (1, 1, 'client')")
    conn.execute("INSERT INTO events(session_id, t_ns, kind, player, client, pad) "
                 "VALUES (1, 1000000000, 'touch', 1, 'c-aaaaaaaa', 3)")
    conn.commit()
    conn.close()
    return path
