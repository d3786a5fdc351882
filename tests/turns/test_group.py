"""Group sessions on the simulator: every turn mode through the real engine, FluidSynth,
the journal and gpiozero's mock pins. Lights are read from the mock pins at virtual times."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import CONFIGS, write

from station.sim.runner import Simulation
from station.sim.scenario import load_scenario

GROUP = CONFIGS / "scenarios" / "group-station.yaml"
BOARDS = {1: 0x5A, 2: 0x5B, 3: 0x5C, 4: 0x5D}


def group_config(tmp_path: Path, turns: str, *, edit=lambda text: text) -> Path:
    """The bundled group station with another ``turns:`` section (and other edits)."""
    text = GROUP.read_text()
    head, rest = text.split("\nturns:", 1)
    tail = rest[rest.index("\nclients_dir:"):]
    text = head + "\n" + turns.strip() + "\n" + tail
    text = text.replace("clients_dir: ../clients", f"clients_dir: {CONFIGS / 'clients'}")
    return write(tmp_path / "station.yaml", edit(text))


SEEN_DOWN, SEEN_UP = 0.001, 0.004   # the chip sees a firm palm land at its next 1 ms sample
                                   # and its lift 4 samples later (its 4-sample filter)


def tap(at: float, player: int, electrode: int = 0, hold: float = 0.2) -> list[str]:
    """A firm tap the station *sees* from ``at`` for ``hold`` seconds (the hand moves
    that much earlier than the chip reports it)."""
    board = BOARDS[player]
    down, up = at - SEEN_DOWN, at + hold - SEEN_UP
    return [f"  - {{at: {down:.3f}, action: touch, board: {board:#x}, electrode: {electrode}}}",
            f"  - {{at: {up:.3f}, action: release, board: {board:#x}, "
            f"electrode: {electrode}}}"]


def run(tmp_path: Path, config: Path, events: list[str], end: float, samples=(),
        extra: str = ""):
    """Play the events; return (simulation, summary, every event the engine emitted)."""
    text = f"station: {config}\n{extra}events:\n" + "\n".join(events) + f"\nend: {end}\n"
    scenario = load_scenario(write(tmp_path / "scenario.yaml", text))
    sim = Simulation(scenario, tmp_path / "out", sample_lights=tuple(samples))
    seen = []
    sim.station.engine.add_listener("test", seen.append)
    summary = sim.run()
    return sim, summary, seen


def kinds(seen, *wanted):
    return [e for e in seen if e.kind in wanted]


def turns(seen):
    """[(seconds, kind, player, reason)] of every turn start/end."""
    return [(e.t_ns / 1e9, e.kind, e.player, str(e.detail))
            for e in kinds(seen, "turn_start", "turn_end")]


def sounded(seen):
    return [(e.t_ns / 1e9, e.player) for e in kinds(seen, "note_on")]


def muted(seen):
    return [(e.t_ns / 1e9, e.player) for e in kinds(seen, "suppressed")
            if e.detail == "out_of_turn"]


def pulsing(value: float) -> bool:
    return 0.08 <= value <= 0.43


RR_COUNT = """
turns:
  mode: round_robin
  out_of_turn: mute
  round_robin: {notes: 2, gap_s: null, wait_s: null}
"""


def test_free_mode_everyone_sounds_and_every_seated_light_is_on(tmp_path):
    cfg = group_config(tmp_path, "turns: {mode: free}")
    events = tap(1.0, 1) + tap(1.0, 2) + tap(1.1, 3) + tap(1.2, 4)
    sim, summary, seen = run(tmp_path, cfg, events, 3.0, samples=(0.5, 2.0))
    assert sorted(p for _, p in sounded(seen)) == [1, 2, 3, 4]
    assert muted(seen) == [] and turns(seen) == []
    assert sim.light_samples[0.5] == {"p1": 1.0, "p2": 1.0, "p3": 1.0, "p4": 1.0}


def test_round_robin_passes_after_n_notes_mutes_out_of_turn_and_pulses_the_next(tmp_path):
    cfg = group_config(tmp_path, RR_COUNT)
    events = (tap(0.6, 2) + tap(1.0, 1) + tap(1.5, 1, 1) +     # 2 early (muted), 1 plays two
              tap(2.0, 1, 2) + tap(2.5, 2) + tap(3.0, 2, 3))   # 1 now late; 2 plays two
    sim, summary, seen = run(tmp_path, cfg, events, 5.0, samples=(0.5, 0.9, 1.6, 2.1, 3.5))
    assert sounded(seen) == [(1.0, 1), (1.5, 1), (2.5, 2), (3.0, 2)]
    assert muted(seen) == [(0.6, 2), (2.0, 1)]
    assert turns(seen) == [(0.0, "turn_start", 1, "start"),
                           (1.5, "turn_end", 1, "count"), (1.5, "turn_start", 2, "count"),
                           (3.0, "turn_end", 2, "count"), (3.0, "turn_start", 3, "count")]
    s = sim.light_samples
    assert s[0.5]["p1"] == 1.0 and s[0.5]["p3"] == 0.0 and s[0.5]["p4"] == 0.0
    assert pulsing(s[0.5]["p2"]) and pulsing(s[0.9]["p2"]) and s[0.5]["p2"] != s[0.9]["p2"], \
        "the next player's light pulses gently"
    assert s[1.6]["p1"] == 0.0 and s[1.6]["p2"] == 1.0 and pulsing(s[1.6]["p3"])
    assert s[3.5]["p3"] == 1.0 and pulsing(s[3.5]["p1"]), "player 4 is the therapist: skipped"
    assert summary["players"]["2"]["suppressed_by_reason"] == {"out_of_turn": 1}
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    rows = db.execute("SELECT kind, t_ns, player, detail FROM events WHERE kind LIKE 'turn%' "
                      "ORDER BY id").fetchall()
    assert rows[1:3] == [("turn_end", 1_500_000_000, 1, "count"),
                         ("turn_start", 1_500_000_000, 2, "count")]
    assert db.execute("SELECT count(*) FROM events WHERE kind='suppressed' AND "
                      "detail='out_of_turn'").fetchone()[0] == 2


@pytest.mark.parametrize("rule, expect", [
    ("{notes: null, seconds: 3, gap_s: null, wait_s: null}", (3.0, "time")),
    ("{notes: null, gap_s: 1.0, wait_s: null}", (2.2, "gap")),      # release 1.2 + 1.0
    ("{notes: null, gap_s: 30, wait_s: 4}", (4.0, "wait")),
])
def test_round_robin_rules_pass_the_turn_on_the_station_clock(tmp_path, rule, expect):
    cfg = group_config(tmp_path, f"turns:\n  mode: round_robin\n  round_robin: {rule}\n")
    events = tap(1.0, 1) if expect[1] != "wait" else tap(1.0, 2)
    sim, _, seen = run(tmp_path, cfg, events, 6.0, samples=(expect[0] - 0.001, expect[0]))
    assert turns(seen)[1:3] == [(expect[0], "turn_end", 1, expect[1]),
                                (expect[0], "turn_start", 2, expect[1])]
    before, after = sim.light_samples[expect[0] - 0.001], sim.light_samples[expect[0]]
    assert (before["p1"], after["p1"], after["p2"]) == (1.0, 0.0, 1.0), \
        "the lights change at the exact virtual instant the turn passes"


def test_round_robin_skips_players_without_a_client(tmp_path):
    cfg = group_config(tmp_path, RR_COUNT,
                       edit=lambda t: t.replace("light_gpio: 13, client: kim", "light_gpio: 13"))
    events = tap(1.0, 1) + tap(1.5, 1) + tap(2.0, 2) + tap(2.5, 2) + tap(3.0, 3)
    sim, _, seen = run(tmp_path, cfg, events, 4.0, samples=(2.1,))
    starts = [(t, p) for t, k, p, _ in turns(seen) if k == "turn_start"]
    assert starts == [(0.0, 1), (1.5, 2), (2.5, 1)]
    assert [e.detail for e in seen if e.player == 3 and e.kind == "suppressed"] == ["no_client"]
    assert pulsing(sim.light_samples[2.1]["p1"]) and sim.light_samples[2.1]["p3"] == 0.0


@pytest.mark.parametrize("policy", ["quiet", "allow"])
def test_out_of_turn_quiet_or_allowed_is_played_and_logged_as_out_of_turn(tmp_path, policy):
    cfg = group_config(tmp_path, RR_COUNT.replace("mute", policy))
    sim, summary, seen = run(tmp_path, cfg, tap(1.0, 1) + tap(1.5, 2), 3.0)
    ons = kinds(seen, "note_on")
    assert [(e.player, e.detail) for e in ons] == [(1, None), (2, "out_of_turn")]
    # Sam's profile is quieter (volume 0.5 vs 0.6): compare with her own in-turn level.
    in_turn = int(100 * 0.5)
    assert ons[1].velocity == (in_turn // 2 if policy == "quiet" else in_turn)
    assert muted(seen) == [] and summary["players"]["2"]["out_of_turn_notes"] == 1
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    assert db.execute("SELECT player FROM events WHERE kind='note_on' AND "
                      "detail='out_of_turn'").fetchall() == [(2,)]


THERAPIST = "turns: {mode: therapist, hold_s: 1.0}"


def test_therapist_mode_tap_passes_hold_chooses_and_the_therapist_is_never_gated(tmp_path):
    cfg = group_config(tmp_path, THERAPIST)
    events = (tap(0.5, 2) + tap(0.6, 4) +
              ["  - {at: 1.0, action: press, button: next_turn}",
               "  - {at: 1.2, action: release, button: next_turn}"] +     # tap: 1 -> 2
              tap(1.5, 2) +
              ["  - {at: 2.0, action: press, button: next_turn}",        # hold: 3.0 -> 3,
               "  - {at: 4.5, action: release, button: next_turn}"] +    # 4.0 -> 4 (leader?)
              tap(5.0, 3) +
              ["  - {at: 6.0, action: turn_set, player: 1}"] + tap(6.5, 1))
    sim, _, seen = run(tmp_path, cfg, events, 8.0,
                       samples=(3.05, 3.2, 3.3, 4.1, 5.5))
    starts = [(t, p, r) for t, k, p, r in turns(seen) if k == "turn_start"]
    assert starts == [(0.0, 1, "start"), (1.2, 2, "button"), (4.5, 1, "button"),
                      (6.0, 1, "cli")]
    assert muted(seen) == [(0.5, 2), (5.0, 3)]
    assert (0.6, 4) in sounded(seen), "the therapist player plays whoever has the turn"
    assert (1.5, 2) in sounded(seen) and (6.5, 1) in sounded(seen)
    s = sim.light_samples
    # Held from 2.0: at 3.0 player 3 is offered (blinking 4 Hz), at 4.0 player 1 (wraps).
    assert s[3.05]["p3"] == 1.0 and s[3.2]["p3"] == 0.0 and s[3.3]["p3"] == 1.0
    assert s[3.05]["p2"] == 0.0 and s[3.05]["p1"] == 0.0
    assert s[4.1]["p1"] == 1.0 and s[4.1]["p3"] == 0.0
    assert s[5.5] == {"p1": 1.0, "p2": 0.0, "p3": 0.0, "p4": 0.0}


CALL = """
turns:
  mode: call_response
  call_response: {call_gap_s: 1.0, reply_gap_s: 1.5, reply_wait_s: 4}
"""


def test_call_response_therapist_calls_client_answers_then_back(tmp_path):
    cfg = group_config(tmp_path, CALL)
    events = (tap(1.0, 4) + tap(1.4, 4, 1) + tap(1.3, 1) +   # call; player 1 too early
              tap(3.0, 1) + tap(3.4, 1, 2) +                  # reply of player 1
              tap(6.0, 4) + tap(6.5, 4, 1))                   # call again; nobody answers
    sim, _, seen = run(tmp_path, cfg, events, 14.0, samples=(2.0, 2.7, 4.0, 5.2))
    assert turns(seen) == [
        (0.0, "turn_start", 4, "start"),
        (2.6, "turn_end", 4, "gap"), (2.6, "turn_start", 1, "gap"),     # 1.6 + 1.0
        (5.1, "turn_end", 1, "gap"), (5.1, "turn_start", 4, "gap"),     # 3.6 + 1.5
        (7.7, "turn_end", 4, "gap"), (7.7, "turn_start", 2, "gap"),     # the next client
        (11.7, "turn_end", 2, "wait"), (11.7, "turn_start", 4, "wait")]
    assert muted(seen) == [(1.3, 1)]
    assert [p for _, p in sounded(seen)] == [4, 4, 1, 1, 4, 4]
    s = sim.light_samples
    assert s[2.0]["p4"] == 1.0 and pulsing(s[2.0]["p1"]) and s[2.0]["p2"] == 0.0
    assert s[2.7]["p1"] == 1.0 and pulsing(s[2.7]["p4"])
    assert s[5.2]["p4"] == 1.0 and pulsing(s[5.2]["p2"]) and s[5.2]["p1"] == 0.0


def test_call_response_without_a_therapist_player_is_a_plain_config_error(tmp_path):
    import subprocess

    from conftest import station_command
    cfg = group_config(tmp_path, CALL, edit=lambda t: t.replace(", role: therapist", ""))
    scenario = write(tmp_path / "s.yaml", f"station: {cfg}\nevents:\n" + "\n".join(tap(1, 1)))
    r = subprocess.run(station_command() + ["simulate", str(scenario), "--out",
                                            str(tmp_path / "o")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 3, r.stderr
    assert "turns.mode" in r.stderr and "role: therapist" in r.stderr
    assert "Traceback" not in r.stderr


def test_all_quiet_fades_out_pauses_the_pads_and_a_second_tap_resumes(tmp_path):
    from wav_helpers import read_wav, window

    from station.sound.analysis import is_silent
    cfg = group_config(tmp_path, "turns: {mode: free, fade_s: 1.0}")
    board = "0x5A"
    # (the pads' times are those the chip sees: see tap())
    events = [f"  - {{at: 0.999, action: touch, board: {board}, electrode: 0}}",  # held on
              "  - {at: 2.0, action: press, button: all_quiet}",
              "  - {at: 2.1, action: release, button: all_quiet}",
              "  - {at: 3.499, action: touch, board: 0x5B, electrode: 1}",        # paused
              "  - {at: 3.696, action: release, board: 0x5B, electrode: 1}",
              "  - {at: 5.0, action: press, button: all_quiet}",
              "  - {at: 5.1, action: release, button: all_quiet}",
              f"  - {{at: 5.196, action: release, board: {board}, electrode: 0}}",
              ] + tap(6.0, 2, 1, hold=0.5)
    sim, _, seen = run(tmp_path, cfg, events, 8.0, samples=(1.5, 2.5, 4.0, 5.15))
    assert [(e.t_ns / 1e9, e.player) for e in kinds(seen, "suppressed")] == [(3.5, 2)]
    assert [e.detail for e in kinds(seen, "suppressed")] == ["all_quiet"]
    offs = [e.t_ns / 1e9 for e in kinds(seen, "note_off") if e.player == 1]
    assert offs == [3.0], "the held note ends when the fade is done"
    assert sounded(seen) == [(1.0, 1), (6.0, 2)]
    s = sim.light_samples
    assert s[1.5]["p1"] == 1.0 and s[2.5] == s[4.0] == {"p1": 0.0, "p2": 0.0, "p3": 0.0,
                                                        "p4": 0.0}
    assert s[5.15]["p1"] == 1.0, "resumed: the lights come back"
    audio = read_wav(tmp_path / "out" / "session.wav")
    tone, half, late = (window(audio, 1.5, 1.9), window(audio, 2.45, 2.55),
                        window(audio, 3.1, 4.9))
    assert not is_silent(tone) and is_silent(late)
    assert 0 < abs(half.astype(int)).max() < abs(tone.astype(int)).max(), "a fade, not a cut"
    assert not is_silent(window(audio, 6.05, 6.45)), "after resuming the pads play again"


def test_holding_all_quiet_counts_through_the_modes_on_the_lights(tmp_path):
    cfg = group_config(tmp_path, RR_COUNT)
    events = ["  - {at: 1.0, action: press, button: all_quiet}",
              "  - {at: 3.5, action: release, button: all_quiet}"] + tap(4.0, 4) + tap(5.0, 1)
    sim, _, seen = run(tmp_path, cfg, events, 7.0, samples=(1.5, 2.5, 3.2, 3.6))
    s = sim.light_samples
    assert s[1.5] == {"p1": 0.0, "p2": 0.0, "p3": 0.0, "p4": 0.0}     # quiet
    assert s[2.5] == {"p1": 1.0, "p2": 1.0, "p3": 1.0, "p4": 0.0}     # 3: therapist
    assert s[3.2] == {"p1": 1.0, "p2": 1.0, "p3": 1.0, "p4": 1.0}     # 4: call_response
    assert s[3.6]["p4"] == 1.0 and pulsing(s[3.6]["p1"])              # the therapist calls
    assert turns(seen)[1:3] == [(3.5, "turn_end", 1, "mode:call_response"),
                                (3.5, "turn_start", 4, "mode:call_response")]
    assert sounded(seen) == [(4.0, 4)] and muted(seen) == [(5.0, 1)]


def test_four_players_forty_eight_pads_take_turns_round_robin(tmp_path):
    cfg = group_config(tmp_path, """
turns:
  mode: round_robin
  round_robin: {notes: 12, gap_s: null, wait_s: null}
""", edit=lambda t: t.replace(", role: therapist", ""))
    events, t = [], 1.0
    for player in (1, 2, 3, 4):
        for e in range(12):
            events += tap(t, player, e, hold=0.1)
            if e < 11:                             # the next player is too eager
                events += tap(t + 0.05, player % 4 + 1, e, hold=0.02)
            t += 0.2
    samples = [1.0 + 2.4 * k + 1.2 for k in range(4)]
    sim, summary, seen = run(tmp_path, cfg, events, t + 1, samples=samples)
    played = {(e.player, e.pad) for e in kinds(seen, "note_on")}
    assert played == {(p, pad) for p in (1, 2, 3, 4) for pad in range(12)}, "all 48 pads"
    assert len(muted(seen)) == 44 and summary["touches"] == 92
    starts = [(round(t, 3), p, r) for t, k, p, r in turns(seen) if k == "turn_start"]
    assert starts == [(0.0, 1, "start"), (3.2, 2, "count"), (5.6, 3, "count"),
                      (8.0, 4, "count"), (10.4, 1, "count")]
    for k, at in enumerate(samples):
        player = k + 1
        lit = {name for name, v in sim.light_samples[at].items() if v == 1.0}
        assert lit == {f"p{player}"}
        assert pulsing(sim.light_samples[at][f"p{player % 4 + 1}"])


def test_the_bundled_group_demo_runs_round_robin_then_call_and_response(tmp_path):
    sim = Simulation(load_scenario(CONFIGS / "scenarios" / "group.yaml"), tmp_path,
                     sample_lights=(2.0, 33.0))
    seen = []
    sim.station.engine.add_listener("test", seen.append)
    summary = sim.run()
    assert summary["seconds"] == 54.0
    for n in ("1", "2", "3", "4"):
        assert summary["players"][n]["notes"] >= 10 and summary["players"][n]["turns"] >= 4
    reasons = {r for _, k, _, r in turns(seen) if k == "turn_start"}
    assert reasons == {"start", "gap", "count", "cli", "mode:call_response"}
    assert len(muted(seen)) == 3
    assert sim.light_samples[2.0]["p1"] == 1.0 and pulsing(sim.light_samples[2.0]["p2"])
    assert sim.light_samples[33.0]["p1"] == 1.0 and pulsing(sim.light_samples[33.0]["p4"])
