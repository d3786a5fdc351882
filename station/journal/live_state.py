"""The live session state, kept on disk so that a restart can resume it.

What a restart must not lose (the session id, the plan and its phase, who sits where,
the turn mode, the backing and its tempo, all-quiet, the master volume) is a small JSON
object (a few hundred bytes) written next to the journal, ``<journal>.live.json``,
owner-only (0600, in the journal's 0700 folder). ``station.service.resume`` says what
goes in it and what is done with it at the next start.

Durability like the journal's: every state is written to a new file, synced, renamed
over the old one and the folder synced, so after ``kill -9`` or a power cut the file is
either the previous state or the new one, never half of one. The writing happens on a
thread of its own (``LiveStateFile.save`` only hands the state over and never blocks),
so a slow SD card never delays a touch; states handed over faster than the disk takes
them are coalesced (only the newest is written). A state is on disk within one disk
sync of being handed over (a few ms to ~50 ms on a Pi's card).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from station.core.errors import OutputError
from station.core.files import open_output, read_limited

log = logging.getLogger("station.journal")
MARK = "live_state"              # the first key: the file is ours (never replace another)
VERSION = 1
MAX_BYTES = 64 * 1024            # a state is ~1 KB; anything bigger is not ours


def state_path(journal: str | Path) -> Path:
    """Where the live state of the journal ``journal`` is kept: beside it."""
    journal = Path(journal)
    return journal.with_name(journal.name + ".live.json")


def load(path: Path) -> dict | None:
    """The saved state, or None (no file, or one that is unreadable or not ours: logged,
    and the station then starts fresh)."""
    if not path.exists():
        return None
    try:
        data = json.loads(read_limited(path, MAX_BYTES, OSError, "live state"))
    except (OSError, ValueError) as exc:
        log.warning("%s: the saved session state cannot be read (%s); starting fresh.",
                    path, exc)
        return None
    if not isinstance(data, dict) or data.get(MARK) != VERSION:
        log.warning("%s: not a session state this station wrote; starting fresh.", path)
        return None
    return data


def encode(state: dict) -> bytes:
    """The file's bytes: ``{"live_state": 1, ...}`` (the mark first, so ``replace``
    recognises our own file)."""
    return json.dumps({MARK: VERSION, **state}, separators=(",", ":"),
                      sort_keys=False).encode()


def write(path: Path, state: dict) -> None:
    """Write ``state`` atomically and durably (synced file, rename, synced folder)."""
    data = encode(state)
    prefix = b'{"' + MARK.encode() + b'"'
    try:
        _write(path, data, prefix)
    except OutputError:
        # Only our own leftover can be in the way (a temporary file of this process id,
        # left by a power cut in an earlier life): remove it and try once more.
        path.with_name(f".{path.name}.{os.getpid()}.tmp").unlink(missing_ok=True)
        _write(path, data, prefix)
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)                 # the rename itself survives a power cut
    finally:
        os.close(fd)


def _write(path: Path, data: bytes, prefix: bytes) -> None:
    with open_output(path, "session state", binary=True, replace=prefix) as f:
        f.write(data)


class LiveStateFile:
    """Writes handed-over states on its own thread, newest only. Idempotent ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._cond = threading.Condition()
        self._next: dict | None = None       # the newest state not yet written
        self._busy = False
        self._closed = False
        self.written = 0                     # states written (status, tests)
        self.error: str | None = None        # the last write's refusal, in words
        self._thread = threading.Thread(target=self._run, name="live-state", daemon=True)
        self._thread.start()

    def save(self, state: dict) -> None:
        """Hand ``state`` over to be written (never blocks, never raises)."""
        with self._cond:
            if self._closed:
                return
            self._next = dict(state)
            self._cond.notify()

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every handed-over state is written (False on timeout)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next is None and not self._busy,
                                       timeout)

    def close(self) -> None:
        """Write what is waiting, then stop the thread."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._next is not None or self._closed)
                state, self._next = self._next, None
                if state is None:                 # closed, nothing left to write
                    return
                self._busy = True
            try:
                write(self.path, state)
                self.written += 1
                if self.error is not None:
                    log.warning("%s: the session state is written again.", self.path)
                self.error = None
            except (OSError, OutputError) as exc:
                if self.error is None:
                    log.error("%s: the session state cannot be written (%s); until it "
                              "can, a restart would not resume the session.", self.path, exc)
                self.error = str(exc)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
