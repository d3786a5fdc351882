"""Changing a client profile's common settings from the panel, keeping the therapist's file.

``edit_profile(path, changes, version)`` sets a few keys (``EDITABLE``, declared in
``profile_keys``: timbre, volume, key, scale, sensitivity, dwell, release grace,
retrigger) in the YAML file and nothing else: comments, key order, flow style, quoting
and layout survive. ``accept_tuning`` writes a tuning proposal's ``touch:`` settings
(``TUNABLE``) the same way; ``edited`` is the edit alone (``station profile tune --out``).
The new text is checked with the station's own profile parser *before* anything is
written; a refused change leaves the file untouched and raises ``ProfileError`` with
every problem. A written change:

* refuses to overwrite an edit made meanwhile (``version`` is the one the panel showed,
  the first 12 hex digits of the file's SHA-256, as ``Profile.version``);
* keeps the previous version beside the file as ``<id>.yaml.bak`` (one step back: the
  therapist's own file is never lost to a panel edit);
* is atomic: a new file under a name of its own in the same folder (the file's owner,
  group and mode), synced, renamed over (in place when the station may not give a new
  file that owner);
* touches only the text of the values it changes (``station.config.profile_text``):
  indentation, wrapped lines, comments and flow style stay byte for byte;
* waits for any other edit of the same folder (a lock), so two tablets saving the same
  version cannot both win: the second gets ``ProfileChanged`` with what the file now has.

A seated client's file is watched by the station (``station.engine.swaps``), so the
change plays within half a second, as a hand edit does.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from pathlib import Path

from station.config.profile import Profile, parse_profile
from station.config.profile_keys import EDITABLE_KEYS
from station.config.profile_text import edited_text
from station.core.errors import ProfileError, StationError
from station.core.files import read_limited
from station.core.yamlfile import MAX_BYTES, parse_yaml

# name -> (section, key, what it is in words), from the one declaration (profile_keys)
EDITABLE: dict[str, tuple[str, str, str]] = {k.name: (k.section, k.key, k.what)
                                             for k in EDITABLE_KEYS}
# what a tuning proposal (station profile tune) may write into touch:, and its type
TUNABLE: dict[str, type] = {"dwell_ms": int, "release_grace_ms": int, "retrigger_ms": int,
                            "resting_guard": bool}
BACKUP_SUFFIX = ".bak"


class ProfileChanged(StationError, RuntimeError):
    """The file changed on disk since the panel showed it (someone else edited it).
    ``current``: the settings the refused edit meant to change, as the file now has them;
    ``version``: the file's version now (to edit again from)."""

    def __init__(self, path: Path, raw: bytes, data: dict,
                 targets: list[tuple[str, str, str]]) -> None:
        self.version = file_version(raw)
        self.current = {}
        for name, section, key in targets:          # (name, section, key) of each change
            values = data.get(section) if isinstance(data.get(section), dict) else {}
            self.current[name] = values.get(key)
        now = ", ".join(f"{name} {value}" for name, value in self.current.items())
        super().__init__(f"{path.name} was changed by someone else since you opened it; "
                         f"nothing was saved. It now has: {now}. Open it again and redo "
                         f"your change.")


def file_version(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:12]


def check_changes(changes: object) -> dict:
    """Plain-words checks of the *shape* of ``changes`` (the profile parser checks values)."""
    if not isinstance(changes, dict) or not changes:
        raise ProfileError("say what to change, like {\"volume\": 0.5}.")
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ProfileError(f"'{name}' cannot be changed here; the panel changes "
                               f"{', '.join(EDITABLE)}. Edit the file for the rest.")
        what = EDITABLE[name][2]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ProfileError(f"{name} must be {what}, not {value!r}.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ProfileError(f"{name} must be a real number, not {value}.")
        if isinstance(value, str) and (not value.strip() or len(value) > 64):
            raise ProfileError(f"{name} must be {what} of 1 to 64 characters.")
        if what.startswith("a whole") and not isinstance(value, int):
            raise ProfileError(f"{name} must be {what}, not {value!r}.")
    return changes


def edit_profile(path: str | Path, changes: object, version: str | None = None) -> Profile:
    """Apply ``changes`` (names of ``EDITABLE`` -> values) to the profile at ``path``.

    Returns the new, valid ``Profile``. Raises ``ProfileError`` (the change would make the
    profile invalid, or the file cannot be read or written) or ``ProfileChanged``. Edits of
    one folder's profiles take turns (a lock on the folder), so of two edits made from the
    same version exactly one is written and the other is ``ProfileChanged``.
    """
    checked = check_changes(changes)
    return _edit(Path(path), version, [(name, *EDITABLE[name][:2], value)
                                       for name, value in checked.items()])


def accept_tuning(path: str | Path, changes: object, version: str | None = None) -> Profile:
    """Write a tuning proposal's ``touch:`` settings (``TUNABLE`` keys) into the profile
    at ``path``, as ``edit_profile`` does (checked first, ``.bak`` kept, atomic)."""
    if not isinstance(changes, dict) or not changes:
        raise ProfileError("say which touch: settings to write, like {\"dwell_ms\": 150}.")
    for key, value in changes.items():
        kind = TUNABLE.get(key)
        if kind is None:
            raise ProfileError(f"'{key}' is not a setting a tuning proposal changes "
                               f"({', '.join(TUNABLE)}).")
        if type(value) is not kind:
            what = "true or false" if kind is bool else "a whole number of ms"
            raise ProfileError(f"touch.{key} must be {what}, not {value!r}.")
    return _edit(Path(path), version, [(key, "touch", key, value)
                                       for key, value in changes.items()])


def edited(raw: bytes, path: Path, values: dict) -> tuple[bytes, Profile]:
    """``raw`` with ``values`` ((section, key) -> value) set, everything else kept (the
    text of the other values byte for byte), and the profile it makes (the station's own
    checks); ProfileError if invalid or no safe edit exists."""
    doc = parse_yaml(raw, path, ProfileError, "client profile")   # friendly errors
    if not isinstance(doc.data, dict):
        raise ProfileError(f"{path}: a client profile must be 'key: value' lines.")
    new = edited_text(raw, doc.data, [(s, k, v) for (s, k), v in values.items()], path)
    return new, parse_profile(new, path)


def _edit(path: Path, version: str | None, targets: list[tuple[str, str, str, object]]
          ) -> Profile:
    """Set each (name, section, key, value) of ``targets`` in the file, under the
    folder's lock, refusing a stale ``version``; the new profile."""
    with _folder_lock(path.parent):
        try:
            raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")
        except OSError as exc:
            raise ProfileError(f"{path}: cannot be read ({exc.strerror}).") from None
        doc = parse_yaml(raw, path, ProfileError, "client profile")   # friendly errors
        if not isinstance(doc.data, dict):
            raise ProfileError(f"{path}: a client profile must be 'key: value' lines.")
        if version is not None and file_version(raw) != version:
            raise ProfileChanged(path, raw, doc.data, [t[:3] for t in targets])
        new = edited_text(raw, doc.data, [t[1:] for t in targets], path)
        profile = parse_profile(new, path)    # the station's own checks, before writing
        _replace(path, new, backup=raw)
    return profile


def _folder_lock(folder: Path):
    """An exclusive ``flock`` on the folder itself (no lock file among the profiles)."""
    import contextlib
    import fcntl

    @contextlib.contextmanager
    def held():
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise ProfileError(f"{folder}: cannot be opened ({exc.strerror}).") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)                  # releases the lock
    return held()


def _replace(path: Path, data: bytes, backup: bytes) -> None:
    """Keep ``backup`` as ``<file>.bak``, then put ``data`` in place, with the file's own
    owner, group and mode."""
    st = os.stat(path)
    _atomic_write(path.with_name(path.name + BACKUP_SUFFIX), backup, st)
    _atomic_write(path, data, st)


def temp_name(path: Path) -> Path:
    """A new name beside ``path`` for each write (two writers never share one)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp")


def _atomic_write(path: Path, data: bytes, st: os.stat_result) -> None:
    """``data`` at ``path``: a new file with ``st``'s owner, group and mode, synced and
    renamed over; when the station may not give a new file that owner (the file is the
    therapist's, the station only in its group), the file is rewritten in place instead,
    which keeps them (the ``.bak`` beside it holds the previous text)."""
    mode = st.st_mode & 0o777
    tmp = temp_name(path)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     mode)
    except OSError as exc:
        raise ProfileError(f"{path.parent}: the station cannot write here ({exc.strerror}); "
                           f"nothing was changed. Give the station's user write access to "
                           f"the clients folder (docs/panel.md).") from None
    in_place = False
    try:
        with os.fdopen(fd, "wb") as f:
            try:
                if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(f.fileno(), st.st_uid, st.st_gid)
            except PermissionError:
                in_place = True
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.is_symlink():
            raise ProfileError(f"{path} is a symbolic link; the panel does not write through "
                               f"links. Edit the file it points to by hand.")
        if in_place and path.exists():
            tmp.unlink()
            _write_in_place(path, data)
        else:
            os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_in_place(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())
