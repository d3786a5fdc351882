"""Private files: modes, and outputs that refuse to destroy a journal or a non-file."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from station.core.errors import OutputError
from station.core.files import check_output, private_dir, write_private


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
