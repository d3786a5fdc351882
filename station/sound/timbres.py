"""The timbre catalogue: friendly names ("soft piano") -> General MIDI bank and program.

Therapists pick sounds by name in a client profile; the catalogue in
``soundfonts/timbres.yaml`` turns the name into the preset FluidSynth selects.
Names match case-insensitively, with spaces and hyphens equal to underscores, so
"Soft Piano", "soft-piano" and "soft_piano" are the same timbre.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from station.core.errors import ConfigError, ProfileError
from station.core.paths import SOUNDFONTS

CATALOGUE_PATH = SOUNDFONTS / "timbres.yaml"

PERCUSSION_BANK = 128
"""FluidSynth's bank for drum kits (GM channel-10 sounds) on any channel."""


@dataclass(frozen=True)
class Timbre:
    """One selectable sound.

    name: canonical catalogue name (lower case, underscores).
    bank: 0..127 for melodic presets, 128 for percussion kits.
    program: General MIDI program 0..127 (GM's 1-based list minus one).
    percussion: True for a drum kit, where each MIDI note is a different instrument.
    """

    name: str
    bank: int
    program: int
    percussion: bool = False
    description: str = field(default="", compare=False)


def normalise_name(name: str) -> str:
    """Canonical form of a timbre name: lower case, runs of spaces/hyphens/underscores -> '_'."""
    return re.sub(r"[\s\-_]+", "_", str(name).strip().lower()).strip("_")


def _parse_entry(name: str, entry: object, where: str) -> Timbre:
    """Validate one catalogue entry; ``where`` names the file for error messages."""
    key = f"{where}: timbres.{name}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{key} must be a mapping like {{program: 12}}, got {entry!r}")
    unknown = set(entry) - {"program", "bank", "percussion", "description"}
    if unknown:
        raise ConfigError(f"{key} has unknown keys {sorted(unknown)}; "
                          "allowed: program, bank, percussion, description")
    percussion = entry.get("percussion", False)
    if not isinstance(percussion, bool):
        raise ConfigError(f"{key}.percussion must be true or false, got {percussion!r}")
    program = entry.get("program")
    bank = entry.get("bank", PERCUSSION_BANK if percussion else 0)
    if not isinstance(program, int) or isinstance(program, bool) or not 0 <= program <= 127:
        raise ConfigError(f"{key}.program must be a whole number 0..127, got {program!r}")
    if not isinstance(bank, int) or isinstance(bank, bool) or not 0 <= bank <= 128:
        raise ConfigError(f"{key}.bank must be a whole number 0..128, got {bank!r}")
    if percussion and bank != PERCUSSION_BANK:
        raise ConfigError(f"{key}: a percussion timbre must use bank {PERCUSSION_BANK}, got {bank}")
    return Timbre(normalise_name(name), bank, program, percussion,
                  str(entry.get("description", "")))


@functools.lru_cache(maxsize=8)
def _load(path: Path) -> dict[str, Timbre]:
    from station.core.yamlfile import (
        read_yaml,  # size, encoding, syntax with line:column
    )

    data = read_yaml(path, ConfigError, "timbre catalogue").data
    if not isinstance(data, dict) or not isinstance(data.get("timbres"), dict):
        raise ConfigError(f"{path}: expected a top-level 'timbres:' mapping of name -> preset")
    catalogue: dict[str, Timbre] = {}
    for raw_name, entry in data["timbres"].items():
        found = _parse_entry(str(raw_name), entry, str(path))
        if found.name in catalogue:
            raise ConfigError(f"{path}: timbre '{found.name}' is listed twice")
        catalogue[found.name] = found
    if not catalogue:
        raise ConfigError(f"{path}: the catalogue lists no timbres")
    return catalogue


def load_catalogue(path: str | Path | None = None) -> dict[str, Timbre]:
    """Name -> Timbre for every entry of the catalogue file (default soundfonts/timbres.yaml).

    Parsed once per path and cached; a copy is returned so callers cannot alter the cache.
    Raises ConfigError (with line/column for YAML syntax) when the file is broken.
    """
    return dict(_load(Path(path).resolve() if path else CATALOGUE_PATH))


def timbre_names(path: str | Path | None = None) -> list[str]:
    """Canonical names of every catalogue timbre, in catalogue order."""
    return list(load_catalogue(path))


def timbre(name: str, path: str | Path | None = None) -> Timbre:
    """The Timbre called ``name`` (any case; spaces or hyphens for underscores).

    Raises ProfileError "unknown timbre 'marimbaa': did you mean 'marimba'? choices: ..."
    """
    catalogue = _load(Path(path).resolve() if path else CATALOGUE_PATH)
    key = normalise_name(name)
    found = catalogue.get(key)
    if found is not None:
        return found
    close = difflib.get_close_matches(key, list(catalogue), n=1, cutoff=0.6)
    hint = f" did you mean '{close[0]}'?" if close else ""
    raise ProfileError(f"unknown timbre '{name}':{hint} choices: {', '.join(catalogue)}")
