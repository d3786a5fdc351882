"""The station's copy of the clinic's shared profiles and plans, and what it wrote where.

The station plays from its clients and plans folders, as always; a shared profile or
plan is *materialised* there as ``NAME.yaml`` (so seating, the panel, the file watcher
and offline play need nothing new). ``Cache`` remembers, per shared text, the version
the station holds and a SHA-256 of the bytes it wrote (``shared.json`` in the station's
private clinic folder, 0600 in 0700, with a copy of each text under ``texts/``). That
record is what keeps people's work safe:

* a file the station wrote and nobody changed since (its hash is the recorded one) may
  be replaced by a newer shared version;
* a tracked file whose bytes changed was edited here: it is published, never replaced;
* a file the station did not write is never replaced: if its text is the shared one it
  is adopted (tracked from then on), otherwise it is *held* and status says so.

The record is read and written under a lock file, so the daemon's replicator, its panel
and a ``station clinic ... publish`` in another process take turns.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path

from station.core.files import private_dir, read_limited, write_private

STATE_FILE = "shared.json"
FORMAT = "station clinic shared cache 1"
PREFIX = b'{"format": "' + FORMAT.encode() + b'"'
MAX_TEXT = 1024 * 1024


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_text(path: Path) -> bytes | None:
    """A file's bytes (None when missing or unreadable as a plain file)."""
    try:
        return read_limited(path, MAX_TEXT, OSError, "shared text")
    except OSError:
        return None


class Cache:
    """The record of one station (``folder``: its private clinic folder; ``dirs``: kind
    -> the folder the station plays that kind from)."""

    def __init__(self, folder: Path, dirs: dict[str, Path]) -> None:
        self.folder = Path(folder)
        self.dirs = {k: Path(v) for k, v in dirs.items()}

    def path(self, kind: str, name: str) -> Path:
        return self.dirs[kind] / f"{name}.yaml"

    @contextmanager
    def locked(self):
        """The record (a dict, ``items`` keyed ``kind/name``), saved on leaving if
        changed; other holders wait."""
        private_dir(self.folder)
        with open(self.folder / ".shared.lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = self._load()
            before = json.dumps(state, sort_keys=True)
            yield state
            if json.dumps(state, sort_keys=True) != before:
                self._save(state)

    def _load(self) -> dict:
        data = read_text(self.folder / STATE_FILE)
        state = {}
        if data and data.startswith(PREFIX):
            try:
                state = json.loads(data)
            except ValueError:
                state = {}
        state.setdefault("seen", 0)
        state.setdefault("items", {})
        return state

    def _save(self, state: dict) -> None:
        state = {"format": FORMAT, **{k: v for k, v in state.items() if k != "format"}}
        write_private(self.folder / STATE_FILE, json.dumps(state),
                      "clinic shared cache", replace=PREFIX)

    def keep_copy(self, kind: str, name: str, version: int, body: str) -> None:
        """The text of ``version`` in the private folder (what the station last held)."""
        write_private(private_dir(private_dir(self.folder / "texts") / kind)
                      / f"{name}.txt", body, "clinic shared text")

    def write_file(self, kind: str, name: str, body: str, item: dict | None) -> str:
        """Put ``body`` in place as the station's own file, if allowed; return what
        happened: 'created' (a new file), 'written' (our own file replaced), 'same'
        (already that text) or 'held' (not ours, kept)."""
        path = self.path(kind, name)
        data = body.encode("utf-8")
        local = read_text(path)
        if local == data:
            return "same"
        if path.is_symlink() or (local is not None and (
                item is None or digest(local) != item.get("sha"))) \
                or (local is None and path.exists()):
            return "held"
        folder = path.parent
        if not folder.exists():
            private_dir(folder)
        tmp = folder / f".{name}.yaml.{os.getpid()}.clinic"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            if local is None:
                os.link(tmp, path)        # fails if a file appeared meanwhile: no clobber
                tmp.unlink()
            else:
                os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return "created" if local is None else "written"


def status(cache: Cache) -> dict:
    """For status and the panel: shared texts held, held back (with why), in conflict."""
    with cache.locked() as state:
        items = state["items"]
    held = sorted(k for k, v in items.items() if v.get("held"))
    conflicts = {k: {x: v["conflict"][x] for x in ("version", "by")}
                 for k, v in items.items() if v.get("conflict")}
    return {"shared": len(items), "held": held, "conflicts": conflicts}
