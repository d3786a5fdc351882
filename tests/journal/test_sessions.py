"""Sessions on the simulated station: one per simulator run, by scenario, by the therapist's
button, automatically at the first touch and after an idle time; phases and notes."""

import sqlite3

from conftest import CONFIGS, write

from station.sim.runner import simulate
from station.sim.scenario import load_scenario


def config(tmp_path, session_yaml: str) -> str:
    text = (CONFIGS / "station.yaml").read_text()
    text = text.replace("clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}")
    path = write(tmp_path / "station.yaml", text + "\nsession: " + session_yaml + "\n")
    return str(path)


def run(tmp_path, station: str, events: str, end: float):
    sc = write(tmp_path / "s.yaml", f"station: {station}\nclients: {{1: alex}}\n"
                                    f"events:\n{events}end: {end}\n")
    simulate(load_scenario(sc), tmp_path / "out")
    return sqlite3.connect(tmp_path / "out" / "station.db")


def sessions(db):
    return db.execute("SELECT id, started_ns, ended_ns, started_by, ended_by FROM sessions "
                      "ORDER BY id").fetchall()


def test_a_simulator_run_is_one_session_from_start_to_end(tmp_path):
    db = run(tmp_path, CONFIGS / "station.yaml",
             "  - {at: 1.0, action: touch, board: 0x5A, electrode: 1}\n"
             "  - {at: 1.5, action: release, board: 0x5A, electrode: 1}\n", 3.0)
    assert sessions(db) == [(1, 0, 3_000_000_000, "run", "stop")]
    uses = db.execute("SELECT session_id, detail FROM events WHERE kind='profile'").fetchall()
    assert uses and all(s == 1 and d.startswith("use:") for s, d in uses)
    assert db.execute("SELECT latency_ms FROM sessions").fetchone()[0] == 4.0  # 64*3/48k


def test_scenario_sessions_phases_and_notes(tmp_path):
    db = run(tmp_path, CONFIGS / "station.yaml", """\
  - {at: 0.5, action: touch, board: 0x5A, electrode: 0}
  - {at: 0.6, action: release, board: 0x5A, electrode: 0}
  - {at: 1.0, action: phase, name: warm-up}
  - {at: 2.0, action: touch, board: 0x5A, electrode: 1}
  - {at: 2.2, action: release, board: 0x5A, electrode: 1}
  - {at: 3.0, action: phase, name: main}
  - {at: 3.5, action: note, text: "reached for pad 1 unprompted"}
  - {at: 4.0, action: session_stop}
  - {at: 5.0, action: session_start}
  - {at: 5.5, action: phase, name: reflection}
  - {at: 6.0, action: session_stop}
""", 7.0)
    # the touch at 0.5 s opened a session by itself (auto_start), which the phase joined;
    # the chip saw it at its next sample, 1 ms later
    assert sessions(db) == [(1, 501_000_000, 4_000_000_000, "touch", "scenario"),
                            (2, 5_000_000_000, 6_000_000_000, "scenario", "scenario")]
    marks = db.execute("SELECT session_id, kind, detail FROM events WHERE kind IN "
                       "('phase', 'note') ORDER BY id").fetchall()
    assert marks == [(1, "phase", "warm-up"), (1, "phase", "main"),
                     (1, "note", "reached for pad 1 unprompted"), (2, "phase", "reflection")]
    # the seated clients (alex, and sam from the config) are re-announced in the second
    # session with the profile version in force
    assert db.execute("SELECT player FROM events WHERE session_id=2 AND kind='profile' "
                      "AND detail LIKE 'use:%' ORDER BY player").fetchall() == [(1,), (2,)]


def test_first_touch_starts_a_session_and_idle_time_ends_it(tmp_path):
    station = config(tmp_path, "{auto_start: true, idle_end_min: 0.5}")
    db = run(tmp_path, station, """\
  - {at: 0.0, action: session_stop}
  - {at: 1.0, action: touch, board: 0x5A, electrode: 1}
  - {at: 1.2, action: release, board: 0x5A, electrode: 1}
  - {at: 2.0, action: touch, board: 0x5A, electrode: 2}
  - {at: 2.2, action: release, board: 0x5A, electrode: 2}
  - {at: 40.0, action: touch, board: 0x5A, electrode: 3}
  - {at: 40.2, action: release, board: 0x5A, electrode: 3}
""", 45.0)
    # idle for 30 s after the touch at 2 s: closed at that last touch (each touch is seen
    # at the chip's next 1 ms sample)
    assert sessions(db) == [(1, 1_001_000_000, 2_001_000_000, "touch", "idle"),
                            (2, 40_001_000_000, 45_000_000_000, "touch", "stop")]
    touches = db.execute("SELECT session_id, t_ns FROM events WHERE kind='touch' "
                         "ORDER BY t_ns").fetchall()
    assert touches == [(1, 1_001_000_000), (1, 2_001_000_000), (2, 40_001_000_000)]


def test_the_session_button_toggles_and_without_auto_start_touches_stay_outside(tmp_path):
    station = config(tmp_path, "{auto_start: false, idle_end_min: null}")
    db = run(tmp_path, station, """\
  - {at: 0.0, action: session_stop}
  - {at: 0.5, action: touch, board: 0x5A, electrode: 1}
  - {at: 0.7, action: release, board: 0x5A, electrode: 1}
  - {at: 1.0, action: press, button: session}
  - {at: 1.1, action: unpress, button: session}
  - {at: 2.0, action: touch, board: 0x5A, electrode: 2}
  - {at: 2.2, action: release, board: 0x5A, electrode: 2}
  - {at: 5.0, action: press, button: session}
  - {at: 5.1, action: unpress, button: session}
  - {at: 6.0, action: touch, board: 0x5A, electrode: 3}
  - {at: 6.2, action: release, board: 0x5A, electrode: 3}
""", 7.0)
    assert [s[3:] for s in sessions(db)] == [("button", "button")]
    touches = db.execute("SELECT session_id FROM events WHERE kind='touch' ORDER BY t_ns")
    assert [r[0] for r in touches] == [None, 1, None]


def test_a_touch_where_nobody_is_seated_starts_no_session(tmp_path):
    station = config(tmp_path, "{auto_start: true, idle_end_min: 0.5}")
    db = run(tmp_path, station, """\
  - {at: 0.0, action: session_stop}
  - {at: 1.0, action: touch, board: 0x5C, electrode: 1}
  - {at: 1.2, action: release, board: 0x5C, electrode: 1}
  - {at: 3.0, action: touch, board: 0x5A, electrode: 2}
  - {at: 3.2, action: release, board: 0x5A, electrode: 2}
""", 5.0)
    # player 3 (0x5C) has nobody seated: its touch is journaled, outside any session, and
    # the session starts at alex's touch
    assert [s[1:4] for s in sessions(db)] == [(3_001_000_000, 5_000_000_000, "touch")]
    touches = db.execute("SELECT session_id, player, client FROM events WHERE kind='touch' "
                         "ORDER BY t_ns").fetchall()
    assert touches[0] == (None, 3, None) and touches[1][:2] == (1, 1) and touches[1][2]


def test_a_note_after_the_session_joins_it_within_a_day(tmp_path):
    """Sessions.note with no session running: the last one within 24 h, a named one
    after that; a plain message (no terminal command) when there is none."""
    import pytest

    from station.core.errors import StationError
    from station.journal.late_notes import Ended, note_target
    last = Ended(4, 9_000, 1_000_000.0)
    assert note_target(last, None, 1_000_000.0 + 23 * 3600) == last
    with pytest.raises(StationError, match="more than 24 hours ago.*Name the session"):
        note_target(last, None, 1_000_000.0 + 25 * 3600)
    with pytest.raises(StationError, match="at an unknown time"):
        note_target(Ended(4, 9_000, None), None, 1_000_000.0)
    chosen = Ended(2, 5_000, 0.0)
    assert note_target(last, chosen, 1e12) == chosen
    with pytest.raises(StationError) as no_session:
        note_target(None, None, 0.0)
    assert "station " not in str(no_session.value)
