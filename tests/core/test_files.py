"""Private files: modes, and outputs that refuse to destroy a journal or a non-file."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from station.core.errors import OutputError
from station.core.files import (
    check_output,
    flock_holder,
    open_output,
    private_dir,
    read_limited,
    write_private,
)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_write_private_is_owner_only_in_an_owner_only_folder(tmp_path):
    out = write_private(tmp_path / "new" / "report.html", "<p>ok</p>")
    assert out.read_text() == "<p>ok</p>"
    assert mode(out) == 0o600 and mode(out.parent) == 0o700
    write_private(out, b"again")                       # our own output: replaced
    assert out.read_bytes() == b"again" and mode(out) == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]   # no temp left


def test_an_existing_file_of_others_keeps_its_folder_mode(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    private_dir(folder)
    assert mode(folder) == 0o755                        # not ours: left as it was


def test_outputs_refuse_a_journal_its_side_files_links_and_folders(tmp_path):
    db = tmp_path / "station.db"
    sqlite3.connect(db).execute("CREATE TABLE t(x)").connection.commit()
    (tmp_path / "station.db-wal").write_bytes(b"")
    (tmp_path / "link.html").symlink_to(tmp_path / "elsewhere.html")
    for bad, words in [(db, "database"), (tmp_path / "station.db-wal", "belongs to"),
                       (tmp_path / "link.html", "symbolic link"), (tmp_path, "folder"),
                       (os.devnull, "not a regular file")]:
        with pytest.raises(OutputError, match=words):
            write_private(bad, "x")
    assert db.read_bytes().startswith(b"SQLite format 3")
    assert check_output(tmp_path / "fine.csv") == tmp_path / "fine.csv"


def test_existing_outputs_are_replaced_only_when_they_are_the_same_kind(tmp_path):
    report = write_private(tmp_path / "report.html", "<!DOCTYPE html>\n<p>1</p>",
                           replace=b"<!DOCTYPE html>")
    write_private(report, "<!DOCTYPE html>\n<p>2</p>", replace=b"<!DOCTYPE html>")
    letter = tmp_path / "letter.html"
    letter.write_text("Dear Sam, ...")
    with pytest.raises(OutputError, match="not a report the station wrote"):
        write_private(letter, "<!DOCTYPE html>", "report", replace=b"<!DOCTYPE html>")
    assert letter.read_text() == "Dear Sam, ..."
    with pytest.raises(OutputError, match="already there"):
        write_private(report, "x", "song", replace=False)
    profile = tmp_path / "alex.yaml"
    profile.write_text("name: Alex\n")
    with pytest.raises(OutputError, match="YAML file"):
        write_private(profile, "x")                      # people's files are never outputs
    assert profile.read_text() == "name: Alex\n"


def test_a_live_journals_lock_file_is_never_an_output(tmp_path):
    import fcntl
    lock = tmp_path / "station.db.lock"
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    os.write(fd, b"4242\n")
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        assert flock_holder(lock) == 4242
        with pytest.raises(OutputError, match="belongs to the database"):
            write_private(lock, "x")
    finally:
        os.close(fd)
    assert flock_holder(lock) is None and flock_holder(tmp_path / "none.lock") is None


def test_open_output_leaves_nothing_behind_when_writing_fails(tmp_path):
    target = tmp_path / "export.csv"
    with pytest.raises(RuntimeError):
        with open_output(target, "CSV export") as f:
            f.write("session,t\n")
            raise RuntimeError("the journal broke mid-way")
    assert list(tmp_path.iterdir()) == []                 # neither the file nor a temp


@pytest.mark.parametrize("kind", ["fifo", "device", "sparse", "folder", "growing"])
def test_read_limited_refuses_before_reading_anything_big_or_special(tmp_path, kind):
    from station.core.errors import ProfileError
    path = tmp_path / "alex.yaml"
    if kind == "fifo":
        os.mkfifo(path)                                   # would block a plain open()
    elif kind == "device":
        path = "/dev/zero"                                # would never end
    elif kind == "sparse":
        with open(path, "wb") as f:
            f.truncate(3 << 30)                           # 3 GB of nothing, no disk used
    elif kind == "folder":
        path.mkdir()
    else:
        path.write_bytes(b"x" * 2000)
    limit = 1000
    with pytest.raises(ProfileError) as e:
        read_limited(path, limit, ProfileError, "client profile")
    assert str(path) in str(e.value) and "Traceback" not in str(e.value)
    if kind == "sparse":
        assert "3.0 GB" in str(e.value)
    assert read_limited(__file__, 1 << 20, ProfileError) == open(__file__, "rb").read()
