"""The simulator's output folder: its own earlier results are replaced, nothing else.

``station simulate --out DIR`` writes ``DIR/station.db`` (a journal) and
``DIR/session.wav``. A second run replaces them, but only when they are the simulator's
own: the journal must say ``origin: simulator`` in its meta (journals of the first
releases, without it, count when a ``session.wav`` of ours lies beside them), no running
station may hold a journal lock in DIR, and the WAV must be a WAV. Anything else (a
station's live journal, someone's database, a file that only has the name) is refused
in plain words, and nothing in DIR is touched.
"""

from __future__ import annotations

from pathlib import Path

from station.core.errors import OutputError
from station.core.files import check_output, flock_holder, is_sqlite, private_dir
from station.journal.store import read_meta

JOURNAL = "station.db"
WAV = "session.wav"
WAV_MAGIC = b"RIFF"


def prepare(out_dir: Path) -> tuple[Path, Path]:
    """Check ``out_dir`` and clear the simulator's previous journal; return the journal
    and WAV paths to write. Raises OutputError (nothing deleted) when it is not ours."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputError(f"{out_dir} is not a folder; give --out a folder for the "
                          f"simulator's results.")
    if out_dir.is_dir():
        for lock in sorted(out_dir.glob("*.lock"))[:100]:
            pid = flock_holder(lock)
            if pid is not None:
                raise OutputError(f"{out_dir} holds the journal of a running station "
                                  f"(process {pid or '?'}, lock {lock.name}); the simulator "
                                  f"would replace it. Choose another --out folder.")
    private_dir(out_dir)
    journal, wav = out_dir / JOURNAL, out_dir / WAV
    check_output(wav, "simulator's recording", replace=WAV_MAGIC)
    for suffix in ("-wal", "-shm"):
        side = Path(f"{journal}{suffix}")
        if side.is_symlink() or (side.exists() and not side.is_file()):
            raise OutputError(f"{side} is not a plain file; choose another --out folder.")
    if journal.exists() or journal.is_symlink():
        if journal.is_symlink() or not journal.is_file():
            raise OutputError(f"{journal} is not a plain file; choose another --out folder.")
        if not _simulators(journal, wav):
            raise OutputError(f"{journal} is not a journal the simulator wrote (perhaps a "
                              f"station's journal, or someone's database); the simulator "
                              f"does not replace it. Choose another --out folder.")
        for suffix in ("-wal", "-shm", ""):
            Path(f"{journal}{suffix}").unlink(missing_ok=True)
    return journal, wav


def _simulators(journal: Path, wav: Path) -> bool:
    if not is_sqlite(journal):
        return journal.stat().st_size == 0       # empty: nothing in it to lose
    origin = read_meta(journal, "origin")
    if origin is not None:
        return origin == "simulator"
    return wav.is_file() and check_output(wav, "simulator's recording", replace=WAV_MAGIC) \
        is not None
