"""The whole station on the simulator: pads -> profile -> real FluidSynth -> WAV + SQLite."""

import sqlite3

import pytest
from conftest import CONFIGS, write
from wav_helpers import read_wav, window

from station.sim.runner import SAMPLE_RATE, simulate
from station.sim.scenario import load_scenario
from station.sim.summary import summary_text
from station.sound.analysis import cents, fundamental_hz, is_silent, midi_to_hz


SCENARIO = """\
station: {station}
clients: {{1: alex}}
events:
  - {{at: 1.0, action: touch, board: 0x5A, electrode: {pad}}}
  - {{at: 1.8, action: release, board: 0x5A, electrode: {pad}}}
end: 4.0
"""


@pytest.mark.parametrize("pad, midi", [(0, 69), (2, 73), (5, 81)])
def test_one_touch_sounds_the_mapped_note_and_release_ends_it(tmp_path, pad, midi):
    scenario = write(tmp_path / "one.yaml",
                     SCENARIO.format(station=CONFIGS / "station.yaml", pad=pad))
    summary = simulate(load_scenario(scenario), tmp_path / "out")
    assert summary["touches"] == 1 and summary["notes"] == 1
    audio = read_wav(tmp_path / "out" / "session.wav")
    assert is_silent(window(audio, 0.0, 0.99)), "no touch: silence"
    tone = window(audio, 1.05, 1.75)[:, 0]
    assert not is_silent(tone)
    assert abs(cents(fundamental_hz(tone, SAMPLE_RATE), midi_to_hz(midi))) < 20
    assert is_silent(window(audio, 3.3, 4.0)), "the release ended the note"


def test_the_journal_holds_raw_touches_and_what_they_became(tmp_path):
    scenario = write(tmp_path / "one.yaml",
                     SCENARIO.format(station=CONFIGS / "station.yaml", pad=3))
    simulate(load_scenario(scenario), tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    rows = db.execute("SELECT kind, t_ns, board, electrode, player, pad, note, client "
                      "FROM events WHERE kind IN ('touch','release','note_on','note_off') "
                      "ORDER BY id").fetchall()
    kinds = [r[0] for r in rows]
    assert kinds == ["touch", "note_on", "release", "note_off"]
    on = rows[1]
    # the hand lands at 1.0 s; the chip sees it at its next sample, 1 ms later
    assert on[1] == 1_001_000_000 and on[4] == 1 and on[5] == 3 and on[6] == 76
    assert rows[0][2] == 0x5A and rows[0][3] == 3
    assert on[7].startswith("c-") and "alex" not in on[7].lower()
    names = db.execute("SELECT count(*) FROM events WHERE detail LIKE '%Alex%'").fetchone()[0]
    assert names == 0, "the display name never enters the journal"
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_demo_scenario_runs_faster_than_real_time(tmp_path):
    import time
    t = time.perf_counter()
    summary = simulate(load_scenario(CONFIGS / "scenarios" / "demo.yaml"), tmp_path)
    elapsed = time.perf_counter() - t
    assert summary["seconds"] == 85.0
    assert summary["players"]["1"]["notes"] > 80 and summary["players"]["2"]["notes"] > 5
    assert summary["players"]["2"]["client"] == "jo"          # the swap happened
    # each client's own counts at the swapped player, as the journal holds them
    db = sqlite3.connect(tmp_path / "station.db")
    journaled = db.execute("SELECT client, COUNT(*) FROM events WHERE kind = 'touch' AND "
                           "player = 2 GROUP BY client ORDER BY MIN(t_ns)").fetchall()
    seated = summary["players"]["2"]["clients"]
    assert [c["client"] for c in seated] == ["sam", "jo"]
    assert [c["touches"] for c in seated] == [n for _, n in journaled] and all(
        n > 0 for _, n in journaled)
    text = summary_text(summary)
    assert f"    sam: {seated[0]['touches']} touches" in text and "Player 2 (jo)" not in text
    assert len(summary["refused_profiles"]) == 1              # the bad profile was refused
    assert [f.split(": ")[1] for f in summary["faults"]] == [
        "board_lost 0x5b", "board_recovered 0x5b",            # unplugged, plugged back
        "board_overcurrent 0x5b", "board_recovered 0x5b"]     # a short at REXT, gone
    phases = {p["phase"]: p for p in summary["phases"]}
    assert list(phases) == ["welcome", "warm_up", "main", "reflection", "goodbye"]
    main = phases["main"]
    assert main["beats"] >= 30 and summary["beats"] == main["beats"], "a pulse in main only"
    assert main["tempo_bpm"][0] == pytest.approx(100, abs=2), "it met alex's tempo"
    assert main["tempo_bpm"][1] == 80.0, "and slowed gently to 80"
    assert phases["reflection"]["echoes"] >= 2 and phases["reflection"]["echoes_cut_short"]
    assert summary["journal"]["lost"] == 0 and summary["refused_plans"] == []
    print(f"the 85 s demo simulated in {elapsed:.1f} s of wall time")   # speed: make bench


def test_touch_on_an_unplugged_board_is_silent_and_faults_are_logged(tmp_path):
    scenario = write(tmp_path / "u.yaml", f"""\
station: {CONFIGS / 'station.yaml'}
clients: {{1: alex, 2: sam}}
events:
  - {{at: 0.5, action: unplug, board: 0x5B}}
  - {{at: 1.0, action: touch, board: 0x5B, electrode: 1}}
  - {{at: 1.2, action: touch, board: 0x5A, electrode: 1}}
  - {{at: 1.5, action: release, board: 0x5A, electrode: 1}}
  - {{at: 2.0, action: plug, board: 0x5B}}
  - {{at: 4.0, action: release, board: 0x5B, electrode: 1}}
  - {{at: 4.5, action: touch, board: 0x5B, electrode: 2}}
  - {{at: 4.8, action: release, board: 0x5B, electrode: 2}}
""")
    simulate(load_scenario(scenario), tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    faults = [r[0] for r in db.execute("SELECT detail FROM events WHERE kind='fault' "
                                       "ORDER BY t_ns")]
    assert faults[0] == "board_lost" and "board_recovered" in faults
    notes = db.execute("SELECT player, note FROM events WHERE kind='note_on' ORDER BY t_ns")
    assert [r[0] for r in notes] == [1, 2], "board 0x5A played on; 0x5B again after plug"
