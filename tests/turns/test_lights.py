"""The lights: patterns on the station clock, written to gpiozero's mock pins."""

from __future__ import annotations

import pytest
from test_group import group_config, kinds, run, tap

from station.core.details import Fault
from station.turns.patterns import level

MS = 1_000_000


@pytest.mark.parametrize("pattern, t_ms, value, next_ms", [
    ("on", 5, 1.0, None), ("off", 5, 0.0, None),
    ("fault", 0, 1.0, 100), ("fault", 150, 0.0, 50), ("fault", 250, 1.0, 50),
    ("fault", 300, 0.0, 900), ("fault", 1200, 1.0, 100),
    ("refused", 0, 1.0, 80), ("refused", 340, 1.0, 60), ("refused", 400, 0.0, 1100),
    ("choose", 0, 1.0, 125), ("choose", 130, 0.0, 120),
    ("ready", 0, 0.08, 20), ("ready", 800, 0.43, 20),
    ("breathe", 0, 0.03, 200), ("breathe", 3000, 0.53, 200), ("breathe", 3100, 0.53, 100),
])
def test_patterns_are_exact_functions_of_time(pattern, t_ms, value, next_ms):
    got, nxt = level(pattern, t_ms * MS)
    assert got == pytest.approx(value, abs=0.002)
    assert nxt == (None if next_ms is None else next_ms * MS)


def history(sim, name):
    return [(t / 1e9, v) for t, n, v in sim.station.lights.history if n == name]


def test_a_lost_board_shows_the_fault_pattern_on_its_players_light_until_it_is_back(
        tmp_path):
    cfg = group_config(tmp_path, "turns: {mode: free}")
    events = ["  - {at: 2.0, action: unplug, board: 0x5B}",
              "  - {at: 5.0, action: plug, board: 0x5B}"]
    sim, _, seen = run(tmp_path, cfg, events, 9.0)
    lost = [e.t_ns for e in kinds(seen, "fault") if e.detail == Fault("board_lost")]
    back = [e.t_ns for e in kinds(seen, "fault") if e.detail == Fault("board_recovered")]
    assert len(lost) == 1 and len(back) == 1 and 2e9 <= lost[0] <= 2.1e9 and back[0] > 5e9
    t0 = lost[0] / 1e9
    # The light was on (free mode), so the first flash needs no write: it goes off at +0.1.
    flashes = [(round(t - t0, 3), v) for t, v in history(sim, "p2") if t0 <= t < t0 + 1.25]
    assert flashes == [(0.1, 0.0), (0.2, 1.0), (0.3, 0.0), (1.2, 1.0)], \
        "two short flashes every 1.2 s, on the station clock to the nanosecond"
    after = [v for t, v in history(sim, "p2") if t >= back[0] / 1e9]
    assert after[-1] == 1.0, "recovered: back to the free-mode light"
    assert all(v == 1.0 for _, v in history(sim, "p1")), "other players are untouched"


def test_a_refused_profile_flashes_three_times_for_six_seconds(tmp_path):
    from conftest import CONFIGS
    cfg = group_config(tmp_path, "turns: {mode: free}")
    bad = CONFIGS / "scenarios" / "profiles" / "too-loud.yaml"
    events = [f"  - {{at: 2.0, action: use_client, player: 3, client: {bad}}}"]
    sim, summary, _ = run(tmp_path, cfg, events, 10.0, samples=(2.05, 2.12, 2.2, 3.0, 8.1))
    assert len(summary["refused_profiles"]) == 1
    s = sim.light_samples
    assert [s[t]["p3"] for t in (2.05, 2.12, 2.2, 3.0)] == [1.0, 0.0, 1.0, 0.0]
    assert s[8.1]["p3"] == 1.0, "after 6 s the light shows the (kept) client again"
    flashes = [round(t - 2.0, 3) for t, v in history(sim, "p3") if v == 1.0 and 2 <= t < 4]
    assert flashes == [0.16, 0.32, 1.5, 1.66, 1.82], "three quick flashes per 1.5 s (the "\
        "light was already on for the first)"


def test_a_good_client_seated_after_a_refusal_ends_the_flashing_at_once(tmp_path):
    from conftest import CONFIGS
    cfg = group_config(tmp_path, "turns: {mode: free}")
    bad = CONFIGS / "scenarios" / "profiles" / "too-loud.yaml"
    good = CONFIGS / "clients" / "alex.yaml"
    events = [f"  - {{at: 2.0, action: use_client, player: 3, client: {bad}}}",
              f"  - {{at: 3.0, action: use_client, player: 3, client: {good}}}"]
    sim, summary, _ = run(tmp_path, cfg, events, 10.0, samples=(2.05, 2.12))
    assert len(summary["refused_profiles"]) == 1
    assert [sim.light_samples[t]["p3"] for t in (2.05, 2.12)] == [1.0, 0.0], "flashing"
    after = [v for t, v in history(sim, "p3") if t >= 3.0]
    assert after == [1.0], "the therapist fixed it: the light is steady from the seating on"


def test_idle_lights_breathe_slowly_and_wake_rarely(tmp_path):
    cfg = group_config(tmp_path, """
turns:
  mode: round_robin
  round_robin: {notes: 4, gap_s: null, wait_s: null}
  idle_s: 5
""")
    sim, _, _ = run(tmp_path, cfg, tap(1.0, 1) + tap(20.0, 1), 22.0)
    p1 = history(sim, "p1")
    idle = [(t, v) for t, v in p1 if 6.0 <= t < 20.0]
    assert 60 <= len(idle) <= 71, "breathing: at most 5 updates a second"
    assert all(0.03 <= v <= 0.53 for _, v in idle)
    assert max(v for _, v in idle) > 0.5 and min(v for _, v in idle) < 0.05
    assert [v for t, v in p1 if t >= 20.0][-1] == 1.0, "a touch ends the idle breathing"
    p2 = history(sim, "p2")
    assert [v for t, v in p2 if 6.0 <= t < 20.0] in ([], [0.0]), "no pulse while idle"
    busy = [t for t, _ in p2 if 1.0 <= t < 6.0]
    assert len(busy) > 200, "the 'get ready' pulse updates at 50 Hz while it shows"


def test_every_light_write_reached_the_mock_pin_in_order(tmp_path, mock_pins):
    cfg = group_config(tmp_path, """
turns:
  mode: round_robin
  round_robin: {notes: 2}
""")
    events = tap(1.0, 1) + tap(1.5, 1) + tap(2.0, 2) + tap(2.4, 2)
    pins = {}

    sim, _, _ = run(tmp_path, cfg, events, 4.0)
    # The mock pins' own state histories (gpiozero keeps them) hold exactly our writes.
    for name in ("p1", "p2", "p3", "p4"):
        pins[name] = [round(v, 3) for v in sim.world.light_history(name)]
        # A pin starts at 0 and records changes only; an initial "off" write is no change.
        ours = _changes([0.0] + [v for _, v in history(sim, name)])
        assert len(ours) > 1 or name == "p4", name     # the therapist's light stays off
        assert pins[name][:len(ours)] == ours, name
    assert len(pins["p2"]) > 50, "the pulse really moved the pin"


def _changes(values):
    return [v for i, v in enumerate(values) if i == 0 or v != values[i - 1]]
