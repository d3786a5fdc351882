"""Private files: health data is written owner-only (0600 files in 0700 folders), and
nothing the station did not make is ever destroyed or read without a limit.

Every file the station writes goes through here, so the permission rule, the "never
destroy what is not ours" rule and the "never read without a limit" rule live in one
place:

- ``open_private(path)`` creates a file (and its folder) owner-only, or makes an existing
  one owner-only (the journal opens through it);
- ``check_output(path, what, replace=...)`` refuses an output path that would destroy
  something the station must keep: a SQLite file (a journal), its ``-wal``/``-shm``/
  ``-journal``/``.lock`` side files, a YAML file (configs, profiles, songs: the
  therapist's), a folder, a symlink or a special file; with ``replace=b"prefix"`` an
  existing file is replaced only when it starts with that prefix (our own earlier
  output of the same kind), with ``replace=False`` never;
- ``open_output(path, ...)`` checks, then yields a new 0600 file created with
  O_EXCL|O_NOFOLLOW beside the target; on success it is synced and renamed over it
  (with ``replace=False``, hard-linked into place, which fails if anything is there);
  a new output of a kind people may later edit (a saved song, a profile template) is
  ``write_private(path, text, "song", replace=False)``;
- ``write_private(path, data, ...)`` is ``open_output`` for data already in memory;
- ``read_limited(path, limit, error, what)`` reads a regular file of at most ``limit``
  bytes: special files (FIFOs, devices such as /dev/zero) and bigger files (sparse ones
  included) are refused before a byte is read;
- ``flock_holder(path)`` says which process holds a lock file (a running daemon's
  journal lock), without creating it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
from pathlib import Path
from collections.abc import Iterator
from typing import IO

from station.core.errors import OutputError

SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal", ".lock")
KEPT_SUFFIXES = (".yaml", ".yml")      # configs, profiles, scenarios, songs: people's work


def private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 folders; return it.

    An existing folder keeps its mode: it may be someone else's (a home folder)."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    return path


def open_private(path: Path) -> None:
    """Create ``path``'s folder (0700) and the file itself (0600) if missing."""
    path = Path(path)
    private_dir(path.parent)
    # Private whatever the umask; the -wal/-shm side files inherit the main file's mode.
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise OSError(f"{path} is not a plain file")
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
    os.chmod(path, 0o600)


def is_sqlite(path: str | Path) -> bool:
    """True when ``path`` is a regular file that starts with SQLite's header."""
    return _starts_with(path, SQLITE_MAGIC)


@contextlib.contextmanager
def _regular(path: str | Path) -> Iterator[int | None]:
    """An fd of ``path`` opened for reading if it is a regular file (never a link, never
    blocking on a FIFO), else None."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        yield fd if stat.S_ISREG(os.fstat(fd).st_mode) else None
    finally:
        os.close(fd)


def _starts_with(path: str | Path, prefix: bytes) -> bool:
    with _regular(path) as fd:
        return fd is not None and os.pread(fd, len(prefix), 0) == prefix


def check_ours(path: str | Path, mark: str, *, force: bool, not_ours: str,
               earlier: str) -> Path:
    """``path`` if nothing is there, or a file of ours (it starts with ``mark``) that
    ``force`` lets us replace; else OutputError: "PATH already exists" and ``not_ours``
    (what to do) or ``earlier`` (ours: how to replace it). Checked before long work, so a
    refusal comes at once; ``write_private(..., replace=mark)`` checks again when writing."""
    path = Path(path)
    if not (path.exists() or path.is_symlink()):
        return path
    if not _starts_with(path, mark.encode()):
        raise OutputError(f"{path} already exists and {not_ours}")
    if not force:
        raise OutputError(f"{path} already exists ({earlier})")
    return path


def check_output(path: str | Path, what: str = "output", *,
                 replace: bool | bytes = True) -> Path:
    """Refuse an output path that would destroy a journal, people's files or a non-file.

    ``replace``: True, an existing plain file may be replaced; False, never; bytes, only
    a file that starts with them (the station's own earlier output of this kind).
    Returns the path. Raises OutputError in plain words (what, where, what to do).
    """
    path = Path(path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        above = next((p for p in path.parents if os.path.lexists(p)), None)
        raise OutputError(f"{above} is a file, not a folder; choose another place for the "
                          f"{what}.") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be checked ({exc.strerror}); choose another "
                          f"place for the {what}.") from None
    for side in SIDE_FILES:
        base = path.with_name(path.name[:-len(side)]) if path.name.endswith(side) else None
        if base is not None and base.name and (is_sqlite(base) or flock_holder(path)):
            raise OutputError(f"{path} belongs to the database {base}; choose another "
                              f"file name for the {what}.")
    if st is None:
        return path
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
    if path.suffix.lower() in KEPT_SUFFIXES and replace is not False \
            and not (isinstance(replace, bytes) and _starts_with(path, replace)):
        raise OutputError(f"{path} is a YAML file (a config, profile, scenario or song); "
                          f"the {what} would overwrite it. Choose another file name.")
    if replace is False or (isinstance(replace, bytes) and not _starts_with(path, replace)):
        kind = "is already there" if replace is False else f"is not a {what} the station wrote"
        raise OutputError(f"{path} {kind}; the station does not overwrite it. Choose "
                          f"another file name, or move that file away first.")
    return path


@contextlib.contextmanager
def open_output(path: str | Path, what: str = "output", *, binary: bool = False,
                replace: bool | bytes = True) -> Iterator[IO]:
    """Yield a file to write the ``what`` into; it replaces ``path`` only on success.

    The file is created 0600 with O_EXCL|O_NOFOLLOW next to ``path`` (a name nobody can
    have prepared as a link), synced, then renamed over ``path``; its folder is made
    0700 when new. ``check_output(path, what, replace=replace)`` runs first.
    """
    path = check_output(path, what, replace=replace)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        private_dir(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
    except FileExistsError:
        raise OutputError(f"{tmp} is in the way (left by another run?); remove it and try "
                          f"again.") from None
    except OSError as exc:
        raise OutputError(f"{path}: the {what} cannot be written there ({exc.strerror}). "
                          f"Choose a folder you can write to.") from None
    try:
        with (os.fdopen(fd, "wb") if binary else
              os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        if replace is False:
            os.link(tmp, path)       # fails if anything appeared there meanwhile: no clobber
            tmp.unlink()
        else:
            check_output(path, what, replace=replace)   # nothing else appeared meanwhile
            os.replace(tmp, path)
    except FileExistsError:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{path} is already there; the station does not overwrite it. "
                          f"Choose another file name.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_private(path: str | Path, data: bytes | str, what: str = "output", *,
                  replace: bool | bytes = True) -> Path:
    """Write ``data`` to ``path`` owner-only and atomically (see ``open_output``)."""
    payload = data.encode() if isinstance(data, str) else bytes(data)
    with open_output(path, what, binary=True, replace=replace) as f:
        f.write(payload)
    return Path(path)


def read_limited(path: str | Path, limit: int, error: type[Exception],
                 what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, refusing one larger than ``limit`` bytes.

    Never blocks on a FIFO, never reads a device (/dev/zero) or a sparse giant: the type
    and size are checked on the open file before reading, and the read stops at
    ``limit + 1`` bytes whatever the file does meanwhile. Raises ``error(message)``.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise error(f"{path}: no such {what}. Check the name and the folder.") from None
    except IsADirectoryError:
        raise error(f"{path}: is a folder, not a {_file(what)}.") from None
    except OSError as exc:
        if exc.errno == errno.ENXIO:     # a FIFO or socket nobody writes to
            raise error(f"{path}: is not a regular file; give the {_file(what)} itself.") \
                from None
        raise error(f"{path}: cannot be read ({exc.strerror}).") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise error(f"{path}: is a folder, not a {_file(what)}.")
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{path}: is not a regular file (a device, pipe or socket); give "
                        f"the {_file(what)} itself.")
        if st.st_size > limit:
            raise error(f"{path}: is {_size(st.st_size)}; a {what} must be under "
                        f"{_size(limit)}. Is this the right file?")
        chunks, left = [], limit + 1
        while left > 0:
            try:
                chunk = os.read(fd, min(left, 1 << 16))
            except OSError as exc:
                raise error(f"{path}: cannot be read ({exc.strerror}).") from None
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:            # it grew while we read
            raise error(f"{path}: is more than {_size(limit)}; a {what} must be under "
                        f"{_size(limit)}. Is this the right file?")
        return data
    finally:
        os.close(fd)


def _file(what: str) -> str:
    return what if what.endswith("file") else f"{what} file"


def _size(n: int) -> str:
    if n >= 1 << 30:
        return f"{n / (1 << 30):.1f} GB"
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MB"
    return f"{n // 1024} KB"


def flock_holder(path: str | Path) -> int | None:
    """The pid written in the lock file ``path`` if a process holds its ``flock``
    (0 when the pid cannot be read), else None. Never creates the file."""
    with _regular(path) as fd:
        if fd is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
