"""Where the control socket may be made: a private folder, and no other station there.

``private_folder`` makes the socket's folder 0700 when missing and refuses one that another
user could write or owns (a fixed name in a shared folder such as /tmp can be taken by
someone else first: they could then put their own socket in its place).
``refuse_if_running`` and ``clear_stale_socket`` keep one daemon per socket and never
remove anything but a socket nobody answers on.
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

from station.core.errors import StationError


def private_folder(folder: Path) -> None:
    """Make the socket's folder (0700) if missing; refuse one that others could write (a
    name in a shared folder that another user made first: they could swap the socket)."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
    st = os.lstat(folder)
    if not stat.S_ISDIR(st.st_mode):
        raise NotADirectoryError(20, "not a folder")
    others_write = st.st_mode & stat.S_IWOTH and not st.st_mode & stat.S_ISVTX
    if others_write or st.st_uid not in (os.getuid(), 0):
        why = ", others can write it" if others_write else ""
        raise StationError(f"the control socket's folder {folder} is not the station's own "
                           f"(owner uid {st.st_uid}{why}); another user could "
                           f"take the socket's place. Set 'control_socket:' in the station "
                           f"config to a path in a folder of the station's user, or remove "
                           f"that folder if nobody uses it.")


def clear_stale_socket(path: Path) -> None:
    """Make way for a new control socket at ``path``: refuse if a daemon answers there or
    if it is not a socket (a journal, a folder, a link: never the station's to remove);
    remove a socket nobody answers (left by a crash)."""
    if refuse_if_running(path):
        Path(path).unlink(missing_ok=True)


def refuse_if_running(path: Path) -> bool:
    """Raise if a daemon already answers on ``path`` (a second one would fight it) or if
    ``path`` is not a socket; return True when a stale socket is there."""
    path = Path(path)
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):   # nothing there (start says the rest)
        return False
    if not stat.S_ISSOCK(st.st_mode):
        kind = ("a folder" if stat.S_ISDIR(st.st_mode) else "a symbolic link"
                if stat.S_ISLNK(st.st_mode) else "a file")
        raise StationError(f"the control socket path {path} is {kind}, not a socket; the "
                           f"station does not remove it. Set 'control_socket:' in the station "
                           f"config to a free path (e.g. /run/station/station.sock).")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(str(path))
    except (TimeoutError, BlockingIOError):
        pass                                    # a full backlog: somebody is listening
    except OSError:
        return True                             # stale socket: nobody is listening
    finally:
        s.close()
    raise StationError(f"another station is already running (its control socket is {path}). "
                       f"Stop it first (systemctl stop station, or Ctrl-C in its terminal).")
