"""``station profile tune`` as a therapist runs it (subprocesses), on a journal of two
minutes of tremor played without filters on the simulated station."""

import random
import re
import stat
import subprocess

import pytest
from conftest import CONFIGS, station_command, write

from station.sim import motor, motor_eval

PROFILE = """\
# Tremor client: the therapist's comments stay where they are.
name: Tremor Client            # shown to the therapist
sound: {timbre: soft_piano, volume: 0.6}
music: {mode: scale, key: C, scale: major_pentatonic, octave: 4}
touch:
  resting_guard: false         # plays a pad already held (our choice, 2024-03)
  long_touch_s: null
goals:
  - id: steady
    text: Keeps a steady beat within a phrase
    metric: ioi_cv
    direction: lower
    levels: {-2: no two notes alike, 0: steady for a short phrase, 2: steady throughout}
  - id: reach
    text: Reaches the far pads
    metric: pads_used
    direction: higher
    levels: {-2: one pad only, 0: half the pads, 2: every pad}
"""


def tune(*args):
    return subprocess.run(station_command() + ["profile", "tune", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def journal(tmp_path_factory):
    """(journal, profile path) after two minutes of tremor by 'tremor-client'."""
    tmp = tmp_path_factory.mktemp("tune")
    profile = write(tmp / "clients" / "tremor-client.yaml", PROFILE)
    pattern = motor.tremor(random.Random(3), 200)
    pattern.contacts = [c for c in pattern.contacts if c.t0 < 120 * 10**9]
    pattern.intended = [c for c in pattern.intended if c.t0 < 120 * 10**9]
    pattern.end_ns = max(c.t1 for c in pattern.contacts) + 10**9
    motor_eval.play(pattern, str(profile), tmp / "out", 3)
    return tmp / "out" / "station.db", profile


def test_prints_the_proposal_its_reasons_and_the_replay(journal):
    db, profile = journal
    r = tune("--db", db, "--session", 1, "--player", 1, "--client", profile)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "Session 1, player 1 (tremor-client" in out and "contacts." in out
    assert "release_grace_ms: 0 -> " in out and "retrigger_ms: 0 -> " in out
    assert "dwell_ms: stays 0" in out and "hold: stays momentary" in out
    assert "current  proposed" in out and "notes that sound" in out
    notes = next(line for line in out.splitlines() if "notes that sound" in line).split()
    assert int(notes[-2]) > int(notes[-1]) > 0          # fewer notes: the tremor's extras
    assert "Proposed touch: settings: release_grace_ms: " in out
    assert "nothing was changed" in out and "Traceback" not in r.stderr


def test_out_writes_the_profile_with_the_proposal_and_never_over_a_file(journal, tmp_path):
    db, profile = journal
    before = profile.read_text()
    out = tmp_path / "tremor-client-tuned.yaml"
    r = tune("--db", db, "--session", 1, "--player", 1, "--client", profile, "--out", out)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"wrote {out}" in r.stdout and profile.read_text() == before
    text = out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    for line in PROFILE.splitlines():        # every line of the file is still there
        assert line in text, line
    assert "  release_grace_ms: " in text and "  retrigger_ms: " in text
    check = subprocess.run(station_command() + ["profile", "check", str(out)],
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout
    again = tune("--db", db, "--session", 1, "--player", 1, "--client", profile, "--out", out)
    assert again.returncode == 1 and "already there" in again.stdout + again.stderr
    assert out.read_text() == text
    onto = tune("--db", db, "--session", 1, "--player", 1, "--client", profile, "--out",
                profile)
    assert onto.returncode == 1 and profile.read_text() == before


def test_a_short_stretch_says_how_much_play_is_needed(journal):
    db, profile = journal
    r = tune("--db", db, "--session", 1, "--player", 1, "--client", profile, "--to", 30)
    assert r.returncode == 1
    err = r.stdout + r.stderr
    assert "at least 60 s of play" in err and "Traceback" not in err


def test_plain_messages_for_the_wrong_player_client_or_journal(journal, tmp_path):
    db, profile = journal
    r = tune("--db", db, "--session", 1, "--player", 5, "--client", profile)
    assert r.returncode == 1 and "no client was seated at player 5" in r.stdout + r.stderr
    r = tune("--db", db, "--session", 1, "--player", 2, "--client", profile)   # someone else
    assert r.returncode == 1 and "the journal shows another client" in r.stdout + r.stderr
    r = tune("--db", db, "--session", 1, "--player", 1)     # not in the clients folder
    assert r.returncode == 1 and "give it with --client" in r.stdout + r.stderr
    r = tune("--db", tmp_path / "none.db", "--session", 1, "--player", 1)
    assert r.returncode == 1 and "no journal here" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


def test_the_tremor_demo_gets_one_note_per_meant_touch(tmp_path):
    scenario = CONFIGS / "scenarios" / "tremor.yaml"
    meant = int(re.search(r"; (\d+) touches were meant", scenario.read_text()).group(1))
    sim = subprocess.run(station_command() + ["simulate", str(scenario), "--out",
                                              str(tmp_path), "--text"],
                         capture_output=True, text=True, timeout=120)
    assert sim.returncode == 0, sim.stderr[-2000:]
    r = tune("--db", tmp_path / "station.db", "--session", 1, "--player", 1)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "(lee, " in r.stdout and "Proposed touch: settings: release_grace_ms" in r.stdout
    notes = next(line for line in r.stdout.splitlines() if "notes that sound" in line)
    assert int(notes.split()[-1]) == meant and int(notes.split()[-2]) > 4 * meant
