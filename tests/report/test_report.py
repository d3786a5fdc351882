"""``station report``: one self-contained HTML file a therapist reads in two minutes:
client first, explanations on the page, local time, numbers rounded to their meaning."""

import base64
import io
import os
import re
import sqlite3
import stat
import subprocess

import pytest
from conftest import station_command
from history_fixtures import make_history
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal, select_sessions
from station.report.build import build_report
from station.report.data import load_session
from station.report.table import client_history, client_numbers, session_rows
from station.report.vocabulary import TERMS

C1, C2, C3 = "c-00000001", "c-00000002", "c-00000003"
NOISE = re.compile(r"\d(\.\d+)?e-\d|(?<![\w.])-0(?![.\d])|\b1 (bouts|notes|touches|phrases|"
                   r"sessions|turns|problems)\b")


def text_of(html):
    """The page's visible text (tags, styles and pictures out)."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    html = re.sub(r'src="data:[^"]+"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture(scope="module")
def history_db(tmp_path_factory):
    path, client = make_history(tmp_path_factory.mktemp("h") / "j.db")
    return path, client


@pytest.fixture(scope="module")
def history_html(history_db):
    return build_report(open_journal(history_db[0]))


def test_report_cli_writes_one_private_self_contained_html_file(history_db, tmp_path):
    db, client = history_db
    out = tmp_path / "usb" / "report.html"
    env = dict(os.environ, TZ="Europe/Berlin")
    r = subprocess.run(station_command() + ["report", "--db", str(db), "-o", str(out)],
                       capture_output=True, text=True, timeout=180, env=env)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    html = out.read_text()
    assert not re.search(r'(src|href)="(?!data:|#)', html), "nothing outside the file"
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    # a timeline per session (8), the client's two goals and their measures across sessions
    assert len(images) == 8 + 2 + 1
    assert "\x00" not in html, "every picture was drawn into its place"
    from PIL import Image
    for data in images:
        png = Image.open(io.BytesIO(base64.b64decode(data)))
        assert png.info["dpi"][0] == pytest.approx(150, abs=1)
    # the station's zone, written into the journal (CET), not this computer's
    assert "(CET)" in html and "11:00" in html and "Mon 04 Mar 2024" in html
    r = subprocess.run(station_command() + ["report", "--db", str(db), "-o", str(db)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "database" in r.stderr, "never over the journal"


def test_the_client_comes_first_with_a_summary_worded_by_direction(history_db,
                                                                     history_html):
    client, html = history_db[1], history_html
    order = [html.index(s) for s in (f"Client {client}", "Summary", "<h3>Goals</h3>",
                                     "<h3>Across sessions</h3>", 'id="sessions"',
                                     "Session 1 of the journal")]
    assert order == sorted(order)
    summary = html[html.index("Summary"):html.index("<h3>Goals</h3>")]
    assert "Session 8" in summary
    since_7 = summary[summary.index("Since session 7"):summary.index("Since the baseline")]
    assert "<b>replied faster</b> (reply time, median 1 s → 0.5 s" in since_7
    assert "Since the baseline (sessions 1–4, median)" in summary
    for words in ("played longer", "steadier", "replied faster"):
        assert f"<b>{words}</b>" in summary
    assert "toward goal ‘steady’" in summary and "toward goal ‘reply’" in summary
    assert "‘steady’ +2 (steady through the activity), was +1 in session 7" in summary
    # the therapist is the partner in every session, never a client with a section
    assert "Client c-therapy" not in html and "partner (therapist)" in html


def test_explanations_are_on_the_page_and_numbers_mean_what_they_say(history_html):
    html = history_html
    text = text_of(html)
    assert "title=" not in html, "no tooltip-only explanations"
    for key in ("valid_per_min", "ioi_cv", "turn_response_rate", "time_on_task_pct"):
        assert TERMS[key].meaning.split(":")[0][:30] in text
    assert not NOISE.search(text), NOISE.search(text)
    assert "How to read this report" in text
    assert "@page{size:A4" in html and "break-inside:avoid" in html
    # pads are numbered 1-12 for people, as on the panel (electrodes 0-11 stay hardware's)
    assert ">pad 1<br>" in html and ">pad 12<br>" in html and ">pad 0<br>" not in html


def test_sessions_are_numbered_as_the_therapist_knows_them(tmp_path):
    # C1 plays sessions 1 and 3 of the journal, C2 only session 2: C1's are its 1 and 2
    sessions = [{"start": 100.0 * k, "end": 40.0, "events": touch(1, 0, .2, client=c)}
                for k, c in enumerate((C1, C2, C1))]
    conn = open_journal(make_journal(tmp_path / "j.db", sessions))
    assert client_numbers(conn, C1) == {1: 1, 3: 2}
    rows = [r for d in (load_session(conn, i) for i in select_sessions(conn))
            for r in session_rows(d)]
    assert [v.number for v in client_history(client_numbers(conn, C1), rows, C1)] == [1, 2]
    html = build_report(conn, session=3)
    assert f"player 1 · {C1} (session 2)" in html


def test_one_column_per_client_and_a_client_who_never_played_is_one_line(tmp_path):
    ev = [(0.0, "profile", dict(player=1, client=C1, detail="use:a")),
          (34.0, "profile", dict(player=1, client=C2, detail="use:b")),
          (0.0, "profile", dict(player=2, client=C3, detail="use:c")),
          (20.0, "fault", dict(board=0x5A, detail="board_lost")),
          (26.0, "fault", dict(board=0x5A, detail="board_recovered")),
          (30.0, "profile", dict(player=1, client="c-0000000f",
                                 detail="refused:/x/too-loud.yaml: 3 problem(s) in it")),
          (10.0, "turn_start", dict(player=1, client=C1, detail="mode:call_response")),
          (12.0, "note", dict(detail="reached for the drum"))]
    ev += [e for t in (2, 4, 6, 30) for e in touch(t, 1, .2, client=C1)]
    ev += [e for t in (40, 45) for e in touch(t, 2, .2, client=C2)]
    ev.sort(key=lambda e: e[0])
    conn = open_journal(make_journal(tmp_path / "j.db", [{"end": 60.0, "events": ev,
                                                           "players": [(1, "client"),
                                                                       (2, "client")]}]))
    html = build_report(conn)
    measures = html[html.index("<h3>Measures</h3>"):]
    assert f"player 1<br>{C1}" in measures and f"player 1<br>{C2}" in measures
    assert f"{C1}, {C2}" not in html, "two clients never share a column"
    assert f"player 2 · {C3} (session 1) was seated 60 s and did not play." in html
    assert C3 not in measures[:measures.index("</table>")]
    text = text_of(html)
    for mark in ("board 0x5a (player 1) offline", "board 0x5a (player 1) back online",
                 "player 1: profile of c-0000000f (3 problems) refused",
                 f"player 1: {C2} seated (was {C1})", "turn mode: call response",
                 "note: reached for the drum"):
        assert mark in text, mark


def test_timing_against_a_pulse_is_hidden_without_beats(tmp_path):
    conn = open_journal(make_journal(tmp_path / "j.db", [
        {"end": 40.0, "events": [e for t in range(1, 12) for e in touch(t, t % 3, .2)]}]))
    html = build_report(conn)
    assert "Timing against the pulse" not in html
    assert TERMS["vector_strength"].label not in html


def test_the_report_shows_each_clients_consent(tmp_path):
    ev = [(0.0, "consent", dict(player=1, client=C1, detail="date=2024-03-01;journal=yes;"
                                                           "audio=no;research_export=no"))]
    ev += [e for t in (1, 2, 3) for e in touch(t, 0, .2)]
    conn = open_journal(make_journal(tmp_path / "j.db", [{"end": 40.0, "events": ev}]))
    html = build_report(conn)
    assert ("consent of 2024-03-01: journal yes, recordings no, research export no" in html)


def test_the_report_names_clients_from_this_stations_profiles(history_db, tmp_path):
    db, client = history_db
    clients = tmp_path / "clients"
    clients.mkdir()
    (clients / "alex.yaml").write_text("name: Alex B.\n")
    (clients / "kim.yaml").write_text("name: Kim\n")      # never in this journal
    named, plain = tmp_path / "named.html", tmp_path / "plain.html"
    for out, extra in ((named, []), (plain, ["--pseudonyms"])):
        r = subprocess.run(station_command() + ["report", "--db", str(db), "--clients",
                                                str(clients), "-o", str(out), *extra],
                           capture_output=True, text=True, timeout=180)
        assert r.returncode == 0, r.stderr
    shown = text_of(named.read_text())
    assert "Client Alex B. (alex)" in shown and f"Client {client}" not in shown
    assert "Kim" not in shown
    shown = text_of(plain.read_text())
    assert f"Client {client}" in shown and "Alex" not in shown
    with sqlite3.connect(db) as conn:        # the names went to the page, not the journal
        dump = "\n".join(conn.iterdump())
    assert "Alex" not in dump and "alex" not in dump
