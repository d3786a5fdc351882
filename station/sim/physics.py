"""A scenario's physical world: hands already on pads at power-up, noise and drift.

    at_power_up:                 # hands on pads when the station starts: the chips take
      - {board: 0x5A, electrode: 5, strength: 0.8}   # their first baseline with them
    noise: {counts: 1.0, seed: 7}          # data noise, counts (standard deviation)
    drift: {counts: 20, period_s: 600, seed: 3}      # slow bounded drift of every pad

``noise.counts`` is the standard deviation of each pad's filtered data at the driver's
filter settings (0..50; 0 = none); ``drift.counts`` the largest excursion of a pad's
untouched level (0..200) over about ``period_s`` seconds (at least 1). Seeds are
integers (default 0): the same scenario always plays the same. The hands at power-up
stay until the scenario releases them. ``hardware.chip.electrode`` gives the physics.

``load_world(data, doc, problems)`` checks these keys (each problem named with its
file:line) and returns a ``World``; ``station.sim.runner`` applies it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware.chips import CHIPS, all_addresses
from station.core.schema import suggest

WORLD_KEYS = ("at_power_up", "noise", "drift")
BOARDS = all_addresses()      # every touch chip's (``sim.fit`` checks the station's own)
MOST = max(c.electrodes for c in CHIPS.values()) - 1   # electrodes 0..MOST on some chip
BOARD_WORDS = "a touch board's address (" + "; ".join(
    f"{c.title}: " + ", ".join(f"0x{a:02X}" for a in c.addresses) for c in CHIPS.values()) + ")"
# key -> {field: (low, high, default)}
SETTINGS: dict[str, dict[str, tuple[float | None, float | None, float | None]]] = {
    "noise": {"counts": (0.0, 50.0, None), "seed": (None, None, 0)},
    "drift": {"counts": (0.0, 200.0, None), "period_s": (1.0, None, 600.0),
              "seed": (None, None, 0)},
}


@dataclass(frozen=True)
class Hand:
    board: int
    electrode: int
    strength: float = 1.0


@dataclass(frozen=True)
class World:
    at_power_up: tuple[Hand, ...] = ()
    noise: dict | None = None      # {"counts": float, "seed": int}
    drift: dict | None = None      # {"counts": float, "period_s": float, "seed": int}


def load_world(data: dict, doc, problems: list[str]) -> World:
    """The ``at_power_up``/``noise``/``drift`` keys of a scenario's ``data``."""
    hands = _hands(data.get("at_power_up"), doc, problems)
    noise = _settings("noise", data.get("noise"), doc, problems)
    drift = _settings("drift", data.get("drift"), doc, problems)
    return World(tuple(hands), noise, drift)


def _hands(raw, doc, problems: list[str]) -> list[Hand]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(f"{doc.where(('at_power_up',))}: at_power_up must be a list of "
                        f"{{board: 0x5A, electrode: 0..11, strength: 0..1}}.")
        return []
    hands = []
    for i, h in enumerate(raw):
        where = f"{doc.where(('at_power_up', i))}: at_power_up[{i}]"
        if not isinstance(h, dict):
            problems.append(f"{where} must be {{board: 0x5A, electrode: 0..11, strength: 0..1}}.")
            continue
        bad = len(problems)
        for key in h:
            if key not in ("board", "electrode", "strength"):
                problems.append(f"{where}: '{key}' does not belong here"
                                f"{suggest(key, ('board', 'electrode', 'strength'))}.")
        if h.get("board") not in BOARDS:
            problems.append(f"{where}: board must be {BOARD_WORDS}, not {h.get('board')!r}.")
        e = h.get("electrode")
        if isinstance(e, bool) or not isinstance(e, int) or not 0 <= e <= MOST:
            problems.append(f"{where}: electrode must be 0..{MOST}, not {e!r}.")
        s = h.get("strength", 1.0)
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not 0 < s <= 1:
            problems.append(f"{where}: strength must be a number above 0 and at most 1.")
        if len(problems) == bad:
            hands.append(Hand(h["board"], e, float(s)))
    return hands


def _settings(key: str, raw, doc, problems: list[str]) -> dict | None:
    if raw is None:
        return None
    fields = SETTINGS[key]
    shape = ", ".join(f"{f}: ..." for f in fields)
    if not isinstance(raw, dict):
        problems.append(f"{doc.where((key,))}: {key} must be {{{shape}}}.")
        return None
    out, bad = {}, len(problems)
    for name in raw:
        if name not in fields:
            problems.append(f"{doc.where((key, name))}: '{name}' is not a {key} setting"
                            f"{suggest(name, fields)}; allowed: {', '.join(fields)}.")
    for name, (low, high, default) in fields.items():
        value = raw.get(name, default)
        where = f"{doc.where((key, name))}: {key}.{name}"
        if value is None:
            problems.append(f"{where} is needed.")
        elif name == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                problems.append(f"{where} must be a whole number, not {value!r}.")
            out[name] = value
        elif (isinstance(value, bool) or not isinstance(value, (int, float))
              or value != value or (low is not None and value < low)
              or (high is not None and value > high)):
            limits = f"{low:g}..{high:g}" if high is not None else f"at least {low:g}"
            problems.append(f"{where} must be a number, {limits}; not {value!r}.")
        else:
            out[name] = float(value)
    return out if len(problems) == bad else None
