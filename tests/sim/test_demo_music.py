"""The demo's music: one key throughout, a pulse that carries, the backing under the client
by its margin, and a summary that says how loud each part was (LUFS, measured on the
parts' own renders)."""

import sqlite3

from conftest import CONFIGS
from test_session_music import scenario

from station.sim.runner import simulate
from station.sim.scenario import load_scenario
from station.sim.summary import summary_text
from station.sound.backing import UNDER_CLIENT_LU, under_client
from station.sound.keys import SessionKey


def test_the_backing_sits_under_the_client_it_follows(tmp_path):
    taps = [f"{{at: {1.0 + 0.75 * k:.2f}, action: touch, board: 0x5A, electrode: 0}}"
            for k in range(16)]
    taps += [f"{{at: {1.3 + 0.75 * k:.2f}, action: release, board: 0x5A, electrode: 0}}"
             for k in range(16)]
    summary = simulate(load_scenario(scenario(tmp_path, [
        "{at: 1.0, action: backing, style: pulse, tempo_bpm: 80, voice: claves}", *taps],
        13)), tmp_path / "out", loudness=True)
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    client = {r[0] for r in db.execute("SELECT velocity FROM events WHERE kind='note_on'")}
    beats = {r[0] for r in db.execute("SELECT velocity FROM events WHERE kind='beat'")}
    assert client == {60}                         # alex: velocity 100 x volume 0.6
    assert max(beats) == under_client(50, 60) == 42      # 0.4 x 127 = 50, capped to 42
    loud = summary["loudness_lufs"]
    assert loud["player 1"] - loud["backing"] >= UNDER_CLIENT_LU - 2.0
    assert "echo" not in loud or loud["echo"] is None


def test_the_demo_plays_in_one_key_with_a_pulse_that_carries(tmp_path):
    summary = simulate(load_scenario(CONFIGS / "scenarios" / "demo.yaml"), tmp_path / "out",
                       loudness=True)
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    a_major = SessionKey("A").pitch_classes
    played = [r[0] for r in db.execute("SELECT note FROM events WHERE kind='note_on'")]
    assert len(played) > 100 and {n % 12 for n in played} <= a_major
    starts = [r[0] for r in db.execute("SELECT detail FROM events WHERE kind='backing' AND "
                                       "detail LIKE 'start:%'")]
    assert starts and all(":A:" in s for s in starts)      # drone and pulse in A
    pulse = {r[0] for r in db.execute("SELECT note FROM events WHERE kind='beat'")}
    assert pulse == {76, 77}                               # the wood block, not the kick
    loud = summary["loudness_lufs"]
    for part in ("player 1", "player 2", "backing"):
        assert -45 < loud[part] < -10, part
    assert loud["backing"] < min(loud["player 1"], loud["player 2"])
    text = summary_text(summary)
    assert f"player 1 {loud['player 1']:.1f} LUFS" in text and "backing" in text
    assert summary["ceiling"]["peak_reduction_db"] >= -6.0


def test_humanise_varies_the_loudness_and_never_the_time_of_a_beat(tmp_path):
    def beats(folder, extra):
        simulate(load_scenario(scenario(folder, [
            f"{{at: 1.0, action: backing, style: pulse, tempo_bpm: 90{extra}}}"], 8)),
            folder / "out")
        db = sqlite3.connect(folder / "out" / "station.db")
        return db.execute("SELECT t_ns, velocity FROM events WHERE kind='beat' "
                          "ORDER BY t_ns").fetchall()
    exact = beats(tmp_path / "a", "")
    human = beats(tmp_path / "b", ", humanise: true")
    assert len(exact) == len(human) > 8
    assert [t for t, _ in exact] == [t for t, _ in human]           # to the nanosecond
    assert len({v for _, v in human}) > len({v for _, v in exact}) == 2
