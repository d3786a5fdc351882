"""The panel across a restart, in a real browser at 820 x 1180: a plan started, two
clients seated and phase 3 (with its pulse) reached from the panel; ``kill -9``; the
banner shows; the daemon started again resumes it all, and the page reconnects by itself
without a sign-in and shows it (the same session, phase, seats and backing tempo; the
Session screen says what resumed); the journal holds one session with one ``resumed``
gap, which the report hatches; "Close it and start a new session" (POST /api/session
close_previous) ends the resumed session and starts a new one, in plain words only."""

import json
import re
import signal
import time

from browser_fixtures import browser  # noqa: F401  (the fixture)
from conftest import launch_sim_daemon, wait_until
from panel_fixtures import Client, panel_station

from station.journal.live_state import state_path
from station.service.control import request

COMMAND = re.compile(r"\bstation (session|run|plan|status|profile|turn|doctor|journal|"
                     r"panel)\b|systemctl|sudo|'station ")


def signed_in(port, pin) -> Client:
    client = Client(port)
    assert client.login(pin)[0] == 200
    return client


def test_a_session_made_on_the_panel_is_resumed_and_can_be_closed(tmp_path, station_env,
                                                                  browser):
    running = panel_station(tmp_path, station_env)
    try:
        tablet = signed_in(running.port, running.pin)
        assert tablet.call("POST", "/api/plan", {"op": "start", "name": "standard"})[0] == 200
        for player, client in ((3, "jo"), (4, "kim")):
            status, body = tablet.call("POST", "/api/seat", {"player": player, "client": client})
            assert status == 200 and body["seated"], body
        for _ in range(2):
            assert tablet.call("POST", "/api/plan", {"op": "next"})[0] == 200
        _, before = tablet.call("GET", "/api/status")
        assert before["plan"]["phase"] == "main"
        sid, bpm = before["session"]["session"], before["plan"]["backing"]["tempo_bpm"]
        live = state_path(running.journal)

        def on_disk():
            try:
                return json.loads(live.read_text())["plan"]["index"] == 2
            except (OSError, ValueError, KeyError, TypeError):
                return False
        wait_until(on_disk, running.proc, what="the live state was not written")
        assert oct(live.stat().st_mode & 0o777) == "0o600"
        # the restart keeps the tablet's address, as a station's fixed port does
        running.config.write_text(running.config.read_text().replace(
            "port: 0,", f"port: {running.port},"))
        page = browser.new_page(viewport={"width": 820, "height": 1180})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"http://127.0.0.1:{running.port}/")
        page.fill("#pin", running.pin)
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#now:not([hidden])", timeout=60_000)
        page.wait_for_function("() => state.live && LIVE.boot !== null",   # stream heard
                               timeout=60_000)
        t0 = time.monotonic()
        running.proc.send_signal(signal.SIGKILL)
        running.proc.wait(timeout=20)
        # the banner first (generous bound: a loaded machine), then the station again
        page.wait_for_selector("#lost-banner:not([hidden])", timeout=60_000)
        shown = time.monotonic() - t0
        print(f"\npanel: the banner showed {shown:.2f} s after kill -9 (the page waits "
              f"at most 2 s for the stream)")
        running.proc.stdout.close()
        running.proc.stderr.close()
        running.proc = launch_sim_daemon(running.config, station_env)

        def back():
            try:
                s = request(running.socket, "status")
            except Exception:
                return False
            running.port = (s.get("panel") or {}).get("port") or 0
            resumed = (s.get("resume") or {}).get("resumed") or {}
            return "backing" in (resumed.get("restored") or []) and running.port
        wait_until(back, running.proc, what="the station did not resume")
        # the page reconnects by itself, still signed in (no new PIN), and so does the
        # tablet's own client (its cookie kept across the restart)
        page.wait_for_selector("#lost-banner", state="hidden", timeout=60_000)
        assert page.is_hidden("#login"), "a restart does not sign the tablet out"
        status, after = tablet.call("GET", "/api/status")
        assert status == 200, "the kept sign-in answers after the restart"
        assert after["session"]["session"] == sid and after["plan"]["phase"] == "main"
        assert after["players"]["3"]["client"] == "jo" and after["players"]["4"]["client"] == "kim"
        assert after["plan"]["backing"]["tempo_bpm"] == bpm
        assert after["resume"]["resumed"]["session"] == sid
        # the Session screen says what resumed; its button closes it (the same page)
        page.click("#tabs button[data-screen=session]")
        box = page.wait_for_selector("#resume-box:not([hidden])", timeout=60_000)
        words = box.inner_text()
        assert f"Session {sid} went on after the station was off for" in words
        assert "the backing music at its tempo" in words and not COMMAND.search(words)
        page.click("#resume-close")
        page.wait_for_selector(f"#toast:has-text('Session {sid} is closed')", timeout=60_000)
        page.wait_for_selector("#resume-box", state="hidden", timeout=60_000)
        assert not errors, errors
        page.close()
        _, now = tablet.call("GET", "/api/status")
        assert now["session"]["active"] and now["session"]["session"] == sid + 1
        assert now["plan"]["plan"] is None, "the plan ended with the old session"
        assert now["players"]["3"]["client"] == "jo", "the seats stay as they are"
        status, body = tablet.call("POST", "/api/session", {"op": "close_previous"})
        assert status == 400 and "no previous session to close" in body["error"]
        assert not COMMAND.search(body["error"]), body["error"]
        request(running.socket, "stop")
        assert running.proc.wait(timeout=20) == 0
    finally:
        running.stop()
    import sqlite3
    conn = sqlite3.connect(running.journal)
    try:
        rows = conn.execute("SELECT id, started_by, ended_by FROM sessions ORDER BY id").fetchall()
        gaps = conn.execute("SELECT count(*) FROM events WHERE kind='resumed'").fetchone()[0]
    finally:
        conn.close()
    assert rows[0][0] == sid and rows[0][2] == "closed"
    assert rows[1][0] == sid + 1 and rows[1][1] == "panel"
    assert gaps == 1
    # the report takes the gap out of the clients' time and hatches it on the timeline
    from station.journal.reader import open_journal, select_sessions
    from station.report.build import build_report
    from station.report.columns import columns
    from station.report.data import load_session
    from station.report.restarts import gaps
    conn = open_journal(running.journal)
    d = load_session(conn, select_sessions(conn, sid)[0])
    (a, b), = gaps(d)                               # the one gap, hatched and taken out
    assert b > a and all(not any(x < b and y > a for x, y in c.available)
                         for c in columns(d))
    assert "(restarted); nobody could play meanwhile" in build_report(conn, session=sid)
