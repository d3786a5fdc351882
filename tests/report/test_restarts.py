"""A session resumed after a restart: the gap is time nobody could play. It is taken off
every client's available time, hatched on the timeline and listed with the marks."""

import pytest
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal, select_sessions
from station.report.columns import columns
from station.report.data import load_session
from station.report.marks import marks
from station.report.metric_functions import compute
from station.report.restarts import gaps
from station.report.subject import subject

C1, C2 = "c-00000001", "c-00000002"


def seat(t, player, client):
    return (t, "profile", dict(player=player, client=client, detail="use:v1"))


def session(tmp_path, events, end):
    db = make_journal(tmp_path / "j.db", [{"end": end, "players": [(1, "client"),
                                                                   (2, "client")],
                                           "events": sorted(events, key=lambda e: e[0])}])
    conn = open_journal(db)
    return load_session(conn, select_sessions(conn)[0])


def test_the_restart_gap_is_subtracted_from_every_clients_available_time(tmp_path):
    # 120 s; two clients seated from 0; the station was off 40-70 s (resumed at 70 s,
    # when both are seated again, as the resume journals it).
    ev = [seat(0.0, 1, C1), seat(0.0, 2, C2), (70.0, "resumed", dict(detail="30.000")),
          seat(70.0, 1, C1), seat(70.0, 2, C2)]
    for t in (10.0, 30.0, 80.0, 100.0):
        ev += touch(t, 0, 0.2)
        ev += touch(t + 1, 1, 0.2, player=2, client=C2)
    d = session(tmp_path, ev, end=120.0)
    assert gaps(d) == [(40.0, 70.0)]
    cols = {c.client: c for c in columns(d)}
    assert set(cols) == {C1, C2}, "a resume's seating is the same column, not a swap"
    for c in cols.values():
        assert c.available == [(0.0, 40.0), (70.0, 120.0)]
        m = compute(subject(d, c, None))
        assert m["seated_s"].value == pytest.approx(90.0)          # 120 s - 30 s off
        assert m["valid_per_min"].value == pytest.approx(4 / 1.5)   # 4 notes in 90 s
        assert m["longest_silence_s"].value == pytest.approx(20.0)  # not 30-80 across the gap
    restart = [m for m in marks(d) if m.kind == "restart"]
    assert len(restart) == 1 and restart[0].t == 70.0 and "30 s off" in restart[0].text
    assert not [m for m in marks(d) if m.kind == "swap"]


def test_a_session_without_a_restart_has_no_gap_and_a_bad_detail_is_not_drawn(tmp_path):
    ev = [seat(0.0, 1, C1), (50.0, "resumed", dict(detail="not a number"))]
    ev += touch(10.0, 0, 0.2)
    d = session(tmp_path, ev, end=60.0)
    assert gaps(d) == []
    assert columns(d)[0].available == [(0.0, 60.0)]


def test_the_html_report_hatches_and_lists_the_restart(tmp_path):
    from station.report.build import build_report
    ev = [seat(0.0, 1, C1), (70.0, "resumed", dict(detail="30.000")), seat(70.0, 1, C1)]
    for t in (10.0, 80.0):
        ev += touch(t, 0, 0.2)
    session(tmp_path, ev, end=120.0)
    html = build_report(open_journal(tmp_path / "j.db"))
    assert "hatched: a player could not play (a board fault, or the station restarting)" in html
    assert "back after 30 s off (restarted); nobody could play meanwhile" in html
