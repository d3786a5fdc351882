"""Private files: health data is written owner-only (0600 files in 0700 folders).

Every file the station writes that holds or derives from the journal goes through here,
so the permission rule and the "never destroy what is not ours" rule live in one place:

- ``open_private(path)`` creates a file (and its folder) owner-only, or makes an existing
  one owner-only (the journal opens through it);
- ``check_output(path)`` refuses an output path that would destroy something the station
  must keep: a SQLite file (a journal), its ``-wal``/``-shm``/``-journal`` side files, a
  folder, a symlink or a special file;
- ``write_private(path, data)`` checks, then writes atomically (a new 0600 file created
  with O_EXCL|O_NOFOLLOW beside the target, synced, renamed over it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from station.core.errors import OutputError

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; return it."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    return path


def open_private(path: Path) -> None:
    """Create ``path``'s folder (0700) and the file itself (0600) if missing."""
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    # Private whatever the umask; the -wal/-shm side files inherit the main file's mode.
    if path.exists() and not path.is_file():
        raise OSError(f"{path} is not a file")
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


def is_sqlite(path: str | Path) -> bool:
    """True when ``path`` is a regular file that starts with SQLite's header."""
    try:
        with open(path, "rb") as f:
            return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def check_output(path: str | Path, what: str = "output") -> Path:
    """Refuse an output path that would destroy a journal or anything not a plain file.

    Returns the path. Raises OutputError in plain words (what, where, what to do).
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise OutputError(f"{path} is a symbolic link; the {what} is not written through "
                              f"links. Choose another file name.")
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"{path} is a folder; give a file name for the {what}.")
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{path} is not a regular file; choose another name for the "
                              f"{what}.")
        if is_sqlite(path):
            raise OutputError(f"{path} is a database (perhaps a journal); the {what} would "
                              f"overwrite it. Choose another file name.")
    for side in SIDE_FILES:
        if path.name.endswith(side) and is_sqlite(path.with_name(path.name[:-len(side)])):
            raise OutputError(f"{path} belongs to the database "
                              f"{path.with_name(path.name[:-len(side)])}; choose another "
                              f"file name for the {what}.")
    return path


def write_private(path: str | Path, data: bytes | str, what: str = "output") -> Path:
    """Write ``data`` to ``path`` owner-only and atomically, after ``check_output``."""
    path = check_output(path, what)
    private_dir(path.parent)
    payload = data.encode() if isinstance(data, str) else bytes(data)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
