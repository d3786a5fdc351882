"""``station report``: one self-contained HTML file with every metric, per session and
across a client's sessions, and plain words where data is too thin."""

import base64
import os
import re
import stat
import subprocess

from conftest import station_command
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal, select_sessions
from station.report.build import build_report, client_metrics
from station.report.data import load_session
from station.report.html import LABELS

C1, C2 = "c-00000001", "c-00000002"


def sessions(n):
    """n sessions of client C1 (player 1) with 4 + k touches each, 2 s apart; C2 plays
    player 2 in the first one only; phases and a note in each."""
    out = []
    for k in range(n):
        ev = [(0.0, "phase", dict(detail="warm-up")), (30.0, "phase", dict(detail="main")),
              (31.0, "note", dict(detail="<b>calm</b> & focused"))]
        for i in range(4 + k):
            ev += touch(2.0 * i + 1, i % 3, 0.3)
        if k == 0:
            ev += touch(5.5, 1, 0.2, player=2, client=C2)
        ev.sort(key=lambda e: e[0])
        out.append({"start": 100.0 * k, "end": 60.0, "events": ev,
                    "players": [(1, "client"), (2, "client")]})
    return out


def test_report_cli_writes_one_private_self_contained_html_file(tmp_path):
    db = make_journal(tmp_path / "j.db", sessions(6))
    out = tmp_path / "usb" / "report.html"
    r = subprocess.run(station_command() + ["report", "--db", str(db), "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    html = out.read_text()
    assert not re.search(r'(src|href)="(?!data:)', html), "nothing outside the file"
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 6 + 1          # a timeline per session, the client's trends
    assert html.count("<h3>Pads used</h3>") == 6 and "pad 0<br>" in html
    assert "\x00" not in html, "every picture was drawn into its place"
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    for label, _ in LABELS.values():
        assert label.replace("&", "&amp;") in html or label in html
    assert "&lt;b&gt;calm&lt;/b&gt; &amp; focused" in html, "notes are escaped"
    assert "Client c-00000001 across 6 session(s)" in html
    assert "score" not in html.lower().replace("not scores", "")


def test_per_client_values_trend_and_last_four_against_the_first(tmp_path):
    conn = open_journal(make_journal(tmp_path / "j.db", sessions(6)))
    data = [load_session(conn, s) for s in select_sessions(conn)]
    per = client_metrics(C1, data)
    assert [m["valid_touches"].value for _, m in per] == [4, 5, 6, 7, 8, 9]
    html = build_report(conn, client="c-00000001")
    row = re.search(r"<td>Valid touches</td>(.*?)</tr>", html).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row)
    # sessions, first, last, slope (1 per session), baseline (4, 5), last 4 (6..9), NAP
    assert cells[0] == "6" and cells[1] == "4" and cells[2] == "9"
    assert cells[3].startswith("1 ")
    assert cells[4] == "4.5" and cells[5] == "7.5" and cells[6] == "100 %"
    assert C2 not in html, "a client's report leaves other clients out"


def test_thin_data_is_named_not_numbered(tmp_path):
    conn = open_journal(make_journal(tmp_path / "j.db", sessions(2)))
    html = build_report(conn)
    assert "trend needs 4 sessions with a value (has 2)" in html
    assert "no pulse in this session" in html and "no turns" in html
