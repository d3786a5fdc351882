"""Simulator scenarios: a scripted session of touches, presses and faults (YAML).

    station: station.yaml        # optional, relative to this file
    clients: {1: alex, 2: ../profiles/sam.yaml}
    events:
      - {at: 0.50, action: touch, board: 0x5A, electrode: 3, strength: 0.8}
      - {at: 0.62, action: release, board: 0x5A, electrode: 3}
      - {at: 1.00, action: press, button: next_turn}
      - {at: 1.05, action: release, button: next_turn}
      - {at: 5.00, action: unplug, board: 0x5B}
      - {at: 9.00, action: use_client, player: 2, client: sam}
    end: 12.0                    # default: last event + 2 s
    at_power_up: [{board: 0x5A, electrode: 5}]     # the physical world: hands at start,
    noise: {counts: 1.0}         # noise and drift (station.sim.physics)

Every problem is a ScenarioError naming the file, the event index and what is wrong.
``ACTIONS`` maps each action to the keys it needs and may have; the runner in
``station.sim.runner`` gives them meaning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from station.config.plan import ID_PATTERN as PLAN_ID
from station.config.plan_schema import BACKING, SESSION_KEY
from station.core.errors import ScenarioError
from station.core.schema import fragment, suggest, validate
from station.core.yamlfile import read_yaml
from station.sim.physics import BOARD_WORDS, BOARDS, MOST, WORLD_KEYS, World, load_world
from station.turns.schema import TURN_MODES

# action -> (required keys, optional keys)
ACTIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "touch": (("board", "electrode"), ("strength",)),
    "release": ((), ("board", "electrode", "button")),   # a pad, or a button (= unpress)
    "press": (("button",), ()),
    "unpress": (("button",), ()),
    "unplug": (("board",), ()),
    "plug": (("board",), ()),
    "stick": (("board", "electrode"), ()),
    "unstick": (("board", "electrode"), ()),
    # Chip faults (hardware.chip.faults): a short on REXT, a pad's wire shorted to ground
    "overcurrent": (("board",), ()),
    "overcurrent_fixed": (("board",), ()),
    "short": (("board", "electrode"), ()),
    "short_fixed": (("board", "electrode"), ()),
    "use_client": (("player", "client"), ()),
    # Turn-taking (as the CLI's 'station turn mode|next|set' would)
    "turn_mode": (("mode",), ()),
    "turn_next": ((), ()),
    "turn_set": (("player",), ()),
    # Journal sessions (a scenario with session_start/stop gets no automatic run session)
    "session_start": ((), ()),
    "session_stop": ((), ()),
    "phase": (("name",), ()),
    "note": (("text",), ()),
    # Session music (station.engine.music): plans by id, backing as in a plan's backing:
    "plan_start": (("plan",), ()),
    "plan_next": ((), ()),
    "plan_stop": ((), ()),
    "backing": (("style",), tuple(k for k in BACKING.fields if k != "style")),
    "backing_stop": ((), ()),
    "session_key": (("root",), ("mode",)),      # as a plan phase's key: (station.engine.music)
}
TOP_KEYS = ("station", "clients", "events", "end", "name", "description", *WORLD_KEYS)
MAX_SECONDS = 24 * 3600      # a scenario is a session, not a year


def _seconds(value) -> bool:
    """True for a finite number of seconds from 0 to ``MAX_SECONDS`` (not NaN, not inf)."""
    return (not isinstance(value, bool) and isinstance(value, (int, float))
            and math.isfinite(value) and 0 <= value <= MAX_SECONDS)


@dataclass(frozen=True)
class Step:
    at_ns: int
    action: str
    args: dict
    index: int
    where: str = ""          # "file:line" of the event, for messages about it


@dataclass(frozen=True)
class Scenario:
    path: Path
    station: Path | None
    clients: dict[int, str]
    steps: tuple[Step, ...]
    end_ns: int
    world: World = World()


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    doc = read_yaml(path, ScenarioError, "scenario")
    data = doc.data
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario must be 'key: value' lines "
                            f"(station:, clients:, events:, end:).")
    problems: list[str] = []
    for key in data:
        if key not in TOP_KEYS:
            problems.append(f"{doc.where((key,))}: '{fragment(key, 40)}' is not a scenario key"
                            f"{suggest(key, TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}.")
    station = None
    if data.get("station") is not None:
        if not isinstance(data["station"], str):
            problems.append(f"{doc.where(('station',))}: station must be a file name.")
        else:
            station = (path.parent / data["station"]).resolve()
    clients = _clients(data.get("clients") or {}, doc, problems)
    events = data.get("events")
    steps: list[Step] = []
    if not isinstance(events, list) or not events:
        problems.append(f"{doc.where(('events',))}: 'events' must be a list of "
                        f"{{at: SECONDS, action: ...}} entries.")
    else:
        for i, ev in enumerate(events):
            step = _step(ev, i, doc, problems)
            if step is not None:
                steps.append(step)
    end = data.get("end")
    last = max((s.at_ns for s in steps), default=0)
    if end is None:
        end_ns = last + 2_000_000_000
    elif not _seconds(end):
        problems.append(f"{doc.where(('end',))}: end must be a number of seconds "
                        f"(0 to {MAX_SECONDS}).")
        end_ns = last
    else:
        end_ns = int(end * 1e9)
        if end_ns < last:
            problems.append(f"{doc.where(('end',))}: end ({end} s) is before the last event "
                            f"({last / 1e9:g} s).")
    world = load_world(data, doc, problems)
    if problems:
        raise ScenarioError(f"{path}: {len(problems)} problem(s) in this scenario:\n  "
                            + "\n  ".join(problems))
    steps.sort(key=lambda s: (s.at_ns, s.index))
    return Scenario(path, station, clients, tuple(steps), end_ns, world=world)


def _clients(raw, doc, problems) -> dict[int, str]:
    if not isinstance(raw, dict):
        problems.append(f"{doc.where(('clients',))}: clients must map player numbers to "
                        f"client ids, like {{1: alex, 2: sam}}.")
        return {}
    out = {}
    for player, client in raw.items():
        if isinstance(player, bool) or not isinstance(player, int) or not 1 <= player <= 6:
            problems.append(f"{doc.where(('clients', player))}: '{fragment(player, 40)}' is not "
                            f"a player number (1..6).")
        elif not isinstance(client, str):
            problems.append(f"{doc.where(('clients', player))}: the client of player "
                            f"{player} must be an id or a profile path.")
        else:
            out[player] = client if "/" not in client and not client.endswith(".yaml") \
                else str((doc.path.parent / client).resolve())
    return out


def _step(ev, i: int, doc, problems: list[str]) -> Step | None:
    where = f"{doc.where(('events', i))}: event {i}"
    if not isinstance(ev, dict):
        problems.append(f"{where} must be {{at: SECONDS, action: ...}}.")
        return None
    at, action = ev.get("at"), ev.get("action")
    bad = len(problems)
    if not _seconds(at):
        problems.append(f"{where}: 'at' must be seconds from the start (0 to "
                        f"{MAX_SECONDS}), not {fragment(repr(at), 40)}.")
    if not isinstance(action, str) or action not in ACTIONS:
        problems.append(f"{where}: action {fragment(repr(action), 40)} is "
                        f"unknown{suggest(action, ACTIONS)}; use one of {', '.join(ACTIONS)}.")
        return None
    need, may = ACTIONS[action]
    for key in need:
        if key not in ev:
            problems.append(f"{where} ({action}) needs '{key}'.")
    for key in ev:
        if key not in ("at", "action") + need + may:
            problems.append(f"{where} ({action}): '{fragment(key, 40)}' does not belong here"
                            f"{suggest(key, need + may)}.")
    if action == "release" and "button" not in ev and not {"board", "electrode"} <= set(ev):
        problems.append(f"{where} (release) needs board and electrode, or button.")
    if "electrode" in ev and (isinstance(ev["electrode"], bool) or
                              not isinstance(ev["electrode"], int) or
                              not 0 <= ev["electrode"] <= MOST):
        problems.append(f"{where}: electrode must be 0..{MOST}, "
                        f"not {fragment(repr(ev['electrode']), 40)}.")
    if "board" in ev and ev["board"] not in BOARDS:
        problems.append(f"{where}: board must be {BOARD_WORDS}, "
                        f"not {fragment(repr(ev['board']), 40)}.")
    if "strength" in ev and (isinstance(ev["strength"], bool) or
                             not isinstance(ev["strength"], (int, float)) or
                             not 0 < ev["strength"] <= 1):
        problems.append(f"{where}: strength must be a number above 0 and at most 1.")
    if action == "turn_mode" and ev.get("mode") not in TURN_MODES:
        problems.append(f"{where} (turn_mode): mode {fragment(repr(ev.get('mode')), 40)} is unknown"
                        f"{suggest(ev.get('mode'), TURN_MODES)}; use one of "
                        f"{', '.join(TURN_MODES)}.")
    if "player" in ev and (isinstance(ev["player"], bool) or not isinstance(ev["player"], int)
                           or not 1 <= ev["player"] <= 6):
        problems.append(f"{where}: player must be a player number 1..6, not "
                        f"{fragment(repr(ev['player']), 40)}.")
    if action == "plan_start" and not (isinstance(ev.get("plan"), str)
                                       and PLAN_ID.match(ev["plan"])):
        problems.append(f"{where} (plan_start): plan must be a plan's name (its file name "
                        f"in the plans folder, without .yaml), not "
                        f"{fragment(repr(ev.get('plan')), 40)}.")
    if action == "backing" and len(problems) == bad:
        found: list[tuple[tuple, str]] = []
        validate({k: v for k, v in ev.items() if k not in ("at", "action")}, BACKING,
                 ("backing",), found)
        problems.extend(f"{where}: {msg}" for _, msg in found)
    if action == "session_key" and len(problems) == bad:
        found = []
        validate({k: v for k, v in ev.items() if k not in ("at", "action")}, SESSION_KEY,
                 ("session_key",), found)
        problems.extend(f"{where}: {msg}" for _, msg in found)
    if len(problems) > bad:
        return None
    args = {k: v for k, v in ev.items() if k not in ("at", "action")}
    client = args.get("client")
    if isinstance(client, str) and ("/" in client or client.endswith((".yaml", ".yml"))):
        args["client"] = str((doc.path.parent / client).resolve())   # relative to this file
    return Step(int(round(at * 1e9)), action, args, i, doc.where(("events", i)))
