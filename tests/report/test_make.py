"""One session's file made by the report room, as the panel's child process makes it."""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from journal_fixtures import make_journal, touch

from station.panel.reports import CHILD
from station.report import make

C1 = "c-00000001"


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    ev = [(0.0, "phase", dict(detail="main"))] + touch(1.0, 2, 0.3) + touch(2.0, 4, 0.3)
    return make_journal(tmp_path_factory.mktemp("j") / "j.db",
                        [{"start": 0, "end": 30, "events": ev}])


def test_make_file_writes_the_csv_and_the_midi_of_one_session(journal, tmp_path):
    make.make_file("csv", journal, 1, tmp_path / "s.csv", None)
    rows = list(csv.DictReader((tmp_path / "s.csv").open()))
    assert [r["event"] for r in rows if r["event"] in ("phase", "note_on")] == \
        ["phase", "note_on", "note_on"]
    make.make_file("midi", journal, 1, tmp_path / "s.mid", None)
    assert (tmp_path / "s.mid").read_bytes()[:4] == b"MThd"


def test_the_child_says_what_is_wrong_in_one_line_and_returns_its_code(journal, tmp_path,
                                                                        capsys):
    assert make.child(["csv", str(journal), "999", str(tmp_path / "x.csv")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("station: the journal has no session 999")
    assert not (tmp_path / "x.csv").exists()
    assert make.child(["report", str(tmp_path / "none.db"), "1", str(tmp_path / "r.html")]) \
        == 1 and "there is no journal here" in capsys.readouterr().err


def test_the_panels_child_command_makes_the_file_in_a_process_of_its_own(journal, tmp_path):
    out = tmp_path / "m.csv"
    r = subprocess.run([sys.executable, "-c", CHILD, "metrics", str(journal), "1", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_text().startswith("session,") and C1 in out.read_text()
