"""The Clients screen's data: the clients folder, one profile in detail, and edits.

Runs in the panel's worker threads, never the engine's: profiles are read from disk here
(parsed results are kept per file until its size or time changes), and an edit writes the
file (``station.config.profile_edit``); the station's file watcher then reloads a seated
client, exactly as after an edit by hand. Seating goes through the ``use_client`` command.
"""

from __future__ import annotations

import threading
from pathlib import Path

from station.config.consent import consent_of
from station.config.profile import ID_PATTERN, Profile, load_profile
from station.config.profile_edit import EDITABLE, ProfileChanged, edit_profile, file_version
from station.config.profile_keys import choices as editable_choices
from station.core.errors import ProfileError, StationError
from station.panel.limits import BadRequest

MAX_CLIENTS = 500           # files listed; a folder with more is not a clients folder
MAX_TEXT = 256 * 1024
# The example profiles shipped in configs/clients/ (ex-tremor.yaml, ...) are not clients:
# the list leaves them out unless the clinic keeps one, by naming it in the roster or by
# copying it to a name of its own (docs/panel.md).
EXAMPLE_PREFIX = "ex-"


class Clients:
    def __init__(self, clients_dir: Path, roster: tuple[str, ...], max_volume: float) -> None:
        self.dir = Path(clients_dir)
        self.roster = tuple(roster)
        self.max_volume = max_volume
        self._lock = threading.Lock()
        self._cache: dict[Path, tuple[tuple, dict]] = {}
        # With a clinic: the daemon's station.clinic.sync publish_edit(kind, name, before,
        # after) -> a note or None; a conflict raises (a StationError with ``diff``).
        self.shared = None

    # -- the folder --------------------------------------------------------------------
    def listing(self) -> list[dict]:
        """Every client of the folder but the examples not kept: roster first, then by id;
        invalid ones say why."""
        out = [self._summary(p) for p in self._paths() if not self._example(p)]
        order = {cid: i for i, cid in enumerate(self.roster)}
        out.sort(key=lambda c: (order.get(c["id"], len(order)), c["id"]))
        return out

    def examples(self) -> list[str]:
        """The ids of the example profiles the list leaves out."""
        return [p.stem for p in self._paths() if self._example(p)]

    def _paths(self) -> list[Path]:
        try:
            paths = sorted(self.dir.glob("*.yaml"))[:MAX_CLIENTS]
        except OSError:
            paths = []
        return [p for p in paths if ID_PATTERN.match(p.stem)]

    def _example(self, path: Path) -> bool:
        return path.stem.startswith(EXAMPLE_PREFIX) and path.stem not in self.roster

    def _summary(self, path: Path) -> dict:
        try:
            st = path.stat()
            sig = (st.st_mtime_ns, st.st_size)
        except OSError:
            sig = None
        with self._lock:
            cached = self._cache.get(path)
        if cached is not None and cached[0] == sig:
            return cached[1]
        info: dict = {"id": path.stem, "roster": path.stem in self.roster}
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            info.update(valid=False, name=path.stem, problems=exc.problems[:20])
        else:
            consent = consent_of(profile)
            info.update(valid=True, name=profile.name, sound=_sound_words(profile),
                        journal=consent.journal, consent=consent.words())
        with self._lock:
            self._cache[path] = (sig, info)
        return info

    # -- one client --------------------------------------------------------------------
    def path_of(self, client: object) -> Path:
        if not isinstance(client, str) or not ID_PATTERN.match(client):
            raise BadRequest("a client is named by its id: letters, digits, '-' and '_' "
                             "(the profile's file name without .yaml).")
        path = self.dir / f"{client}.yaml"
        if not path.is_file():
            raise BadRequest(f"there is no client '{client}' in {self.dir}.")
        return path

    def detail(self, client: str) -> dict:
        """The profile's text, its version, the common settings and what they may be."""
        path = self.path_of(client)
        from station.core.files import read_limited
        from station.core.yamlfile import MAX_BYTES
        try:                   # the size is checked before reading (a sparse giant, a FIFO)
            raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")[:MAX_TEXT]
        except ProfileError as exc:
            raise BadRequest(str(exc)) from None
        out: dict[str, object] = {"id": client, "file": str(path), "version": file_version(raw),
               "text": raw.decode("utf-8", errors="replace"), "choices": self.choices()}
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            out.update(valid=False, problems=exc.problems[:50], name=client, settings={})
        else:
            out.update(valid=True, name=profile.name, settings=_settings(profile),
                       per_pad=sorted(profile.touch["per_pad"]), mode=profile.music["mode"],
                       # the loudest it plays: the slider ends here, so label and slider agree
                       volume_max=min(self.max_volume, profile.sound["max_volume"]))
        return out

    def edit(self, client: str, version: object, changes: object) -> dict:
        """Apply the panel's changes; a refused change names every problem (400)."""
        path = self.path_of(client)
        if version is not None and not isinstance(version, str):
            raise BadRequest("'version' must be the text the panel was given.")
        before = path.read_bytes() if self.shared is not None else b""
        try:
            profile = edit_profile(path, changes, version)
        except ProfileChanged as exc:
            raise BadRequest(str(exc), 409) from None
        except ProfileError as exc:
            raise BadRequest(" ".join(exc.problems[:10])) from None
        out = {"id": client, "version": profile.version, "settings": _settings(profile),
               "saved": True}
        if self.shared is not None:        # the clinic's other rooms: published, or 409
            try:
                note = self.shared("profile", client, before, path.read_text("utf-8"))
            except StationError as exc:
                raise BadRequest(f"{exc}\nWhat changed since:\n"
                                 f"{getattr(exc, 'diff', '')}"[:8000], 409) from None
            if note:
                out["clinic"] = note
        return out

    def choices(self) -> dict:
        """What the panel offers for each editable key (``config.profile_keys``)."""
        return editable_choices(self.max_volume)


def _settings(profile: Profile) -> dict:
    out = {}
    for name, (section, key, _) in EDITABLE.items():
        value = getattr(profile, section)[key]
        if name == "timbre":
            value = profile.timbre().name
        elif name == "scale" and not isinstance(value, str):
            value = None             # a list of steps: edited in the file only
        out[name] = value
    return out


def _sound_words(profile: Profile) -> str:
    music = profile.music
    try:
        timbre = profile.timbre().name.replace("_", " ")
    except (ProfileError, ValueError):
        timbre = "?"
    if music["mode"] == "scale":
        scale = music["scale"] if isinstance(music["scale"], str) else "own scale"
        return f"{timbre}, {music['key']} {str(scale).replace('_', ' ')}"
    return f"{timbre}, {music['mode']}"
