"""Resume, decided and done: the decision is a pure function of the saved state and the
wall clock; a daemon on the simulator and a virtual clock, stopped and built again, puts
back the same session, phase (with its elapsed time, not the gap), seats, turn, backing
tempo (its ramp goes on), master volume and all-quiet; a session the therapist ended is
not continued; the therapist can close a resumed session and start a new one."""

import sqlite3

import pytest
from daemon_fixtures import drive, make_daemon, start, station_yaml

from station.core.clock import VirtualClock
from station.core.errors import StationError
from station.journal.live_state import load, state_path
from station.service.resume import OffsetClock, decide
from station.service.status import resume_lines, status_text

S = 1_000_000_000
MIN = 60 * S


def test_the_decision_is_the_window_on_the_wall_clock():
    saved = {"saved_unix_ns": 1_000 * S}
    assert decide(None, 2_000 * S, 600).action == "none"
    within = decide(saved, 1_000 * S + 9 * MIN, 600)
    assert within.action == "resume" and within.age_s == 540 and "540 s" in within.reason
    assert decide(saved, 1_000 * S + 10 * MIN, 600).action == "resume"   # the edge: within
    after = decide(saved, 1_000 * S + 10 * MIN + 1, 600)
    assert after.action == "fresh" and "longer than the resume window of 10 min" in after.reason
    assert decide(saved, 1_001 * S, 0).action == "fresh", "0: never resume"
    back = decide(saved, 999 * S, 600)
    assert back.action == "fresh" and "clock went back" in back.reason


def test_station_time_goes_on_from_the_offset():
    clock = OffsetClock(5 * MIN)
    assert clock.now_ns() >= 5 * MIN
    assert OffsetClock(0).now_ns() <= clock.now_ns()


@pytest.fixture
def cfg(tmp_path, mock_pins):
    return station_yaml(tmp_path)


def boot(cfg, t_ns):
    clock = VirtualClock(t_ns)
    d = make_daemon(cfg, clock)
    start(d)
    drive(d, t_ns + S // 2)            # start-up over (hands_off_s 0): the rest is put back
    return d, clock


def sessions(cfg):
    conn = sqlite3.connect(cfg.parent / "j" / "station.db")
    try:
        return conn.execute("SELECT id, started_by, ended_ns, ended_by FROM sessions "
                            "ORDER BY id").fetchall(), \
            conn.execute("SELECT session_id, t_ns, detail FROM events WHERE kind IN "
                         "('resumed', 'phase') ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_stopped_daemon_built_again_puts_everything_back(cfg):
    d, clock = boot(cfg, 100 * S)
    music = d.station.music
    music.plan_command("start", "standard")
    assert d.station.swaps.use(3, "jo")["ok"]
    music.plan_command("next")
    music.plan_command("next")                          # main: the plan's pulse
    main_at = clock.now_ns()
    music.backing_command("start", style="pulse", tempo_bpm=100, ramp_to_bpm=60, ramp_s=40)
    drive(d, main_at + 20 * S)
    d.turn("mode", mode="round_robin")
    d.turn("set", player=3)
    d.control.handlers["volume"](master=0.5)
    d.turn("quiet")                                    # all quiet: the backing waits
    drive(d, main_at + 21 * S)
    before = d.status()
    bpm = before["plan"]["backing"]["tempo_bpm"]
    assert 75 < bpm < 85 and before["paused"]
    assert d.resume.recorder.file.flush()
    stop = clock.now_ns()
    d.close()                                          # as SIGTERM: the session is ended
    last = load(state_path(cfg.parent / "j" / "station.db"))
    assert last["plan"]["index"] == 2 and last["session"]["id"] == before["session"]["session"]
    assert last["saved_ns"] == stop, "the stop itself is the last sign of life"

    d2, clock2 = boot(cfg, stop + 7 * S)               # 7 s later
    try:
        assert d2.resume.decision.action == "resume"
        s = d2.status()
        sid = before["session"]["session"]
        assert s["session"]["session"] == sid and s["session"]["active"]
        assert s["resume"]["resumed"]["gap_s"] == 7.0
        assert "Session: 1 went on after the restart (7 s off)" in status_text(s)
        assert s["plan"]["phase"] == "main" and s["plan"]["index"] == 2
        assert s["plan"]["phase_elapsed_s"] == pytest.approx(21.5, abs=0.2)   # not the gap
        assert s["players"]["3"]["client"] == "jo" and s["players"]["1"]["client"] == "alex"
        assert s["turn_mode"] == "round_robin" and s["turn"] == 3
        assert s["master_volume"] == 0.5 and s["paused"]
        back = s["plan"]["backing"]
        assert back["tempo_bpm"] == pytest.approx(bpm, abs=0.5) and back["ramp_to_bpm"] == 60
        d2.turn("resume")                              # play again: the ramp goes on
        drive(d2, clock2.now_ns() + 10 * S)
        assert d2.status()["plan"]["backing"]["tempo_bpm"] < bpm - 5
    finally:
        d2.close()
    rows, marks = sessions(cfg)
    assert [r[0] for r in rows] == [sid]
    resumed = [m for m in marks if m[2] == "7.000"]
    assert len(resumed) == 1 and resumed[0][1] == stop + 7 * S
    assert [m[2] for m in marks if m[2] != "7.000"] == ["welcome", "warm_up", "main"]


def test_a_session_the_therapist_ended_is_not_continued_but_the_seats_are(cfg):
    d, clock = boot(cfg, 100 * S)
    d.station.music.plan_command("start", "standard")
    assert d.station.swaps.use(3, "jo")["ok"]
    d.session("stop")                                  # the therapist ended it
    drive(d, clock.now_ns() + S)
    assert d.resume.recorder.file.flush()
    d.close()
    d2, _ = boot(cfg, clock.now_ns() + 3 * S)
    try:
        s = d2.status()
        assert d2.resume.decision.action == "resume" and s["resume"]["resumed"] is None
        assert not s["session"]["active"] and s["plan"]["plan"] is None
        assert s["players"]["3"]["client"] == "jo"
    finally:
        d2.close()
    rows, marks = sessions(cfg)
    assert rows[0][3] == "cli" and not [m for m in marks if m[2] and m[2][0].isdigit()]


def test_the_therapist_can_close_a_resumed_session_and_start_a_new_one(cfg):
    d, clock = boot(cfg, 100 * S)
    d.station.music.plan_command("start", "standard")
    drive(d, clock.now_ns() + S)
    assert d.resume.recorder.file.flush()
    d.close()
    d2, clock2 = boot(cfg, clock.now_ns() + 3 * S)
    try:
        sid = d2.status()["session"]["session"]
        drive(d2, clock2.now_ns() + 4 * S)
        out = d2.resume.command("close_previous", by="panel")
        assert out["closed"] == sid and out["resumed"] is None
        s = d2.status()
        assert s["session"]["session"] == sid + 1 and s["plan"]["plan"] is None
        with pytest.raises(StationError, match="no previous session to close"):
            d2.resume.command("close_previous")
        with pytest.raises(StationError, match="unknown resume command"):
            d2.resume.command("reopen")
        closed_at = clock2.now_ns()
    finally:
        d2.close()
    rows, _ = sessions(cfg)
    assert rows[0] == (sid, "cli", closed_at, "closed")
    assert rows[1][:2] == (sid + 1, "panel")


def test_status_says_what_the_start_did():
    assert resume_lines(None) == [] and resume_lines({"decision": "none"}) == []
    fresh = {"decision": "fresh", "closed": 4, "resumed": None,
             "reason": "the station was off 12.0 min, longer than the resume window of 10 min"}
    assert resume_lines(fresh) == ["Session: 4 was closed at its last event at start (the "
                                   "station was off 12.0 min, longer than the resume window "
                                   "of 10 min)."]
    chosen = {"decision": "resume", "closed": 4, "resumed": None}
    assert resume_lines(chosen) == [], "closed by the therapist: nothing to say at start"


def saved_state(cfg, **state):
    from station.config.station import load_config
    from station.journal.live_state import write
    config = load_config(cfg)
    write(state_path(config.journal), state)
    return config


def test_after_a_power_cut_station_time_goes_on_from_the_saved_time(cfg):
    """A power cut restarts the machine's monotonic clock near zero: station time is put
    where the last run left it plus the time the station was off (wall clock)."""
    import time

    from station.service.resume import Resume
    last_life = time.monotonic_ns() + 3_600 * S        # the last boot ran an hour longer
    config = saved_state(cfg, saved_ns=last_life, saved_unix_ns=time.time_ns() - 30 * S,
                         session=None)
    r = Resume(config)
    assert r.decision.action == "resume"
    now = r.clock().now_ns()
    assert last_life + 30 * S <= now < last_life + 40 * S
    late = saved_state(cfg, saved_ns=last_life, saved_unix_ns=time.time_ns() - 11 * MIN)
    r = Resume(late)
    assert r.decision.action == "fresh" and r.clock().now_ns() < last_life


def test_a_session_of_another_journal_with_the_same_id_is_not_continued(cfg):
    d, clock = boot(cfg, 100 * S)
    d.session("start")
    drive(d, clock.now_ns() + S)
    assert d.resume.recorder.file.flush()
    d.close()
    from station.journal.live_state import write
    path = state_path(cfg.parent / "j" / "station.db")
    state = load(path)
    state["session"]["started_ns"] += 5 * S           # session 1, but not the one saved
    write(path, {k: v for k, v in state.items() if k != "live_state"})
    from station.config.station import load_config
    from station.service.resume import Resume
    assert not Resume(load_config(cfg)).continues_session()
    d2, _ = boot(cfg, clock.now_ns() + 3 * S)          # and it is left as it is
    d2.close()
    rows, marks = sessions(cfg)
    assert rows[0][3] == "stop" and not [m for m in marks if m[2] and m[2][0].isdigit()]


def test_a_bug_in_taking_the_state_never_stops_the_station(cfg, monkeypatch, caplog):
    from station.service import live_snapshot

    def broken(station):
        raise KeyError("a bug")
    monkeypatch.setattr(live_snapshot, "snapshot", broken)
    d, clock = boot(cfg, 100 * S)
    try:
        drive(d, clock.now_ns() + 2 * S)               # 20 polls: logged once, skipped
        assert d.session("start")["active"]
        assert caplog.text.count("the live state could not be taken") == 1
        assert d.resume.recorder.file.written == 0
    finally:
        d.close()
