"""``station export --format metrics`` as a user runs it: the issue's columns exactly, one
row per session × player × client × phase plus ``all``, empty cells where nothing applies,
numbers rounded to their meaning, the same numbers as the report, and consent honoured."""

import csv
import io
import os
import stat
import subprocess

import pytest
from conftest import station_command
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal
from station.report.build import build_report

C1, C2 = "c-00000001", "c-00000002"
COLUMNS = ("session, player, client, role, phase, seated_s, touches, valid_touches, "
           "valid_per_min, time_on_task_pct, longest_silence_s, hold_median_s, ioi_median_s, "
           "ioi_cv, pads_used, suppressed_pct, turn_response_rate, response_latency_median_s, "
           "vector_strength, rayleigh_p, mean_asynchrony_ms").split(", ")


def station(*args):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Session 1: phases warm-up (0) and main (30); player 1 C1 plays throughout at 0.1 s
    steps written as float seconds (the float noise of the issue); player 2 holds C2 until
    40 s, then C1's partner seat is empty. Session 2: C1 alone, no phases."""
    ev = [(0.0, "phase", dict(detail="warm-up")), (30.0, "phase", dict(detail="main")),
          (0.0, "profile", dict(player=1, client=C1, detail="use:a")),
          (0.0, "profile", dict(player=2, client=C2, detail="use:b")),
          (40.0, "profile", dict(player=2, detail="empty"))]
    t = 1.0
    while t < 58:
        for k in range(6):
            ev += touch(t + 0.1 * k, k, 0.05)
        t += 5.0
    ev += [e for t in (2, 12, 33) for e in touch(t, 3, .3, player=2, client=C2)]
    ev.sort(key=lambda e: e[0])
    s2 = {"start": 100.0, "end": 45.0, "events": [e for t in range(1, 40, 3)
                                                   for e in touch(t, 1, .2)]}
    return make_journal(tmp_path_factory.mktemp("m") / "j.db", [
        {"end": 60.0, "events": ev, "players": [(1, "client"), (2, "client")]}, s2])


def export(db, *args):
    r = station("export", "--format", "metrics", "--db", str(db), *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_columns_and_rows_are_the_issues(db):
    rows = list(csv.DictReader(io.StringIO(export(db))))
    assert list(rows[0]) == COLUMNS
    keys = [(r["session"], r["player"], r["client"], r["phase"]) for r in rows]
    assert keys == [("1", "1", C1, "all"), ("1", "1", C1, "warm-up"), ("1", "1", C1, "main"),
                    ("1", "2", C2, "all"), ("1", "2", C2, "warm-up"), ("1", "2", C2, "main"),
                    ("2", "1", C1, "all")]
    by = dict(zip(keys, rows))
    assert by[("1", "2", C2, "main")]["seated_s"] == "10"          # 30..40 s
    assert by[("1", "2", C2, "all")]["touches"] == "3"
    assert by[("1", "1", C1, "warm-up")]["touches"] == "36"        # 6 phrases of 6 before 30
    assert all(r["role"] == "client" for r in rows)
    # no turns, no pulse: empty cells, never a 0 that would mean something
    for r in rows:
        for key in ("turn_response_rate", "response_latency_median_s", "vector_strength",
                    "rayleigh_p", "mean_asynchrony_ms"):
            assert r[key] == ""
    assert by[("1", "2", C2, "main")]["hold_median_s"] == ""         # one hold: too few


def test_numbers_are_rounded_to_their_meaning(db):
    text = export(db)
    assert "e-" not in text and ",-0," not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    first = rows[0]
    # notes 0.1 s apart inside every phrase: the unevenness is exactly none, written 0
    assert first["ioi_cv"] == "0" and first["ioi_median_s"] == "0.1"
    assert first["valid_per_min"] == "72"                    # 72 notes in one minute seated


def test_the_report_shows_the_exports_numbers(db):
    rows = list(csv.DictReader(io.StringIO(export(db, "--session", "1"))))
    html = build_report(open_journal(db), session=1)
    for r in rows:
        if r["phase"] == "all":
            assert f"{r['valid_per_min']} per min" in html
            assert f"{r['longest_silence_s']} s" in html


def test_one_client_export_to_a_private_file(db, tmp_path):
    out = tmp_path / "x" / "c1.csv"
    r = station("export", "--format", "metrics", "--db", str(db), "--client", C1, "-o",
                str(out))
    assert r.returncode == 0, r.stderr
    assert "wrote 4 rows of 2 session(s)" in r.stdout
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert C2 not in out.read_text()
    r = station("export", "--format", "metrics", "--db", str(db), "-o", str(db))
    assert r.returncode == 1 and "database" in r.stderr


def test_an_export_beyond_the_consent_is_refused(tmp_path):
    ev = [(0.0, "consent", dict(player=1, client=C1, detail="date=2024-03-01;journal=yes;"
                                                           "audio=yes;research_export=no")),
          (0.0, "consent", dict(player=2, client=C2, detail="date=2024-03-02;journal=yes;"
                                                           "audio=no;research_export=yes"))]
    ev += touch(1, 0, .2) + touch(2, 0, .2, player=2, client=C2)
    db = make_journal(tmp_path / "j.db", [{"end": 40.0, "events": ev,
                                           "players": [(1, "client"), (2, "client")]}])
    for fmt in ("metrics", "csv", "midi"):
        out = tmp_path / f"out.{fmt}"
        r = station("export", "--format", fmt, "--db", str(db), "-o", str(out))
        assert r.returncode == 1, (fmt, r.stderr)
        assert f"client {C1} did not consent to research export" in r.stderr
        assert "consent of 2024-03-01" in r.stderr and "Traceback" not in r.stderr
        assert not out.exists()
    r = station("export", "--format", "metrics", "--db", str(db), "--client", C2)
    assert r.returncode == 0 and C1 not in r.stdout and C2 in r.stdout
