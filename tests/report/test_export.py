"""``station export`` as a subprocess: CSV rows and columns, per-client selection, private
files, and MIDI files that re-render the session's audio through real FluidSynth."""

import csv
import io
import os
import stat
import subprocess

import mido
import numpy as np
import pytest
from conftest import CONFIGS, station_command, write

from station.report.export_csv import EVENTS, HEADER
from station.sim.runner import simulate
from station.sim.scenario import load_scenario
from station.sound.analysis import (
    cents,
    first_sound_frame,
    fundamental_hz,
    is_silent,
    midi_to_hz,
)
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import Timbre

GROUP = """\
station: {station}
clients: {{1: alex, 2: sam}}
events:
  - {{at: 1.0, action: touch, board: 0x5A, electrode: 2}}
  - {{at: 1.8, action: release, board: 0x5A, electrode: 2}}
  - {{at: 2.0, action: phase, name: main}}
  - {{at: 2.5, action: touch, board: 0x5B, electrode: 0}}
  - {{at: 2.9, action: release, board: 0x5B, electrode: 0}}
end: 4.0
"""


@pytest.fixture(scope="module")
def group_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("group")
    sc = write(tmp / "g.yaml", GROUP.format(station=CONFIGS / "station.yaml"))
    simulate(load_scenario(sc), tmp / "out")
    return tmp / "out" / "station.db"


def station(*args, cwd=None):
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_csv_has_the_documented_columns_times_and_events(group_db):
    r = station("export", "--format", "csv", "--db", str(group_db))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert tuple(rows[0]) == HEADER == ("session", "t", "player", "role", "client", "board",
                                        "electrode", "pad", "event", "note", "velocity",
                                        "detail")
    assert {row["event"] for row in rows} <= set(EVENTS)
    touch = next(row for row in rows if row["event"] == "touch")
    # the hand lands at 1.0 s: the chip sees it at its next sample, 1 ms later
    assert (touch["t"], touch["player"], touch["role"], touch["board"], touch["electrode"],
            touch["pad"]) == ("1.001000", "1", "client", "0x5A", "2", "2")
    on = next(row for row in rows if row["event"] == "note_on")
    assert on["note"] == "73" and int(on["velocity"]) > 0 and on["t"] == "1.001000"
    assert [row["detail"] for row in rows if row["event"] == "phase"] == ["main"]
    assert all(row["client"].startswith("c-") for row in rows if row["event"] == "touch")
    assert "alex" not in r.stdout.lower() and "sam" not in r.stdout.lower()


def test_export_for_one_client_leaves_the_other_clients_out(group_db, tmp_path):
    out = tmp_path / "exports" / "alex.csv"
    r = station("export", "--db", str(group_db), "--client", "alex", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    rows = list(csv.DictReader(out.open()))
    clients = {row["client"] for row in rows} - {""}
    assert len(clients) == 1 and {row["player"] for row in rows if row["client"]} == {"1"}
    assert any(row["event"] == "phase" for row in rows), "session-wide rows stay"
    by_pseudonym = station("export", "--db", str(group_db), "--client", clients.pop())
    assert by_pseudonym.stdout == out.read_text()


def test_export_errors_are_plain_words(tmp_path, group_db):
    r = station("export", "--db", str(tmp_path / "none.db"))
    assert r.returncode != 0 and "there is no journal here" in r.stderr
    assert "Traceback" not in r.stderr
    r = station("export", "--db", str(group_db), "--session", "99")
    assert r.returncode != 0 and "no session 99" in r.stderr


def test_midi_has_a_track_per_player_on_the_role_channels(tmp_path):
    text = (CONFIGS / "station.yaml").read_text().replace(
        "clients_dir: clients", f"clients_dir: {CONFIGS / 'clients'}").replace(
        "{player: 2, board: 0x5B,", "{player: 2, role: therapist, board: 0x5B,")
    cfg = write(tmp_path / "station.yaml", text)
    sc = write(tmp_path / "g.yaml", GROUP.format(station=cfg))
    simulate(load_scenario(sc), tmp_path / "out")
    r = station("export", "--format", "midi", "--db", str(tmp_path / "out" / "station.db"),
                "-o", str(tmp_path / "midi"))
    assert r.returncode == 0, r.stderr
    mid = mido.MidiFile(tmp_path / "midi" / "session-1.mid")
    names = {t.name: t for t in mid.tracks}
    client = next(t for n, t in names.items() if n.startswith("player 1: client"))
    therapist = next(t for n, t in names.items() if n.startswith("player 2: therapist"))
    assert {m.channel for m in client if m.type == "note_on"} == {0}          # channel 1
    assert {m.channel for m in therapist if m.type == "note_on"} == {1}       # channel 2
    assert any(m.type == "marker" and m.text == "phase: main" for m in mid.tracks[0])
    assert stat.S_IMODE(os.stat(tmp_path / "midi" / "session-1.mid").st_mode) == 0o600


def render_midi(path, sample_rate=48000):
    """Play a MIDI file into real FluidSynth offline; return mono int samples."""
    synth = Synth(find_soundfont(None), sample_rate=sample_rate, gain=0.5)
    out, now, chunks = 0.0, 0, []
    bank = {}
    try:
        for msg in mido.MidiFile(path):           # merged tracks, times in seconds
            out += msg.time
            frames = int(round(out * sample_rate)) - now
            if frames > 0:
                chunks.append(synth.render(frames))
                now += frames
            if msg.type == "control_change" and msg.control == 0:
                bank[msg.channel] = msg.value
            elif msg.type == "program_change":
                synth.set_timbre(msg.channel, Timbre("x", bank.get(msg.channel, 0),
                                                     msg.program))
            elif msg.type == "note_on":
                synth.note_on(msg.channel, msg.note, msg.velocity)
            elif msg.type == "note_off":
                synth.note_off(msg.channel, msg.note)
        chunks.append(synth.render(sample_rate))
    finally:
        synth.close()
    return np.concatenate(chunks)[:, 0]


@pytest.mark.parametrize("pad, midi", [(2, 73), (5, 81)])
def test_a_session_re_renders_from_its_midi_file_with_the_right_pitch(tmp_path, pad, midi):
    sc = write(tmp_path / "one.yaml", f"""\
station: {CONFIGS / 'station.yaml'}
clients: {{1: alex}}
events:
  - {{at: 1.0, action: touch, board: 0x5A, electrode: {pad}}}
  - {{at: 1.8, action: release, board: 0x5A, electrode: {pad}}}
end: 3.0
""")
    simulate(load_scenario(sc), tmp_path / "out")
    r = station("export", "--format", "midi", "--db", str(tmp_path / "out" / "station.db"),
                "-o", str(tmp_path / "one.mid"))
    assert r.returncode == 0, r.stderr
    audio = render_midi(tmp_path / "one.mid")
    rate = 48000
    assert is_silent(audio[:int(0.99 * rate)])
    onset = first_sound_frame(audio) / rate
    assert onset == pytest.approx(1.0, abs=0.01)        # 1 ms ticks + one synth block
    tone = audio[int(1.05 * rate):int(1.75 * rate)]
    assert abs(cents(fundamental_hz(tone, rate), midi_to_hz(midi))) < 20
    assert is_silent(audio[int(2.9 * rate):])


def test_an_older_journals_refused_profile_path_stays_out_of_csv_and_midi(tmp_path):
    """Journals before the consent gate kept ``refused:<path to the profile>``; the CLI's
    CSV and MIDI exports carry only the count of problems."""
    from journal_fixtures import make_journal
    db = make_journal(tmp_path / "old.db", [{"end": 3.0, "events": [
        (0.5, "profile", dict(player=1, client="c-aaaaaaaa",
                              detail="refused:/srv/clients/nora.yaml: 2 problem(s) in it")),
        (1.0, "touch", dict(player=1, client="c-aaaaaaaa", pad=0, board=0x5A,
                            electrode=0))]}])
    for fmt, out in (("csv", tmp_path / "x.csv"), ("midi", tmp_path / "x.mid")):
        done = subprocess.run(station_command() + ["export", "--db", str(db), "--format",
                                                   fmt, "-o", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        data = out.read_bytes()
        assert b"nora" not in data and b".yaml" not in data, fmt
        assert b"refused" in data and b"2 problem" in data, fmt
