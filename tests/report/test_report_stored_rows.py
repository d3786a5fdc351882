"""Reports never crash on what a journal holds: an odd time zone stored by a daemon started
with a strange ``TZ`` (an offset beyond ±24 h), and, by hypothesis, any session header and
any events a journal's columns can hold. The journals are real (written by ``Journal``,
then given the rows as SQLite stores them); ``station report`` runs as a subprocess."""

import shutil
import sqlite3
import subprocess

from conftest import station_command
from fuzz_strategies import EXAMPLES, FUZZ
from hypothesis import given, settings
from hypothesis import strategies as st

from station.core.errors import StationError
from station.core.events import NOTE_ON, PHASE, TOUCH, Event
from station.journal.reader import select_sessions
from station.journal.writer import Journal
from station.report.build import build_report
from station.report.export_csv import csv_text

S = 1_000_000_000


_BASE: list = []


def base_journal(tmp_path_factory):
    """The small journal, written once by the real writer (a writer thread per example
    was most of this test's time); each example edits its own copy."""
    if not _BASE:
        _BASE.append(small_journal(tmp_path_factory.mktemp("base") / "station.db"))
    return _BASE[0]


def small_journal(path):
    j = Journal(path, station="test")
    alias = j.pseudonym("alex")
    j.start_session(0, [(1, "client"), (2, "therapist")], by="cli")
    j.record(Event(PHASE, 1 * S, detail="warm-up"))
    for i in range(20):
        j.record(Event(TOUCH, 2 * S + i * S // 4, player=1, client=alias, pad=i % 12))
        j.record(Event(NOTE_ON, 2 * S + i * S // 4 + 5_000_000, player=1, client=alias,
                       pad=i % 12, note=60 + i % 12, velocity=90, channel=0))
    j.end_session(30 * S, "cli")
    j.close()
    return path


def test_an_extreme_utc_offset_does_not_stop_the_report(tmp_path):
    db = small_journal(tmp_path / "station.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sessions SET utc_offset_min = -1499, tz = 'XXX'")
    out = subprocess.run(station_command() + ["report", "--db", str(db), "-o",
                                              str(tmp_path / "r.html")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and (tmp_path / "r.html").stat().st_size > 1000


ANY = st.one_of(st.none(), st.integers(min_value=-2**63, max_value=2**63 - 1),
                st.floats(allow_nan=False), st.text(max_size=12),
                st.binary(max_size=8), st.sampled_from([0, 1, -1, 60, 127, 128, 0x5A]))
SOME = ANY.filter(lambda v: v is not None)            # a NOT NULL column holds anything else
NOT_NULL = {"started_ns", "started_at", "started_by", "t_ns", "kind"}
SESSION_COLUMNS = ("started_ns", "ended_ns", "started_at", "latency_ms", "started_by",
                   "ended_by", "utc_offset_min", "tz", "started_unix_ns")
EVENT_COLUMNS = ("t_ns", "kind", "player", "client", "board", "electrode", "button", "pad",
                 "note", "velocity", "channel", "detail", "strength")
KINDS = st.sampled_from(["touch", "release", "note_on", "note_off", "suppressed", "phase",
                         "note", "turn_start", "fault", "profile", "consent", "goals",
                         "counts", "beat", "dwell", "x"])


# a whole report (plots included) per example: a third of the fuzzers' examples keeps this
# one test under ten seconds; STATION_FUZZ_EXAMPLES raises it with the others
@settings(FUZZ, max_examples=max(1, EXAMPLES // 3))
@given(session=st.fixed_dictionaries({c: SOME if c in NOT_NULL else ANY
                                     for c in SESSION_COLUMNS}),
       events=st.lists(st.fixed_dictionaries({c: (KINDS if c == "kind" else SOME if c in
                                                  NOT_NULL else ANY)
                                              for c in EVENT_COLUMNS}), max_size=6))
def test_any_stored_rows_give_a_report_or_a_plain_refusal(tmp_path_factory, session, events):
    db = tmp_path_factory.mktemp("rows") / "station.db"
    shutil.copyfile(base_journal(tmp_path_factory), db)    # one real journal, copied
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE sessions SET {', '.join(f'{c} = ?' for c in SESSION_COLUMNS)}",
                     [session[c] for c in SESSION_COLUMNS])
        conn.executemany(
            f"INSERT INTO events (session_id, {', '.join(EVENT_COLUMNS)}) "
            f"VALUES (1, {', '.join('?' * len(EVENT_COLUMNS))})",
            [[e[c] for c in EVENT_COLUMNS] for e in events])
    conn = sqlite3.connect(db)
    try:
        try:
            build_report(conn)
            csv_text(conn, select_sessions(conn))
        except StationError:
            pass                                   # a plain refusal is an answer
    finally:
        conn.close()
