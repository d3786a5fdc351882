"""The master volume (the panel's slider) and all quiet by command, on the real engine."""

import pytest
from conftest import CONFIGS

from station.core.errors import StationError
from station.core.events import NOTE_ON, SUPPRESSED
from station.engine.volume import volume_command
from station.sim.motor_eval import Rig
from station.turns.gate import turn_command

MS = 1_000_000


@pytest.fixture
def rig(tmp_path):
    r = Rig(tmp_path, clients={1: "alex"}, config_path=CONFIGS / "station.yaml")
    yield r
    r.close()


def tap(rig, t_ms, electrode=0):
    rig.at(t_ms * MS)
    rig.world.touch(0x5A, electrode)
    rig.at((t_ms + 100) * MS)
    rig.world.release(0x5A, electrode)
    rig.at((t_ms + 200) * MS)
    return [e for e in rig.events if e.t_ns >= t_ms * MS and e.player == 1
            and e.kind in (NOTE_ON, SUPPRESSED)]


def test_the_master_volume_turns_every_note_down_never_up(rig):
    engine = rig.station.engine
    full = tap(rig, 1000)[0].velocity                       # alex: 100 x 0.6 = 60
    assert volume_command(engine, 0.5) == {"master_volume": 0.5, "max_volume": 0.8}
    assert tap(rig, 2000)[0].velocity == int(full * 0.5)
    volume_command(engine, 0.0)
    silent = tap(rig, 3000)
    assert [(e.kind, e.detail) for e in silent] == [(SUPPRESSED, "volume_zero")]
    for bad in (1.5, -0.1, float("nan"), "loud", True):
        with pytest.raises(StationError, match="only turn the station down"):
            volume_command(engine, bad)
    assert engine.master_volume == 0.0
    volume_command(engine, 1.0)
    assert tap(rig, 4000)[0].velocity == full
    assert engine.status()["master_volume"] == 1.0


def test_all_quiet_and_resume_by_command(rig):
    engine = rig.station.engine
    rig.at(500 * MS)
    answer = turn_command(engine.gate, engine, rig.clock.now_ns(), "quiet")
    assert answer["paused"] and engine.paused
    held = tap(rig, 2000)
    assert [(e.kind, e.detail) for e in held] == [(SUPPRESSED, "all_quiet")]
    assert not turn_command(engine.gate, engine, rig.clock.now_ns(), "resume")["paused"]
    assert tap(rig, 3000)[0].kind == NOTE_ON
    with pytest.raises(StationError, match="quiet, resume"):
        turn_command(engine.gate, engine, rig.clock.now_ns(), "hush")
