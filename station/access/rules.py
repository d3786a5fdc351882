"""The motor-filter settings of one pad, resolved from a profile's ``touch:`` section.

A profile states the client's settings once and may override them per pad
(``touch.per_pad``); ``rules_for(touch, pad)`` merges the two into a ``PadRules`` with
times in integer nanoseconds (the station clock's unit). ``check_touch`` finds the
mistakes a schema cannot see (overlapping groups, a minimum above a maximum). A pad's
``sensitivity`` (0..1, the therapist's one unit) is turned into thresholds by the
board's touch chip (``hardware.touchchip.TouchChip.sensitivity_thresholds``), each in
its own units.
"""

from __future__ import annotations

from dataclasses import dataclass

MS = 1_000_000          # ns per ms
TIMING_KEYS = ("sensitivity", "dwell_ms", "release_grace_ms", "retrigger_ms", "hold",
               "note_ms", "min_note_ms", "max_note_ms")


@dataclass(frozen=True, slots=True)
class PadRules:
    """How one (logical) pad filters touches. Times in ns; ``max_ns``/``long_ns`` None = off."""

    dwell_ns: int = 0
    grace_ns: int = 0
    retrigger_ns: int = 0
    hold: str = "momentary"          # momentary | latch | fixed
    note_ns: int = 500 * MS
    min_ns: int = 0
    max_ns: int | None = None
    long_ns: int | None = None
    sensitivity: float = 0.5


NO_FILTER = PadRules()


def rules_for(touch: dict, pad: int) -> PadRules:
    """The rules of ``pad``: the client's values, overridden by ``touch.per_pad[pad]``."""
    merged = {k: touch.get(k) for k in TIMING_KEYS}
    for key, value in (touch.get("per_pad") or {}).get(pad, {}).items():
        if value is not None:
            merged[key] = value
    long_s = touch.get("long_touch_s", 30)
    return PadRules(
        dwell_ns=int(merged["dwell_ms"] or 0) * MS,
        grace_ns=int(merged["release_grace_ms"] or 0) * MS,
        retrigger_ns=int(merged["retrigger_ms"] or 0) * MS,
        hold=merged["hold"] or "momentary",
        note_ns=int(merged["note_ms"] or 500) * MS,
        min_ns=int(merged["min_note_ms"] or 0) * MS,
        max_ns=None if merged["max_note_ms"] is None else int(merged["max_note_ms"]) * MS,
        long_ns=None if long_s is None else int(long_s * 1000) * MS,
        sensitivity=0.5 if merged["sensitivity"] is None else float(merged["sensitivity"]),
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
