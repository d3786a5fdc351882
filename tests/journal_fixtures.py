"""Helpers for journal tests: write a small real journal with known events and times."""

from __future__ import annotations

from pathlib import Path

from station.core.events import Event
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
