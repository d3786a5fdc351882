"""The panel's API against a real daemon on the simulator: sign-in, CSRF, plain 400s, the
commands, profile edits, reports, and a connection flood that must not slow the touches."""

import socket
import sqlite3
import statistics
import threading
import time

import pytest
from conftest import wait_until
from panel_fixtures import Client, running_station

ROUTES = [("GET", "/api/status"), ("GET", "/api/layout"), ("GET", "/api/clients"),
          ("GET", "/api/clients/alex"), ("GET", "/api/sessions"), ("GET", "/api/station"),
          ("GET", "/api/live"), ("POST", "/api/seat"), ("POST", "/api/session"),
          ("POST", "/api/phase"), ("POST", "/api/note"), ("POST", "/api/quiet"),
          ("POST", "/api/volume"), ("POST", "/api/turn"), ("POST", "/api/clients/alex"),
          ("GET", "/api/sessions/1/csv"), ("GET", "/api/nothing-here")]


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    with running_station(tmp_path_factory, "panel-api") as running:
        yield running


@pytest.fixture(scope="module")
def client(station):
    c = Client(station.port)
    assert c.login(station.pin)[0] == 200
    return c


def no_traceback(data) -> None:
    text = str(data)
    assert "Traceback" not in text and 'File "' not in text and ".py" not in text


def test_every_route_needs_a_signed_in_session(station):
    anonymous = Client(station.port)
    for method, path in ROUTES:
        status, data = anonymous.call(method, path, {} if method == "POST" else None)
        assert status == 401, (method, path, status)
        assert "sign in" in data["error"]
    assert Client(station.port).raw("GET", "/")[0] == 200          # the page itself is public
    forged = Client(station.port)
    forged.cookie = "station_panel=made-up-token"
    assert forged.call("GET", "/api/status")[0] == 401


def test_state_changes_need_the_csrf_token(station, client):
    for method, path in ROUTES:
        if method == "POST":
            status, data = client.call(method, path, {}, csrf=False)
            assert status == 403 and "CSRF" in data["error"], path
    status, _ = client.call("POST", "/api/quiet", {"on": True}, csrf=False)
    assert status == 403 and not station.command("status")["paused"]
    good = client.csrf
    client.csrf = ("y" if good[0] == "x" else "x") + good[1:]   # one character off
    assert client.call("POST", "/api/session", {"op": "start"})[0] == 403
    client.csrf = good
    status, data = client.call("GET", "/api/me")
    assert status == 200 and data["csrf"] == good


def test_the_live_stream_beats_with_the_station_boot_id(station, client):
    """A quiet stream says it is alive every second (the page's 2 s bound for "the
    station is not answering"), with the boot id that /api/me gives too."""
    import http.client
    boot = client.call("GET", "/api/me")[1]["boot"]
    assert len(boot) == 12
    conn = http.client.HTTPConnection("127.0.0.1", station.port, timeout=30)
    try:
        conn.request("GET", "/api/live", headers={"Cookie": client.cookie})
        r = conn.getresponse()
        assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream")
        events, kind, stamps = [], None, []
        while len(events) < 4:                   # hello and three beats
            line = r.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind:
                events.append((kind, line[6:]))
                stamps.append(time.monotonic())
                kind = None
        assert events == [("hello", boot)] + [("beat", boot)] * 3
        gaps = [round(b - a, 2) for a, b in zip(stamps[1:], stamps[2:], strict=False)]
        print(f"\npanel heartbeat gaps: {gaps} s")
    finally:
        conn.close()


def test_login_sets_a_strict_httponly_cookie(station):
    c = Client(station.port)
    status, headers, body = c.raw("POST", "/api/login",
                                  f'{{"pin": "{station.pin}"}}'.encode())
    cookie = headers["Set-Cookie"]
    assert status == 200 and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "csrf" in body.decode() and c.cookie.split("=", 1)[1] not in body.decode()
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Server"] == "station-panel"


@pytest.mark.parametrize("path, body, words", [
    ("/api/seat", b"{not json", "not valid JSON"),
    ("/api/seat", b"[1]", "JSON object"),
    ("/api/seat", {"player": 9, "client": "alex"}, "no player 9"),
    ("/api/seat", {"player": "one", "client": "alex"}, "'player' must be a player number"),
    ("/api/seat", {"player": 1, "client": "nobody"}, "no client 'nobody'"),
    ("/api/seat", {"player": 1, "client": "../../etc/passwd"}, "letters, digits"),
    ("/api/seat", {"player": True, "client": "alex"}, "must be a player number"),
    ("/api/session", {"op": "dance"}, "one of start, stop"),
    ("/api/phase", {"name": 5}, "'name' must be"),
    ("/api/phase", {"name": "x" * 60}, "1 to 40 characters"),
    ("/api/note", {}, "'text' is missing"),
    ("/api/volume", {"master": 2}, "only turn the station down"),
    ("/api/volume", {"master": "loud"}, "'master' must be"),
    ("/api/turn", {"op": "set", "player": 3}, "In free mode everyone plays"),
    ("/api/turn", {"op": "mode", "mode": "chaos"}, "one of free"),
    ("/api/clients/alex", {"changes": {"volume": 5}}, "sound.volume is 5"),
    ("/api/clients/alex", {"changes": {"octave": 2}}, "cannot be changed here"),
    ("/api/clients/alex", {"changes": "loud"}, "'changes' must be"),
    ("/api/seat", b'{"a":{"b":{"c":{"d":{"e":{}}}}}}', "nests too deeply"),
    ("/api/rate", {"goal": "steady", "level": 5}, "from -2"),
    ("/api/rate", {"goal": "steady", "level": 1, "player": 8}, "no player 8"),
    ("/api/plan", {"op": "start"}, "'name' is missing"),
    ("/api/play", {"op": "on"}, "'pad' is missing"),
    ("/api/play", {"op": "on", "pad": 9}, "pads 0 to 7"),
    ("/api/play", {"op": "on", "pad": True}, "'pad' must be"),
    ("/api/play", {"op": "timbre", "timbre": "tuba"}, "one of kalimba"),
    ("/api/play", {"op": "strum"}, "one of on, off"),
])
def test_bad_input_gets_a_plain_400(client, path, body, words):
    status, data = client.call("POST", path, body)
    assert status == 400, (status, data)
    assert words in data["error"], data
    no_traceback(data)


PRIVATE = ("name: Robin\ngoals:\n  - {id: reach, text: Reaches out}\n  - {id: wait, text: "
           "Waits for the turn}\nconsent: {date: 2024-05-02, journal: false}\n")


def test_plans_and_goal_ratings_answer_plain_400s_and_409s(station, client):
    """Before any session, stepping a plan or rating is refused with what to do first
    (409); a plan starts, cannot be started twice, steps to the end of the session; a
    seated client's goal is rated (and shown as rated), a client without journal consent
    is not. No 500 on the way."""
    for body, words in (({"goal": "steady", "level": 1, "player": 1}, "no session to rate"),
                        ({"op": "next"}, "no plan is running"), ({"op": "stop"}, "no plan")):
        status, data = client.call("POST", "/api/rate" if "goal" in body else "/api/plan", body)
        assert status == 409 and words in data["error"], data
    status, data = client.call("POST", "/api/plan", {"op": "start", "name": "demp"})
    assert status == 400 and "There is no plan 'demp'" in data["error"]
    assert "did you mean 'demo'" in data["error"]
    no_traceback(data)
    status, data = client.call("POST", "/api/plan", {"op": "start", "name": "../../etc/x"})
    assert status == 400 and "'../../etc/x' is not a plan name" in data["error"]
    no_traceback(data)
    status, plan = client.call("POST", "/api/plan", {"op": "start", "name": "demo"})
    assert status == 200 and plan["title"] == "Demo session" and plan["phase"] == "welcome"
    assert plan["description"].startswith("Alex plays the hello song")
    status, data = client.call("POST", "/api/plan", {"op": "start", "name": "standard"})
    assert status == 409 and "Demo session is running (phase welcome)" in data["error"]
    (station.clients / "robin.yaml").write_text(PRIVATE)
    assert client.call("POST", "/api/seat", {"player": 3, "client": "robin"})[1]["seated"]
    goals = client.call("GET", "/api/goals")[1]
    assert goals["active"] and goals["session"] == plan_session(client)
    by_player = {p["player"]: p for p in goals["players"]}
    assert [g["id"] for g in by_player[1]["goals"]] == ["steady", "turns"]
    assert by_player[1]["ratable"] and not by_player[3]["ratable"]
    status, data = client.call("POST", "/api/rate", {"goal": "reach", "level": 1, "player": 3})
    assert status == 409 and "Robin did not consent to the journal" in data["error"]
    status, data = client.call("POST", "/api/rate", {"goal": "nope", "level": 1, "player": 1})
    assert status == 400 and "No seated client has the goal 'nope'" in data["error"]
    status, data = client.call("POST", "/api/rate", {"goal": "steady", "level": 1, "player": 1})
    assert status == 200 and data["rated"]["level"] == 1 and data["rated"]["client"] == "alex"

    def shown():            # the journal writes in batches of 0.1 s
        players = client.call("GET", "/api/goals")[1]["players"]
        return players[0]["goals"][0]["level"] == 1
    wait_until(shown, station.proc, seconds=10, what="the rating was not shown as rated")
    for k in range(1, 5):
        status, plan = client.call("POST", "/api/plan", {"op": "next"})
        assert status == 200 and plan["index"] == k
    status, plan = client.call("POST", "/api/plan", {"op": "next"})   # the last: all ends
    assert status == 200 and plan["plan"] is None
    assert not client.call("GET", "/api/status")[1]["session"]["active"]
    status, data = client.call("POST", "/api/rate", {"goal": "turns", "level": 0, "player": 1})
    assert status == 200 and data["rated"]["session"] == goals["session"]   # the last one
    client.call("POST", "/api/seat", {"player": 3, "client": "kim"})


def plan_session(client) -> int:
    return client.call("GET", "/api/status")[1]["session"]["session"]


def test_oversized_and_odd_requests_are_refused_plainly(station, client):
    status, data = client.call("POST", "/api/note", b'{"text": "' + b"x" * 20000 + b'"}')
    assert status == 413 and "too large" in data["error"]
    status, _, raw = client.raw("PUT", "/api/status")
    assert status == 501 and b"Traceback" not in raw
    status, _, raw = client.raw("GET", "/../../etc/passwd")
    assert status == 404
    status, data = client.call("GET", "/api/sessions/999/report")
    assert status == 400 and "999" in data["error"]
    no_traceback(data)
    s = socket.create_connection(("127.0.0.1", station.port), timeout=60)
    s.sendall(b"GARBAGE\r\n\r\n")
    reply = s.recv(4096)
    s.close()
    assert reply.startswith(b"HTTP/1.") and b"400" in reply.split(b"\r\n")[0]
    assert b"Traceback" not in reply


def test_a_session_run_from_the_panel(station, client):
    status, data = client.call("POST", "/api/seat", {"player": 2, "client": "jo"})
    assert status == 200 and data == {"seated": True, "player": 2, "client": "jo", "name": "Jo"}
    status, data = client.call("POST", "/api/seat", {"player": 2, "client": "broken"})
    assert status == 200 and data["seated"] is False and data["kept"] == "jo"
    assert any("did you mean 'marimba'" in p for p in data["problems"])
    assert any("sound.volume" in p for p in data["problems"])
    assert client.call("POST", "/api/session", {"op": "start"})[0] == 200
    assert client.call("POST", "/api/phase", {"name": "warm-up"})[0] == 200
    assert client.call("POST", "/api/note", {"text": "reached for pad 3"})[0] == 200
    status, data = client.call("POST", "/api/quiet", {"on": True})
    assert status == 200 and data["paused"] is True
    assert client.call("POST", "/api/quiet", {"on": False})[1]["paused"] is False
    assert client.call("POST", "/api/volume", {"master": 0.5})[1]["master_volume"] == 0.5
    status, s = client.call("GET", "/api/status")
    assert s["session"]["active"] and s["session"]["phase"] == "warm-up"
    assert s["players"]["2"]["client"] == "jo" and s["master_volume"] == 0.5
    assert s["session"]["elapsed_s"] >= 0
    sid = s["session"]["session"]
    client.call("POST", "/api/volume", {"master": 1})
    assert client.call("POST", "/api/session", {"op": "stop"})[0] == 200
    status, data = client.call("POST", "/api/session", {"op": "stop"})
    assert status == 400 and "No session is running" in data["error"]
    status, data = client.call("POST", "/api/note", {"text": "calmer after the session"})
    assert status == 200 and data["noted"] == sid, "a note after the session joins it"
    status, data = client.call("POST", "/api/note", {"text": "x", "session": 999})
    assert status == 400 and "There is no session 999" in data["error"]
    status, data = client.call("POST", "/api/note", {"text": "named", "session": sid})
    assert status == 200 and data["noted"] == sid
    def ended():           # the journal writes in batches of 0.1 s
        listed = client.call("GET", "/api/sessions")[1]["sessions"]
        return bool(listed) and listed[0]["id"] == sid and not listed[0]["running"] \
            and listed[0]["notes"] == 3           # the notes written after it: later rows
    wait_until(ended, station.proc, seconds=10, what="the session did not reach the journal")
    newest = client.call("GET", "/api/sessions")[1]["sessions"][0]
    assert newest["notes"] == 3 and newest["phases"] == 1 and not newest["running"]
    db = sqlite3.connect(station.journal)
    assert db.execute("SELECT started_by, ended_by FROM sessions WHERE id = ?",
                      (sid,)).fetchone() == ("panel", "panel")
    db.close()
    assert "jo" in newest["clients"] and "alex" in newest["clients"]
    for kind, start in (("csv", b"session,t,player"), ("midi", b"MThd"),
                        ("report", b"<!doctype html")):
        status, headers, body = client.raw("GET", f"/api/sessions/{newest['id']}/{kind}")
        assert status == 200 and body[:40].lower().startswith(start.lower()), kind
    assert "attachment" in headers.get("Content-Disposition", "") or kind == "report"
    assert not list(station.journal.parent.glob("*.csv"))          # never beside the journal
    status, data = client.call("GET", "/api/station")
    assert status == 200 and data["disk"]["free_gb"] > 0 and len(data["boards"]) == 4


def test_a_profile_edit_from_the_panel_plays_within_a_second(station, client):
    path = station.clients / "sam.yaml"
    path.write_text("# Sam: written by the therapist\nname: Sam\nsound: {timbre: soft_piano, "
                    "volume: 0.5}   # quiet\n")
    client.call("POST", "/api/seat", {"player": 1, "client": "sam"})
    status, d = client.call("GET", "/api/clients/sam")
    assert status == 200 and d["settings"]["volume"] == 0.5 and d["valid"]
    assert any(t["name"] == "harp" for t in d["choices"]["timbre"])
    status, r = client.call("POST", "/api/clients/sam",
                            {"version": d["version"], "changes": {"volume": 0.3}})
    assert status == 200 and r["settings"]["volume"] == 0.3
    text = path.read_text()
    assert "# Sam: written by the therapist" in text and "# quiet" in text
    assert path.with_name("sam.yaml.bak").exists()
    status, data = client.call("POST", "/api/clients/sam",
                               {"version": d["version"], "changes": {"volume": 0.2}})
    assert status == 409 and "changed by someone else" in data["error"]
    version = r["version"]
    wait_until(lambda: any(e for e in [station.command("status")]
                           if e["players"]["1"]["client"] == "sam"), station.proc)
    from station.config.profile import load_profile
    assert load_profile(path).version == version


def test_the_layout_offers_plans_and_the_metrics_export(client):
    layout = client.call("GET", "/api/layout")[1]
    assert layout["features"]["plan"] is True
    assert layout["files"] == ["report", "csv", "midi", "metrics"]


def test_five_wrong_pins_lock_sign_in(station):
    c = Client(station.port)
    codes = [c.login("000000" if station.pin != "000000" else "111111")[0] for _ in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    status, data = c.login(station.pin)
    assert status == 429 and "locked" in data["error"]


def test_a_connection_flood_is_refused_while_touches_still_play(station):
    def touch_times(n):
        times = []
        for k in range(n):
            t0 = time.perf_counter()
            station.touch(k % 12)
            times.append(time.perf_counter() - t0)
            station.release(k % 12)
        return times

    before = statistics.median(touch_times(20))
    stop = threading.Event()
    opened, busy = [], []

    def flood():
        while not stop.is_set() and len(opened) < 400:
            try:
                s = socket.create_connection(("127.0.0.1", station.port), timeout=2)
                s.sendall(b"GET /api/status HTTP/1.1\r\nHost: x\r\n")     # never finished
                opened.append(s)
                s.settimeout(0.05)
                try:
                    if s.recv(64).startswith(b"HTTP/1.1 503"):
                        busy.append(s)
                except OSError:
                    pass
            except OSError:
                time.sleep(0.01)
    threads = [threading.Thread(target=flood) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        wait_until(lambda: len(busy) > 20, seconds=20, what="the flood was not refused")
        during = touch_times(40)
    finally:
        stop.set()
        for t in threads:
            t.join()
        for s in opened:
            s.close()
    assert len(opened) >= 40 and busy
    sounded = station.command("status")
    assert sounded["startup"] == "ready"
    # Touches go through the engine thread; the flood's sockets sit in the panel's own
    # threads (or are refused at once), so every touch is still answered. How much
    # slower they are is the machine's load as much as ours: printed, not asserted.
    assert len(during) == 40
    print(f"touch round trip: median {before * 1e3:.1f} ms before the flood, "
          f"{statistics.median(during) * 1e3:.1f} ms during it")
    wait_until(lambda: Client(station.port).call("GET", "/api/layout")[0] == 401, seconds=15,
               what="the panel did not recover after the flood")
