"""Client profiles: load, validate, and hold one client's settings immutably.

A client id is the profile's file name without ``.yaml`` (``configs/clients/alex.yaml``
is client ``alex``). The display ``name`` inside is for the therapist only: the journal
records a pseudonym of the id (see ``station.journal.pseudonym``), never the name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from station.access.rules import TouchRules, check_touch, resolve_touch
from station.config import profile_schema as schema
from station.config.profile_schema import PROFILE
from station.core.digest import sha256_hex  # (no OpenSSL: memory)
from station.core.errors import ProfileError
from station.core.files import read_limited
from station.core.schema import validate
from station.core.yamlfile import MAX_BYTES, parse_yaml

if TYPE_CHECKING:
    from station.sound.mapping import Mapping as SoundMapping
    from station.sound.timbres import Timbre

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class Resolved:
    """What seating uses as is, resolved once when the profile is loaded."""

    rules: TouchRules              # the motor filters of every pad
    mapping: SoundMapping          # pad -> notes; each seat plays a ``fresh()`` copy
    timbre: Timbre                 # the client's instrument
    pad_timbres: MappingProxyType  # pad -> Timbre of pads with their own (sound.per_pad)


@dataclass(frozen=True)
class Profile:
    """A validated client profile. ``version`` changes whenever the file's bytes do.

    ``sound``, ``music`` and ``touch`` are the sections as validated (every key present,
    the schema's default where the file left it out); ``resolved`` is what they make."""

    client_id: str
    name: str
    path: Path | None
    version: str
    sound: dict
    music: dict
    touch: dict
    resolved: Resolved
    goals: tuple = ()              # each a dict: id, text, metric, direction, levels
    consent: dict | None = None    # None: no consent section (not recorded)

    def goal(self, goal_id: str) -> dict | None:
        return next((g for g in self.goals if g["id"] == goal_id), None)

    @property
    def rules(self) -> TouchRules:
        return self.resolved.rules

    def mapping(self) -> SoundMapping:
        """The pad→notes mapping with its own song position (song mode keeps its place,
        so one per seat)."""
        return self.resolved.mapping.fresh()

    def timbre(self) -> Timbre:
        """The client's instrument (a drum kit by default in drums mode)."""
        return self.resolved.timbre

    def pad_timbres(self) -> dict:
        """pad -> Timbre for pads with their own instrument (``sound.per_pad``)."""
        return dict(self.resolved.pad_timbres)


def profile_path(client: str | Path, clients_dir: Path) -> Path:
    """``alex`` -> ``clients_dir/alex.yaml``; a path (with / or .yaml) is used as given."""
    text = str(client)
    if "/" in text or text.endswith((".yaml", ".yml")):
        return Path(text)
    if not ID_PATTERN.match(text):
        raise ProfileError(f"'{text}' is not a client id: use letters, digits, '-', '_' "
                           f"(the profile's file name without .yaml).")
    return clients_dir / f"{text}.yaml"


def load_profile(client: str | Path, clients_dir: Path | None = None) -> Profile:
    """Load a client by id (from ``clients_dir``) or by path; raise ProfileError."""
    path = profile_path(client, clients_dir or Path("."))
    raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")   # read once
    return _from_doc(parse_yaml(raw, path, ProfileError, "client profile"), path.stem, raw)


def display_name(path: Path) -> str | None:
    """The ``name:`` of the profile at ``path``, or None when it cannot be read or has none.

    For labels (the report): the file is read with the same limits, but not validated,
    so a profile with a mistake elsewhere still shows its client's name."""
    try:
        raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")
        doc = parse_yaml(raw, path, ProfileError, "client profile")
    except (ProfileError, OSError):
        return None
    name = doc.data.get("name") if isinstance(doc.data, dict) else None
    if not isinstance(name, str) or not name.strip():
        return None
    return name.strip()[:80]


def parse_profile(raw: bytes, path: Path) -> Profile:
    """Validate profile bytes already read (used by reloaders that read once)."""
    return _from_doc(parse_yaml(raw, path, ProfileError, "client profile"), path.stem, raw)


def _from_doc(doc, client_id: str, raw: bytes) -> Profile:
    path = doc.path
    if not ID_PATTERN.match(client_id):
        raise ProfileError(f"{path}: the file name '{client_id}' cannot be a client id: "
                           f"rename it using letters, digits, '-' and '_'.")
    if not isinstance(doc.data, dict):
        raise ProfileError(f"{path}: a client profile must be 'key: value' lines (name:, "
                           f"sound:, music:, touch:, goals:, consent:), not "
                           f"{type(doc.data).__name__}.")
    problems: list[tuple[tuple, str]] = []
    values = validate(doc.data, PROFILE, (), problems)
    mapping = None
    if values and values.get("music") and not any(p[:1] == ("music",) for p, _ in problems):
        mapping = _mapping(values["music"], problems)
    if values and values.get("touch") and not any(p[:1] == ("touch",) for p, _ in problems):
        problems.extend(check_touch(values["touch"]))
    written_consent = "consent" in doc.data
    if values and written_consent and isinstance(values.get("consent"), dict) \
            and values["consent"].get("date") is None \
            and not any(p[:1] == ("consent",) for p, _ in problems):
        problems.append((("consent",), "consent.date is missing: write the day consent was "
                         "given, like 'date: 2024-03-01' (a consent without a date cannot "
                         "be checked)."))
    if problems:
        lines = doc.problem_lines(problems)
        raise ProfileError(f"{path}: {len(lines)} problem(s) in this client profile:\n  "
                           + "\n  ".join(lines), problems=lines)
    built = mapping                           # built above: a music problem was refused
    return Profile(client_id=client_id, name=values["name"], path=path,
                   version=sha256_hex(raw)[:12], sound=values["sound"],
                   music=values["music"], touch=values["touch"],
                   resolved=_resolve(values, built),
                   goals=tuple(values["goals"] or ()),
                   consent=values["consent"] if written_consent else None)


def _resolve(values: dict, mapping: SoundMapping) -> Resolved:
    """The rules, mapping and timbres of a valid profile's sections (defaults applied)."""
    from station.sound.timbres import timbre
    sound, mode = values["sound"], values["music"]["mode"]
    left_out = schema.DRUMS_TIMBRE if mode == "drums" else schema.DEFAULT_TIMBRE
    own = sound["timbre"] or left_out
    return Resolved(rules=resolve_touch(values["touch"]), mapping=mapping,
                    timbre=timbre(own),
                    pad_timbres=MappingProxyType({pad: timbre(s["timbre"])
                                                  for pad, s in sound["per_pad"].items()}))


def _mapping(music: dict[str, Any], problems: list) -> SoundMapping | None:
    """The music section's mapping, or None with the problem added (line and key)."""
    from station.sound.mapping import build_mapping
    try:
        return build_mapping(music)
    except (ValueError, KeyError, OSError) as exc:
        key = _music_key_for(music, str(exc))
        problems.append((("music", key) if key else ("music",),
                         f"music{'.' + key if key else ''}: {exc}"))
        return None


def _music_key_for(music: dict, message: str) -> str | None:
    # Point the therapist at the key that the mode uses, so the line number is right.
    mode = music.get("mode")
    for key in ("scale", "key", "octave", "chords", "notes", "drums", "song"):
        if key in message.lower():
            return key
    return {"chords": "chords", "notes": "notes", "drums": "drums", "song": "song"}.get(mode)
