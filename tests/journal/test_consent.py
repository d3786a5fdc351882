"""Consent honoured: a client without journal consent plays but leaves only anonymous
counts; consent and goals are journaled at each seating; a recording beyond the consent is
refused. On the real simulator (engine, FluidSynth, SQLite) and as the CLI runs."""

import json
import sqlite3
import subprocess
import wave

import numpy as np
from conftest import CONFIGS, station_command, station_config, write

from station.sim.runner import simulate
from station.sim.scenario import load_scenario
from station.sound.analysis import is_silent

PRIVATE = """\
name: Robin
sound: {timbre: marimba}
consent: {date: 2024-05-02, journal: false, audio: true, research_export: false}
"""
SHARED = """\
name: Kai
goals:
  - {id: reach, text: Reaches out, metric: valid_per_min, direction: higher,
     levels: {-2: never, 0: sometimes, 2: always}}
  - {id: wait, text: Waits for the turn}
consent: {date: 2024-05-01, journal: true, audio: true, research_export: true}
"""
NO_AUDIO = "name: Lee\nconsent: {date: 2024-05-03, journal: true, audio: false}\n"
SCENARIO = """\
station: {station}
clients: {{1: robin, 2: kai}}
events:
  - {{at: 1.0, action: touch, board: 0x5A, electrode: 0}}
  - {{at: 1.4, action: release, board: 0x5A, electrode: 0}}
  - {{at: 2.0, action: touch, board: 0x5A, electrode: 2}}
  - {{at: 2.4, action: release, board: 0x5A, electrode: 2}}
  - {{at: 3.0, action: touch, board: 0x5B, electrode: 1}}
  - {{at: 3.4, action: release, board: 0x5B, electrode: 1}}
  - {{at: 5.0, action: use_client, player: 1, client: kai2}}
  - {{at: 6.0, action: touch, board: 0x5A, electrode: 1}}
  - {{at: 6.4, action: release, board: 0x5A, electrode: 1}}
end: 8.0
"""


def clients(tmp_path):
    folder = tmp_path / "clients"
    write(folder / "robin.yaml", PRIVATE)
    write(folder / "kai.yaml", SHARED)
    write(folder / "kai2.yaml", SHARED.replace("Kai", "Kai two"))
    write(folder / "lee.yaml", NO_AUDIO)
    return folder


def run(tmp_path):
    cfg = station_config(tmp_path, clients(tmp_path))
    sc = write(tmp_path / "s.yaml", SCENARIO.format(station=cfg))
    summary = simulate(load_scenario(sc), tmp_path / "out")
    return summary, sqlite3.connect(tmp_path / "out" / "station.db")


def test_without_journal_consent_the_client_plays_but_only_counts_are_kept(tmp_path):
    summary, db = run(tmp_path)
    assert summary["players"]["1"]["notes"] == 3          # robin 2, then kai2 1: all sounded
    with wave.open(str(tmp_path / "out" / "session.wav")) as w:
        audio = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).reshape(-1, 2)
    assert not is_silent(audio[int(1.05 * w.getframerate()):int(1.3 * w.getframerate())])
    per_touch = db.execute("SELECT count(*) FROM events WHERE player=1 AND t_ns < 5e9 AND "
                           "kind IN ('touch','release','note_on','note_off','suppressed',"
                           "'timbre')").fetchone()[0]
    assert per_touch == 0, "no per-touch rows for robin"
    robin = db.execute("SELECT detail, client FROM events WHERE player=1 AND kind='profile' "
                       "ORDER BY id").fetchall()
    assert robin[0] == ("use:no_journal_consent", None)
    (counts,) = db.execute("SELECT detail FROM events WHERE kind='counts'").fetchone()
    assert json.loads(counts) == {"seated_s": 5.0, "touches": 2, "valid_touches": 2,
                                  "suppressed": 0, "echoes": 0, "followed_beats": 0}
    consent = db.execute("SELECT client, detail FROM events WHERE kind='consent' AND player=1 "
                         "ORDER BY id").fetchall()
    assert consent[0] == (None, "date=2024-05-02;journal=no;audio=yes;research_export=no")
    # nothing of robin carries a pseudonym: every client in the journal is kai or kai2
    names = {c for (c,) in db.execute("SELECT DISTINCT client FROM events WHERE client IS "
                                      "NOT NULL")}
    assert len(names) == 2
    # after the swap, kai2's touches are journaled as usual
    assert db.execute("SELECT count(*) FROM events WHERE player=1 AND kind='touch'"
                      ).fetchone()[0] == 1


def test_consent_and_goals_are_journaled_at_each_seating(tmp_path):
    _, db = run(tmp_path)
    rows = db.execute("SELECT client, detail FROM events WHERE kind='consent' AND player=2"
                      ).fetchall()
    assert rows and rows[0][0].startswith("c-")
    assert rows[0][1] == "date=2024-05-01;journal=yes;audio=yes;research_export=yes"
    (goals,) = db.execute("SELECT detail FROM events WHERE kind='goals' AND player=2"
                          ).fetchone()
    assert [g["id"] for g in json.loads(goals)] == ["reach", "wait"]
    assert json.loads(goals)[0]["levels"] == {"-2": "never", "0": "sometimes", "2": "always"}


def test_the_report_shows_counts_only_for_a_client_without_journal_consent(tmp_path):
    from station.journal.reader import open_journal
    from station.report.build import build_report
    run(tmp_path)
    html = build_report(open_journal(tmp_path / "out" / "station.db"))
    assert "player 1<br>client without journal consent" in html
    assert "no journal consent: only counts are kept" in html
    assert "journal no, recordings yes, research export no" in html


def test_a_recording_beyond_the_consent_is_refused_and_nothing_is_written(tmp_path):
    cfg = station_config(tmp_path, clients(tmp_path))
    sc = write(tmp_path / "s.yaml", SCENARIO.format(station=cfg).replace("2: kai", "2: lee"))
    r = subprocess.run(station_command() + ["simulate", str(sc), "--out",
                                            str(tmp_path / "out")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert "client lee did not consent to recordings" in r.stderr
    assert "consent of 2024-05-03" in r.stderr and "consent.audio" in r.stderr
    assert not (tmp_path / "out").exists()


def test_the_shipped_demo_clients_consent_to_the_demo(tmp_path):
    # the demo writes session.wav: its clients (alex, sam, jo) consented to recordings
    from station.config.consent import consent_of
    from station.config.profile import load_profile
    for cid in ("alex", "sam", "jo", "kim"):
        c = consent_of(load_profile(cid, CONFIGS / "clients"))
        assert c.recorded and c.audio and c.journal


MUSIC_PLAN = """\
name: Consent and session music
phases:
  - name: mirror
    players:
      1: {timbre: harp, echo: {gap_ms: 600, timbre: vibraphone}}
      2: {echo: {gap_ms: 600, timbre: vibraphone}}
  - name: follow
    backing: {style: pulse, tempo: follow, tempo_bpm: 70, follow_player: 1}
  - name: steady
    backing: {style: pulse, tempo_bpm: 90, follow_player: 1}
"""


def taps(board, times, electrode=0):
    return "".join(f"  - {{at: {t}, action: touch, board: {board}, electrode: {electrode}}}\n"
                   f"  - {{at: {t + 0.2:.1f}, action: release, board: {board}, "
                   f"electrode: {electrode}}}\n" for t in times)


def test_echo_timbre_and_a_followed_pulse_of_a_client_without_journal_consent_are_counted_only(
        tmp_path):
    """Rows the station derives from robin's playing (the echo of her phrases, her sound
    in a phase, a pulse whose tempo is hers) are left out and counted; kai's echo and a
    pulse at a fixed tempo stay in the journal."""
    from conftest import station_config_text
    write(tmp_path / "plans" / "music.yaml", MUSIC_PLAN)
    text = station_config_text(tmp_path, clients(tmp_path)).replace(
        f"plans_dir: {CONFIGS / 'plans'}", f"plans_dir: {tmp_path / 'plans'}")
    cfg = write(tmp_path / "station.yaml", text)
    robin = [1.0, 1.5, 2.0, 2.5, 5.0, 5.5, 6.0, 6.5]        # 120 BPM: the pulse meets it
    scenario = (f"station: {cfg}\nclients: {{1: robin, 2: kai}}\nevents:\n"
                "  - {at: 0.5, action: plan_start, plan: music}\n"
                + taps("0x5A", robin) + taps("0x5B", [1.2, 1.7, 2.2], electrode=3)
                + "  - {at: 4.5, action: plan_next}\n  - {at: 8.0, action: plan_next}\n"
                "end: 11.0\n")
    summary = simulate(load_scenario(write(tmp_path / "s.yaml", scenario)), tmp_path / "out")
    db = sqlite3.connect(tmp_path / "out" / "station.db")
    phases = {p["phase"]: p for p in summary["phases"]}
    assert phases["mirror"]["echoes"] == 2 and phases["follow"]["beats"] > 4, phases

    def rows(kind, **where):
        sql = f"SELECT t_ns, player, client, detail FROM events WHERE kind = '{kind}'"
        sql += "".join(f" AND {k} = {v}" for k, v in where.items())
        return db.execute(sql + " ORDER BY t_ns").fetchall()
    assert rows("echo", player=1) == [], "no echo of robin's phrases"
    assert [r[3] for r in rows("echo", player=2)] == ["3 notes"], "kai's echo is kept"
    assert rows("timbre", player=1) == [], "no timbre row for robin's seat"
    assert rows("timbre", player=2), "kai's timbre rows are kept"
    follow_at, steady_at = (t for t, *_ in rows("phase") if t > 4e9)
    assert [r for r in rows("beat") if follow_at <= r[0] < steady_at] == [], \
        "no beat rows while the pulse follows robin's tempo"
    assert [r for r in rows("backing") if follow_at <= r[0] < steady_at] == []
    steady = [r for r in rows("beat") if r[0] >= steady_at]
    assert len(steady) == phases["steady"]["beats"] > 2, "a fixed-tempo pulse is kept"
    assert all(r[3].startswith("pulse:90.0:") for r in steady)
    (counts,) = db.execute("SELECT detail FROM events WHERE kind='counts'").fetchone()
    counts = json.loads(counts)
    assert counts["echoes"] == 1 and counts["touches"] == len(robin)
    assert counts["followed_beats"] == phases["follow"]["beats"]
    names = {c for (c,) in db.execute("SELECT DISTINCT client FROM events WHERE client IS "
                                      "NOT NULL")}
    assert len(names) == 1, "only kai's pseudonym is in the journal"


def test_a_chord_at_the_seating_instant_then_leaving_at_once_writes_its_counts(tmp_path):
    """Seated, a chord and gone within one instant (the virtual clock does not move): the
    anonymous counts are written. The last note counted once sat among the counts, and
    ``+counts`` then compared a (t, pad) pair with 0: a TypeError in the engine thread."""
    from station.config.profile import load_profile
    from station.core.details import SeatChange
    from station.core.events import NOTE_ON, PROFILE, Event
    from station.journal.consent import COUNTS, ConsentJournal
    from station.journal.writer import Journal
    robin = load_profile("robin", clients(tmp_path))
    journal = Journal(tmp_path / "j.db")
    consent = ConsentJournal(journal, lambda player: (robin, "client"))
    consent.start_session(0, [(1, "client")])
    t = 5_000_000
    consent.record(Event(PROFILE, t, player=1, client="robin",
                         detail=SeatChange("use", robin.version)))
    for note in (60, 64, 67):                     # one touch sounding a chord
        consent.record(Event(NOTE_ON, t, player=1, pad=0, note=note))
    consent.end_session(t)
    journal.close()
    rows = sqlite3.connect(tmp_path / "j.db").execute(
        "SELECT detail FROM events WHERE kind = ?", (COUNTS,)).fetchall()
    assert [json.loads(d)["valid_touches"] for (d,) in rows] == [1]
