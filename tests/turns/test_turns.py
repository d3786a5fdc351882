"""Turn modes as pure state machines, the turns: config section, and ``station turn``."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from conftest import CONFIGS, launch_sim_daemon, station_command, write

from station.config.station import load_config
from station.core.details import Turn
from station.core.errors import ConfigError
from station.turns.modes import MODES, Seating, _after

S = 1_000_000_000


def seating(seated=(1, 2, 3), roles=None, sounding=()):
    roles = roles or {1: "client", 2: "client", 3: "client", 4: "therapist"}
    return Seating(players=tuple(sorted(roles)), roles=roles,
                   seated=lambda p: p in seated, sounding=lambda p: p in sounding,
                   client=lambda p: f"c-{p}")


RR = {"notes": 3, "seconds": None, "gap_s": 2.0, "wait_s": 10.0}
CR = {"call_gap_s": 1.0, "reply_gap_s": 1.5, "reply_wait_s": 5.0}


def test_after_wraps_and_starts_at_the_first():
    assert _after([1, 3, 4], None) == 1 and _after([1, 3, 4], 3) == 4
    assert _after([1, 3, 4], 4) == 1 and _after([1, 3, 4], 2) == 3 and _after([], 1) is None


def test_round_robin_counts_only_the_turn_holders_notes_and_reports_the_reason():
    rr = MODES["round_robin"](seating(), RR)
    assert [(e.kind, e.player, e.detail, e.client) for e in rr.begin(0, "start")] == \
        [("turn_start", 1, Turn("start"), "c-1")]
    assert rr.played(2, S) == [] and rr.notes == 0
    assert rr.in_turn(1) and not rr.in_turn(2) and rr.in_turn(4), "the therapist is free"
    rr.played(1, S), rr.played(1, 2 * S)
    out = rr.played(1, 3 * S)
    assert [(e.kind, e.player, e.detail) for e in out] == [
        ("turn_end", 1, Turn("count")), ("turn_start", 2, Turn("count"))]


def test_round_robin_gap_starts_only_when_nothing_sounds():
    state = {"sounding": {2}}
    s = seating()
    s.sounding = lambda p: p in state["sounding"]
    rr = MODES["round_robin"](s, RR)
    rr.give(2, 0, "cli")
    rr.played(2, S)
    rr.released(2, 2 * S)                 # another pad of player 2 still sounds
    assert rr.next_deadline() is None or rr.next_deadline() > 2 * S + 2 * S
    state["sounding"] = set()
    rr.released(2, 3 * S)
    assert rr.next_deadline() == 5 * S
    assert rr.tick(5 * S - 1) == []
    assert [e.detail for e in rr.tick(5 * S)] == [Turn("gap")] * 2 and rr.turn == 3


def test_a_turn_holder_leaving_their_seat_passes_the_turn():
    seated = {1, 2}
    s = seating(seated=seated)
    s.seated = lambda p: p in seated
    rr = MODES["round_robin"](s, RR)
    rr.begin(0, "start")
    seated.discard(1)
    assert [(e.kind, e.player, e.detail) for e in rr.seats_changed(S)] == [
        ("turn_end", 1, Turn("seat")), ("turn_start", 2, Turn("seat"))]
    seated.clear()
    assert [e.kind for e in rr.seats_changed(2 * S)] == ["turn_end"] and rr.turn is None
    assert rr.in_turn(3), "nobody seated holds the turn: nobody is gated"


def test_call_response_rotates_the_replies_over_the_seated_clients():
    cr = MODES["call_response"](seating(seated=(1, 3, 4)), CR)
    cr.begin(0, "start")
    order = [cr.turn]
    for k in range(5):
        cr.pass_turn((k + 1) * S, "button")
        order.append(cr.turn)
    assert order == [4, 1, 4, 3, 4, 1]
    assert not cr.in_turn(3) and cr.in_turn(4)


def test_call_response_reply_wait_brings_the_turn_back():
    cr = MODES["call_response"](seating(seated=(1, 4)), CR)
    cr.begin(0, "start")
    cr.played(4, S), cr.released(4, S + S // 2)
    assert cr.next_deadline() == 2 * S + S // 2
    cr.tick(cr.next_deadline())
    assert cr.turn == 1 and cr.next_deadline() == 7 * S + S // 2
    assert [e.detail for e in cr.tick(7 * S + S // 2)] == [Turn("wait")] * 2 and cr.turn == 4


def _config(tmp_path, turns: str):
    text = (CONFIGS / "station.yaml").read_text() + turns
    return write(tmp_path / "s.yaml", text)


def test_turns_section_defaults_to_free_and_reports_bad_keys_with_line_and_path(tmp_path):
    assert load_config(CONFIGS / "station.yaml").raw["turns"]["mode"] == "free"
    bad = _config(tmp_path, "turns:\n  mode: round_robbin\n  out_of_turn: shush\n"
                            "  round_robin: {notes: 0, gap_s: null}\n")
    with pytest.raises(ConfigError) as err:
        load_config(bad)
    text = str(err.value)
    line = len((CONFIGS / "station.yaml").read_text().splitlines()) + 2
    assert f"s.yaml:{line}: turns.mode" in text and "did you mean 'round_robin'" in text
    assert "turns.out_of_turn" in text and "mute, quiet, allow" in text
    assert "turns.round_robin.notes" in text


def test_station_turn_commands_against_the_running_daemon(tmp_path, station_env):
    from conftest import control, wait_for
    text = (CONFIGS / "scenarios" / "group-station.yaml").read_text()
    text = text.replace("clients_dir: ../clients", f"clients_dir: {CONFIGS / 'clients'}")
    text = text.replace("journal: out/station.db", f"journal: {tmp_path / 'station.db'}")
    sock = tmp_path / "station.sock"
    cfg = write(tmp_path / "group.yaml", text + f"control_socket: {sock}\n"
                "daemon: {hands_off_s: 0, chime: false}\n")
    proc = launch_sim_daemon(cfg, station_env)

    def turn(*args):
        return subprocess.run(station_command() + ["turn", *args, "--config", str(cfg)],
                              capture_output=True, text=True, env=station_env, timeout=60)
    try:
        wait_for(sock, proc)
        r = turn()
        assert r.returncode == 0, r.stderr
        assert "Turn mode: round robin" in r.stdout and "Turn: player 1" in r.stdout
        assert "Next: player 2" in r.stdout and "p1 on" in r.stdout
        r = turn("next")
        assert r.returncode == 0 and "Turn: player 2" in r.stdout, r.stderr
        r = turn("mode", "therapist")
        assert r.returncode == 0 and "Turn mode: therapist" in r.stdout, r.stderr
        r = turn("set", "3", "--json")
        answer = json.loads(r.stdout)
        assert answer["turns"]["turn"] == 3 and answer["lights"]["p3"]["pattern"] == "on"
        control(sock, "sim", action="touch", address=0x5A, electrode=2)   # out of turn
        r = turn("set", "9")
        assert r.returncode != 0 and "there is no player 9" in r.stderr
        r = turn("mode", "jazz")
        assert r.returncode == 1 and "not a turn mode" in r.stderr and "round_robin" in r.stderr
        assert "Traceback" not in r.stderr
        status = control(sock, "status")
        assert status["turn_mode"] == "therapist" and status["turn"] == 3
        assert status["lights"]["p3"]["value"] == 1.0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    import sqlite3
    db = sqlite3.connect(tmp_path / "station.db")
    rows = db.execute("SELECT kind, player, detail FROM events WHERE kind IN "
                      "('turn_start', 'suppressed') ORDER BY id").fetchall()
    assert ("turn_start", 2, "cli") in rows and ("turn_start", 3, "cli") in rows
    assert ("suppressed", 1, "out_of_turn") in rows
