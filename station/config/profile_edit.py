"""Changing a client profile's common settings from the panel, keeping the therapist's file.

``edit_profile(path, changes, version)`` sets a few keys (``EDITABLE``, declared in
``profile_keys``: timbre, volume, key, scale, sensitivity, dwell, release grace,
retrigger) in the YAML file and nothing else: comments, key order, flow style and
quoting survive (ruamel.yaml's round trip).
The new text is checked with the station's own profile parser *before* anything is
written; a refused change leaves the file untouched and raises ``ProfileError`` with
every problem. A written change:

* refuses to overwrite an edit made meanwhile (``version`` is the one the panel showed,
  the first 12 hex digits of the file's SHA-256, as ``Profile.version``);
* keeps the previous version beside the file as ``<id>.yaml.bak`` (one step back: the
  therapist's own file is never lost to a panel edit);
* is atomic: a new file in the same folder (same permissions), synced, renamed over.

``edited(raw, path, values)`` is the same round trip for other callers: ``station
profile tune --out`` writes a new file with a proposed ``touch:`` block this way, and
``accept_tuning`` writes an accepted proposal (the panel's "Tune from this session")
into the profile itself, as an edit.

A seated client's file is watched by the station (``station.engine.swaps``), so the
change plays within half a second, as a hand edit does.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
from pathlib import Path

from station.config.profile import Profile, parse_profile
from station.config.profile_keys import EDITABLE_KEYS
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
    """The file changed on disk since the panel showed it (someone else edited it)."""


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
    profile invalid, or the file cannot be read or written) or ``ProfileChanged``.
    """
    path = Path(path)
    checked = check_changes(changes)
    raw = _read(path, version)
    new, profile = edited(raw, path, {EDITABLE[n][:2]: v for n, v in checked.items()})
    _replace(path, new, backup=raw)
    return profile


def accept_tuning(path: str | Path, changes: object, version: str | None = None) -> Profile:
    """Write a tuning proposal's ``touch:`` settings (``TUNABLE`` keys) into the profile
    at ``path``, as ``edit_profile`` does (checked first, ``.bak`` kept, atomic)."""
    path = Path(path)
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
    raw = _read(path, version)
    new, profile = edited(raw, path, {("touch", k): v for k, v in changes.items()})
    _replace(path, new, backup=raw)
    return profile


def _read(path: Path, version: str | None) -> bytes:
    try:
        raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror}).") from None
    if version is not None and file_version(raw) != version:
        raise ProfileChanged(f"{path.name} was changed by someone else since you opened it; "
                             f"nothing was saved. Open it again and redo your change.")
    return raw


def edited(raw: bytes, path: Path, values: dict) -> tuple[bytes, Profile]:
    """``raw`` with ``values`` ((section, key) -> value) set, everything else kept, and
    the profile it makes (checked by the station's own parser); ProfileError if invalid."""
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError
    doc = parse_yaml(raw, path, ProfileError, "client profile")   # friendly syntax errors
    if not isinstance(doc.data, dict):
        raise ProfileError(f"{path}: a client profile must be 'key: value' lines.")
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096                         # never re-wrap the therapist's long lines
    text = raw.decode("utf-8")
    if re.search(r"^ +- ", text, re.MULTILINE):    # lists indented under their key stay so
        yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.representer.add_representer(type(None), _null)    # 'null' stays 'null', not ''
    try:
        data = yaml.load(text)
    except YAMLError as exc:                  # what PyYAML accepted, ruamel should too
        raise ProfileError(f"{path}: cannot be edited safely ({exc}); edit it by hand.") \
            from None
    for (section, key), value in values.items():
        if data.get(section) is None:
            data[section] = CommentedMap()
        elif not isinstance(data[section], dict):
            raise ProfileError(f"{path}: '{section}:' is not a section (key: value lines), "
                               f"so {key} cannot be set. Fix the file by hand.")
        data[section][key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    new = out.getvalue().encode("utf-8")
    return new, parse_profile(new, path)      # the station's own checks, before writing


def _null(representer, _value):
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _replace(path: Path, data: bytes, backup: bytes) -> None:
    """Keep ``backup`` as ``<file>.bak``, then put ``data`` in place atomically."""
    mode = os.stat(path).st_mode & 0o777
    _atomic_write(path.with_name(path.name + BACKUP_SUFFIX), backup, mode)
    _atomic_write(path, data, mode)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     mode)
    except OSError as exc:
        raise ProfileError(f"{path.parent}: the station cannot write here ({exc.strerror}); "
                           f"nothing was changed. Give the station's user write access to "
                           f"the clients folder (docs/panel.md).") from None
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if path.is_symlink():
            raise ProfileError(f"{path} is a symbolic link; the panel does not write through "
                               f"links. Edit the file it points to by hand.")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
