"""The one declaration of the profile keys the panel may change, and what it may offer.

``EDITABLE_KEYS`` (in this order) is read by ``profile_edit`` (which keys an edit may set,
and how their values are checked) and by the panel's Clients screen (the current values
and the ``choices`` offered for each). Ranges and units come from the profile schema, so
the panel offers exactly what a profile may hold; the catalogue of timbres, the keys and
the scales come from ``station.sound``. Adding a key here adds it to both.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.config.profile_schema import PROFILE


@dataclass(frozen=True)
class EditableKey:
    """One key the panel may change: ``name`` is used by the edit API and the panel."""

    name: str
    section: str          # the profile's section (sound, music, touch)
    key: str              # the key in that section
    what: str             # what a value is, in words ("a whole number of ms" is checked)
    offer: str = "range"  # what the panel offers: timbres | keys | scales | range
    station_cap: bool = False   # the station's max_volume is the top of the range


EDITABLE_KEYS: tuple[EditableKey, ...] = (
    EditableKey("timbre", "sound", "timbre", "a timbre name", "timbres"),
    EditableKey("volume", "sound", "volume", "a number", station_cap=True),
    EditableKey("key", "music", "key", "a key name", "keys"),
    EditableKey("scale", "music", "scale", "a scale name", "scales"),
    EditableKey("sensitivity", "touch", "sensitivity", "a number"),
    EditableKey("dwell_ms", "touch", "dwell_ms", "a whole number of ms"),
    EditableKey("release_grace_ms", "touch", "release_grace_ms", "a whole number of ms"),
    EditableKey("retrigger_ms", "touch", "retrigger_ms", "a whole number of ms"),
)


def choices(max_volume: float) -> dict:
    """name -> what the panel offers, in ``EDITABLE_KEYS`` order. ``max_volume`` 0..1 is
    the station's cap (the top of a ``station_cap`` range)."""
    return {k.name: _offer(k, max_volume) for k in EDITABLE_KEYS}


def _offer(k: EditableKey, max_volume: float):
    if k.offer == "timbres":
        from station.sound.timbres import load_catalogue
        return [{"name": t.name, "description": t.description}
                for t in load_catalogue().values()]
    if k.offer == "keys":
        from station.sound.theory import KEYS
        return list(KEYS)
    if k.offer == "scales":
        from station.sound.theory import SCALES
        return sorted(SCALES)
    field = PROFILE.fields[k.section].fields[k.key]
    return {"min": field.min, "max": max_volume if k.station_cap else field.max,
            "units": field.units}
