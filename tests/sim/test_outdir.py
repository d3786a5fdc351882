"""``station simulate --out DIR`` replaces only its own earlier results: never a station's
journal (live or not), someone's database or a file in the way; its files are private."""

import fcntl
import hashlib
import os
import sqlite3
import stat

import pytest
from conftest import CONFIGS, write

from station.core.errors import OutputError
from station.journal.writer import Journal
from station.sim.runner import simulate
from station.sim.scenario import load_scenario

SHORT = f"""\
station: {CONFIGS / 'station.yaml'}
clients: {{1: alex}}
events:
  - {{at: 0.2, action: touch, board: 0x5A, electrode: 1}}
  - {{at: 0.4, action: release, board: 0x5A, electrode: 1}}
end: 0.6
"""


def scenario(tmp_path):
    return load_scenario(write(tmp_path / "short.yaml", SHORT))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_rerun_replaces_its_own_results_privately_even_in_an_existing_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir(mode=0o755)
    os.umask(0o022)
    simulate(scenario(tmp_path), out)
    first = digest(out / "station.db")
    simulate(scenario(tmp_path), out)                  # safe to repeat
    assert digest(out / "station.db") != first
    for name in ("session.wav", "station.db"):
        assert mode(out / name) == 0o600, name         # health data, whatever the umask
    conn = sqlite3.connect(out / "station.db")
    assert conn.execute("SELECT value FROM meta WHERE key='origin'").fetchone()[0] == \
        "simulator"


def test_a_stations_journal_in_the_folder_is_never_replaced(tmp_path):
    out = tmp_path / "var"
    j = Journal(out / "station.db", station="room-1")   # a station's own journal
    j.start_session(0, [(1, "client")])
    j.close()
    before = digest(out / "station.db")
    with pytest.raises(OutputError, match="is not a journal the simulator wrote"):
        simulate(scenario(tmp_path), out)
    assert digest(out / "station.db") == before and not (out / "session.wav").exists()


def test_a_folder_holding_a_running_stations_journal_is_refused(tmp_path):
    out = tmp_path / "live"
    simulate(scenario(tmp_path), out)                  # even a simulator's journal ...
    fd = os.open(out / "station.db.lock", os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"4321\n")
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)     # ... while a station runs on it
    try:
        before = digest(out / "station.db")
        with pytest.raises(OutputError, match=r"running station \(process 4321"):
            simulate(scenario(tmp_path), out)
        assert digest(out / "station.db") == before
    finally:
        os.close(fd)


@pytest.mark.parametrize("what", ["database", "link", "text"])
def test_other_files_named_like_results_are_left_alone(tmp_path, what):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    if what == "database":
        sqlite3.connect(out / "station.db").execute("CREATE TABLE budget(x)").connection \
            .commit()
    elif what == "link":
        (out / "session.wav").symlink_to(victim)
    else:
        (out / "session.wav").write_text("minutes of a meeting")
    with pytest.raises(OutputError):
        simulate(scenario(tmp_path), out)
    assert victim.read_text() == "keep me"
    if what == "text":
        assert (out / "session.wav").read_text() == "minutes of a meeting"
