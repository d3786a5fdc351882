"""The live session state on disk: written whole or not at all, owner-only, newest only,
never over a file the station did not write, and read back only when it is ours."""

import json
import os

from station.journal import live_state
from station.journal.live_state import LiveStateFile, load, state_path, write


def test_the_state_lives_beside_the_journal(tmp_path):
    assert state_path(tmp_path / "j" / "station.db") == tmp_path / "j" / "station.db.live.json"


def test_a_state_is_written_privately_and_read_back(tmp_path):
    path = tmp_path / "j" / "station.db.live.json"
    write(path, {"session": {"id": 4}, "master_volume": 0.5})
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert load(path) == {"live_state": 1, "session": {"id": 4}, "master_volume": 0.5}
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_no_file_a_broken_file_or_someone_elses_is_no_state(tmp_path):
    path = tmp_path / "s.live.json"
    assert load(path) is None
    path.write_text('{"live_state": 1, "sess')        # cut short (never by us: renamed whole)
    assert load(path) is None
    path.write_text(json.dumps({"session": {"id": 1}}))
    assert load(path) is None


def test_a_file_that_is_not_ours_is_never_replaced(tmp_path):
    path = tmp_path / "s.live.json"
    path.write_text('{"mine": "a therapist\'s notes"}')
    f = LiveStateFile(path)
    try:
        f.save({"session": None})
        assert f.flush()
        assert f.written == 0 and f.error and "does not overwrite it" in f.error
    finally:
        f.close()
    assert path.read_text() == '{"mine": "a therapist\'s notes"}'


def test_a_leftover_temporary_file_of_ours_does_not_block_writing(tmp_path):
    path = tmp_path / "s.live.json"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text("half a state, from a power cut")
    write(path, {"session": None})
    assert load(path)["session"] is None and not tmp.exists()


def test_states_handed_over_quickly_are_coalesced_and_the_newest_is_kept(tmp_path):
    path = tmp_path / "s.live.json"
    f = LiveStateFile(path)
    try:
        for i in range(200):
            f.save({"master_volume": i / 200})
        assert f.flush()
        assert 1 <= f.written <= 200
        assert load(path)["master_volume"] == 199 / 200
        f.save({"master_volume": 1.0})
    finally:
        f.close()                                  # what was handed over is written first
    assert load(path)["master_volume"] == 1.0
    f.save({"master_volume": 0.0})                 # after close: ignored, never raises
    assert load(path)["master_volume"] == 1.0


def test_the_mark_comes_first_so_our_own_file_is_recognised(tmp_path):
    assert live_state.encode({"a": 1}).startswith(b'{"live_state":1')
