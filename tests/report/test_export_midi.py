"""MIDI export read back with mido: the group demo's players each on their own channel
with their own instrument; the demo's swap as a new track whose program change comes at
the swap's time; the Music Therapy Toolbox layout."""

import subprocess

import mido
import pytest
from conftest import CONFIGS, station_command

from station.config.profile import load_profile
from station.config.station import load_config
from station.sim.runner import simulate
from station.sim.scenario import load_scenario


def export(db, out, *extra):
    r = subprocess.run(station_command() + ["export", "--format", "midi", "--db", str(db),
                                            "-o", str(out), *extra],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return mido.MidiFile(out)


def tracks(mid):
    return {t.name: t for t in mid.tracks[1:]}


def absolute(track):
    t, out = 0, []
    for m in track:
        t += m.time
        out.append((t, m))
    return out


@pytest.fixture(scope="module")
def group_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("group")
    simulate(load_scenario(CONFIGS / "scenarios" / "group.yaml"), out)
    return out / "station.db"


def test_group_demo_players_on_their_own_channels_with_their_programs(group_db, tmp_path):
    scenario = load_scenario(CONFIGS / "scenarios" / "group.yaml")
    config = load_config(scenario.station)
    mid = export(group_db, tmp_path / "g.mid")
    by_player = {int(name.split(":")[0].split()[1]): t for name, t in tracks(mid).items()
                 if name.startswith("player")}
    assert sorted(by_player) == [p.player for p in config.players]
    for p in config.players:
        track = by_player[p.player]
        client = scenario.clients.get(p.player, p.client)
        timbre = load_profile(client, config.clients_dir).timbre()
        notes = {m.channel for m in track if m.type == "note_on"}
        programs = [m for m in track if m.type == "program_change"]
        assert programs and programs[0].program == timbre.program, (p.player, client)
        expected = 9 if timbre.percussion else p.channel
        assert notes == {expected} and programs[0].channel == expected


def test_a_swap_is_a_new_track_with_its_program_change_at_its_time(tmp_path):
    simulate(load_scenario(CONFIGS / "scenarios" / "demo.yaml"), tmp_path / "demo")
    mid = export(tmp_path / "demo" / "station.db", tmp_path / "d.mid")
    player2 = [t for name, t in tracks(mid).items() if name.startswith("player 2")]
    assert len(player2) == 2                   # sam, then jo (the swap at 25.5 s)
    clients = {c: load_profile(c, CONFIGS / "clients").timbre() for c in ("sam", "jo")}
    first, second = sorted(player2, key=lambda t: absolute(t)[1][0])
    (t_sam, pc_sam), = [(t, m) for t, m in absolute(first) if m.type == "program_change"]
    (t_jo, pc_jo), = [(t, m) for t, m in absolute(second) if m.type == "program_change"]
    assert pc_sam.program == clients["sam"].program and pc_jo.program == clients["jo"].program
    assert t_sam == 0 and t_jo == pytest.approx(25_500, abs=5)     # ticks are milliseconds
    assert {m.channel for m in second if m.type == "note_on"} == {1}
    assert min(t for t, m in absolute(second) if m.type == "note_on") > t_jo
    markers = [m.text for m in mid.tracks[0] if m.type == "marker"]
    assert any(text.startswith("fault: ") for text in markers)


def test_toolbox_layout_has_client_and_therapist_tracks(group_db, tmp_path):
    mid = export(group_db, tmp_path / "t.mid", "--midi-layout", "toolbox")
    names = tracks(mid)
    assert set(names) == {"client", "therapist"}
    assert {m.channel for m in names["client"] if m.type == "note_on"} == {0}
    assert {m.channel for m in names["therapist"] if m.type == "note_on"} == {1}
