"""The motor-filter settings of every pad, resolved from a profile's ``touch:`` section.

A profile states the client's settings once and may override them per pad
(``touch.per_pad``); ``resolve_touch(touch)`` merges the two, once, when the profile is
loaded, into ``TouchRules``: a ``PadRules`` per pad with times in integer nanoseconds
(the station clock's unit), the enabled pads and the groups. ``touch`` is the section
as the profile schema validated it: every key holds a value (the schema's default when
the therapist left it out), so nothing here has a default of its own. ``check_touch``
finds the mistakes a schema cannot see (overlapping groups, a minimum above a maximum)
and ``thresholds`` turns a 0..1 sensitivity into MPR121 touch/release counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

MS = 1_000_000          # ns per ms
TIMING_KEYS = ("sensitivity", "dwell_ms", "release_grace_ms", "retrigger_ms", "hold",
               "note_ms", "min_note_ms", "max_note_ms")


@dataclass(frozen=True, slots=True)
class PadRules:
    """How one (logical) pad filters touches. Times in ns; ``max_ns``/``long_ns`` None = off."""

    dwell_ns: int
    grace_ns: int
    retrigger_ns: int
    hold: str                        # momentary | latch | fixed
    note_ns: int
    min_ns: int
    max_ns: int | None
    long_ns: int | None
    sensitivity: float               # 0..1


@dataclass(frozen=True)
class TouchRules:
    """A client's whole ``touch:`` section, resolved: what the seat's filters use as is."""

    client: PadRules                        # every pad without settings of its own
    per_pad: MappingProxyType               # pad -> PadRules (``touch.per_pad``)
    enabled: frozenset[int] | None          # pads that play; None: all
    groups: tuple[tuple[int, ...], ...]     # pads that act as one, each led by its first

    def of(self, pad: int) -> PadRules:
        """The rules of (logical) ``pad``."""
        return self.per_pad.get(pad, self.client)


def resolve_touch(touch: dict) -> TouchRules:
    """``touch`` as validated by the profile schema -> its ``TouchRules``. A per-pad key
    left out (None) takes the client's value."""
    own = {k: touch[k] for k in TIMING_KEYS}
    per_pad = {pad: _pad_rules({**own, **{k: v for k, v in settings.items() if v is not None}},
                               touch["long_touch_s"])
               for pad, settings in touch["per_pad"].items()}
    pads = touch["pads"]
    return TouchRules(client=_pad_rules(own, touch["long_touch_s"]),
                      per_pad=MappingProxyType(per_pad),
                      enabled=None if pads == "all" else frozenset(pads),
                      groups=tuple(tuple(g) for g in touch["groups"]))


def _pad_rules(values: dict, long_touch_s: float | None) -> PadRules:
    top = values["max_note_ms"]
    return PadRules(
        dwell_ns=int(values["dwell_ms"]) * MS,
        grace_ns=int(values["release_grace_ms"]) * MS,
        retrigger_ns=int(values["retrigger_ms"]) * MS,
        hold=values["hold"],
        note_ns=int(values["note_ms"]) * MS,
        min_ns=int(values["min_note_ms"]) * MS,
        max_ns=None if top is None else int(top) * MS,
        long_ns=None if long_touch_s is None else int(long_touch_s * 1000) * MS,
        sensitivity=float(values["sensitivity"]),
    )


def check_touch(touch: dict) -> list[tuple[tuple, str]]:
    """Problems a per-key check cannot see, as (key path, message) pairs."""
    problems: list[tuple[tuple, str]] = []
    seen: dict[int, int] = {}
    for g, group in enumerate(touch.get("groups") or []):
        if len(set(group)) != len(group):
            problems.append((("touch", "groups", g), f"touch.groups[{g}] lists a pad twice: "
                                                     f"{group}."))
        for pad in group:
            if pad in seen and seen[pad] != g:
                problems.append((("touch", "groups", g),
                                 f"touch.groups[{g}]: pad {pad} is already in group "
                                 f"{seen[pad]}; a pad can belong to one group only."))
            seen.setdefault(pad, g)
    pads = touch.get("pads")
    if isinstance(pads, list) and len(set(pads)) != len(pads):
        problems.append((("touch", "pads"), f"touch.pads lists a pad twice: {pads}."))
    _check_lengths(touch, ("touch",), problems)
    for pad, settings in (touch.get("per_pad") or {}).items():
        merged = {k: touch.get(k) for k in TIMING_KEYS}
        merged.update({k: v for k, v in settings.items() if v is not None})
        _check_lengths(merged, ("touch", "per_pad", pad), problems)
    return problems


def _check_lengths(values: dict, path: tuple, problems: list) -> None:
    where = ".".join(str(p) for p in path)
    top, low = values.get("max_note_ms"), values.get("min_note_ms") or 0
    if top is not None and low > top:
        problems.append((path + ("min_note_ms",),
                         f"{where}: min_note_ms ({low}) is longer than max_note_ms ({top}); "
                         f"make min_note_ms smaller or max_note_ms larger."))
    if values.get("hold") == "fixed" and top is not None and (values.get("note_ms") or 0) > top:
        problems.append((path + ("note_ms",),
                         f"{where}: note_ms ({values['note_ms']}) is longer than max_note_ms "
                         f"({top}), so fixed notes would be cut; shorten note_ms."))
