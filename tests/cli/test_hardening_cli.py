"""The ``station`` command against bad arguments, as a user runs it: nothing is destroyed,
nothing outside the clients folder is read, nothing big is read whole, and an internal
error leaves its details in a private file nobody could have prepared."""

import hashlib
import os
import resource
import stat
import subprocess
import sys
import tempfile

import pytest
from conftest import CONFIGS, station_command, station_config, write
from journal_fixtures import make_journal, touch

import station.cli as cli


def station(*args, env=None, timeout=120, limit_memory=False):
    def cap():                       # 1 GB of address space: reading 3 GB would fail
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
    return subprocess.run(station_command() + list(args), capture_output=True, text=True,
                          env=env, timeout=timeout, preexec_fn=cap if limit_memory else None)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def journal(tmp_path):
    db = tmp_path / "station.db"
    make_journal(db, [{"end": 5, "events": touch(1.0, 0, 0.3)}])
    return db


@pytest.mark.parametrize("command", [
    ["report", "-o", "{db}"],
    ["report", "-o", "{db}-wal"],
    ["export", "--format", "csv", "-o", "{db}"],
    ["export", "--format", "midi", "-o", "{db}"],
    ["export", "--format", "csv", "-o", "{profile}"],
    ["report", "-o", "{tmp}"],
])
def test_outputs_never_overwrite_the_journal_or_peoples_files(tmp_path, journal, command,
                                                              capsys):
    profile = write(tmp_path / "alex.yaml", "name: Alex\n")
    before = digest(journal), digest(profile)
    args = [a.format(db=journal, profile=profile, tmp=tmp_path) for a in command]
    assert cli.main([*args, "--db", str(journal)]) == 1          # in-process: quick
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "file name" in err or "another place" in err
    assert (digest(journal), digest(profile)) == before


def test_report_and_exports_are_private_and_replace_only_their_own_kind(tmp_path, journal):
    os.umask(0o022)
    out = tmp_path / "new" / "report.html"
    r = station("report", "--db", str(journal), "-o", str(out))
    assert r.returncode == 0, r.stderr
    csv = tmp_path / "new" / "events.csv"
    for _ in range(2):                                  # safe to repeat
        assert station("export", "--db", str(journal), "-o", str(csv)).returncode == 0
    for path in (out, csv):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(out.parent).st_mode) == 0o700
    letter = write(tmp_path / "letter.csv", "Dear Sam\n")
    r = station("export", "--db", str(journal), "-o", str(letter))
    assert r.returncode == 1 and "not a CSV export the station wrote" in r.stderr
    assert letter.read_text() == "Dear Sam\n"


def test_profile_use_takes_an_id_never_a_path(tmp_path):
    cfg = station_config(tmp_path)
    for client in ("/etc/shadow", "../../etc/passwd", "~/alex", "clients/alex"):
        r = station("profile", "use", client, "--player", "1", "--config", str(cfg))
        assert r.returncode == 1, r.stderr               # refused here: no station asked
        assert "is not a client id" in r.stderr and "Traceback" not in r.stderr
        assert "root:" not in r.stderr


def test_a_device_or_a_sparse_giant_is_refused_without_reading_it(tmp_path):
    r = station("simulate", "/dev/zero", "--out", str(tmp_path / "o"), limit_memory=True,
                timeout=60)
    assert r.returncode == 2 and "is not a regular file" in r.stderr
    sparse = tmp_path / "kim.yaml"
    with open(sparse, "wb") as f:
        f.truncate(3 << 30)                              # 3 GB that take no disk
    r = station("profile", "check", str(sparse), limit_memory=True, timeout=60)
    assert r.returncode == 1 and "kim.yaml: is 3.0 GB" in r.stdout + r.stderr
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)                                      # nobody ever writes to it
    r = station("simulate", str(fifo), "--out", str(tmp_path / "o"), timeout=60)
    assert r.returncode == 2 and "is not a regular file" in r.stderr


def test_a_socket_path_on_the_journal_or_a_file_is_refused_and_nothing_deleted(tmp_path):
    journal = tmp_path / "j" / "station.db"
    make_journal(journal, [{"end": 5, "events": touch(1.0, 0, 0.3)}])
    before = digest(journal)
    cfg = station_config(tmp_path, extra="")
    text = cfg.read_text().replace(f"control_socket: {tmp_path / 'station.sock'}",
                                   f"control_socket: {journal}")
    cfg.write_text(text)
    r = station("run", "--config", str(cfg), "--hardware", "sim", "--no-audio", timeout=60)
    assert r.returncode == 3 and "control_socket is the journal" in r.stderr
    notes = write(tmp_path / "notes.txt", "the therapist's notes")
    cfg.write_text(text.replace(f"control_socket: {journal}", f"control_socket: {notes}"))
    r = station("run", "--config", str(cfg), "--hardware", "sim", "--no-audio", timeout=60)
    assert r.returncode == 1 and "is a file, not a socket" in r.stderr
    assert notes.read_text() == "the therapist's notes" and digest(journal) == before


def test_an_internal_error_log_is_private_random_and_never_follows_a_link(tmp_path,
                                                                          monkeypatch,
                                                                          capsys):
    import station.cli.status as status_cli
    victim = write(tmp_path / "victim.txt", "precious")
    # where the old code wrote (a name anyone could predict), a link is waiting
    planted = os.path.join(tempfile.gettempdir(), f"station-error-{os.getpid()}.log")
    if os.path.lexists(planted):
        os.unlink(planted)
    os.symlink(victim, planted)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def bug(args):
        raise RuntimeError("a bug with a secret: c-1234abcd")
    monkeypatch.setattr(status_cli, "main", bug)
    try:
        code = cli.main(["status", "--socket", str(tmp_path / "none.sock")])
    finally:
        os.unlink(planted)
    err = capsys.readouterr().err
    assert code == cli.INTERNAL_ERROR and "Traceback" not in err
    assert victim.read_text() == "precious"
    path = err.split("the details in ")[1].split(".log")[0] + ".log"
    assert os.path.dirname(path) == str(tmp_path / "state" / "station")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode) == 0o700
    assert "RuntimeError" in open(path).read()
    assert os.path.basename(path) != f"station-error-{os.getpid()}.log"


def test_no_traceback_for_a_broken_scenario_station_or_profile_path(tmp_path):
    bad = write(tmp_path / "s.yaml", "station: /dev/zero\nevents:\n  - {at: 1, action: "
                                     "touch, board: 0x5A, electrode: 1}\n")
    r = station("simulate", str(bad), "--out", str(tmp_path / "o"))
    assert r.returncode == 3 and "Traceback" not in r.stderr
    r = station("profile", "check", str(CONFIGS))
    assert r.returncode == 1 and "is a folder" in r.stdout
    assert sys.executable  # the suite's interpreter ran every command above
