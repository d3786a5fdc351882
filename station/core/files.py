"""Private files: health data is written owner-only (0600 files in 0700 folders).

Every file the station writes that holds or derives from the journal goes through here,
so the permission rule lives in one place.
"""

from __future__ import annotations

import os
from pathlib import Path


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
