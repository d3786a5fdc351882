"""Session plans: load, validate, and hold one plan immutably.

A plan id is its file name without ``.yaml`` in the station's plans folder
(``plans_dir``, default ``configs/plans``): ``standard`` is ``configs/plans/standard.yaml``.
A plan is started by its id, never by a path, so a command from the panel or the socket
can only name a plan the station already has. ``station plan check FILE`` reads any file.
Every problem is reported like a profile's: ``file:line: key.path: what is wrong`` with a
did-you-mean; a plan that does not fit the station (a player it does not have, a turn
mode it cannot run) is refused when it is started.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from station.config.plan_schema import PLAN
from station.core.errors import PlanError
from station.core.schema import dotted, validate
from station.core.yamlfile import read_yaml

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Phase:
    """One validated phase. ``players`` maps a player number (or "all") to its settings:
    {"music": {...} of the keys written, "timbre": str | None, "echo": dict | None}."""

    name: str
    suggested_s: float | None
    auto: bool
    turns: str | None
    backing: dict | None
    players: dict
    description: str | None
    key: dict | None = None          # {root, mode}: the session key from this phase on

    def for_player(self, player: int) -> dict | None:
        """This phase's settings for ``player`` (its own entry, else the "all" entry)."""
        return self.players.get(player, self.players.get("all"))


@dataclass(frozen=True)
class Plan:
    plan_id: str
    name: str
    description: str | None
    path: Path
    phases: tuple[Phase, ...]

    @property
    def phase_names(self) -> list[str]:
        return [p.name for p in self.phases]


def plans_folder(config) -> Path:
    """The station's plans folder (``plans_dir``, relative to the station config)."""
    return (Path(config.path).parent / config.raw.get("plans_dir", "plans")).resolve()


def plan_path(plan_id: str, plans_dir: Path) -> Path:
    """``standard`` -> ``plans_dir/standard.yaml``; anything but an id is refused."""
    text = str(plan_id)
    if not ID_PATTERN.match(text):
        raise PlanError(f"'{text}' is not a plan name: use the plan's file name without "
                        f".yaml (letters, digits, '-', '_'), like 'standard'. Plans: "
                        f"{', '.join(plan_names(plans_dir)) or 'none yet'}.")
    return Path(plans_dir) / f"{text}.yaml"


def plan_names(plans_dir: Path) -> list[str]:
    """Ids of the plans in ``plans_dir``, sorted."""
    return sorted(p.stem for p in Path(plans_dir).glob("*.yaml") if ID_PATTERN.match(p.stem))


def plan_catalogue(plans_dir: Path) -> list[dict]:
    """Every plan of ``plans_dir``: ``{name, title, phases, description}``, or ``{name,
    error}`` (the first problem) for a file that does not validate. For menus and
    ``station plan list``."""
    out = []
    for name in plan_names(plans_dir):
        try:
            plan = load_plan(name, plans_dir)
            out.append({"name": name, "title": plan.name, "phases": plan.phase_names,
                        "description": plan.description})
        except PlanError as exc:
            out.append({"name": name, "error": exc.problems[0]})
    return out


def load_plan(plan_id: str, plans_dir: Path) -> Plan:
    """The plan ``plan_id`` of ``plans_dir``; PlanError naming what is wrong."""
    path = plan_path(plan_id, plans_dir)
    if not path.is_file():
        from station.core.schema import suggest
        names = plan_names(plans_dir)
        raise PlanError(f"there is no plan '{plan_id}' in {plans_dir}"
                        f"{suggest(plan_id, names)}. Plans: {', '.join(names) or 'none yet'}.")
    return load_plan_file(path)


def load_plan_file(path: str | Path) -> Plan:
    """Read and validate a plan file (``station plan check``)."""
    path = Path(path)
    doc = read_yaml(path, PlanError, "session plan")
    if not isinstance(doc.data, dict):
        raise PlanError(f"{path}: a session plan must be 'key: value' lines (name:, "
                        f"phases:), not {type(doc.data).__name__}.")
    problems: list[tuple[tuple, str]] = []
    values = validate(doc.data, PLAN, (), problems)
    if values and isinstance(values.get("phases"), list):
        _cross_check(values["phases"], problems)
    if problems:
        lines = doc.problem_lines(problems)
        raise PlanError(f"{path}: {len(lines)} problem(s) in this session plan:\n  "
                        + "\n  ".join(lines), problems=lines)
    return Plan(plan_id=path.stem, name=values["name"] or path.stem,
                description=values["description"], path=path,
                phases=tuple(_phase(p) for p in values["phases"]))


def _phase(p: dict) -> Phase:
    players = {}
    for who, settings in (p["players"] or {}).items():
        music = {k: v for k, v in (settings["music"] or {}).items() if v is not None}
        players[who] = {"music": music, "timbre": settings["timbre"], "echo": settings["echo"]}
    minutes = p["suggested_min"]
    return Phase(name=" ".join(p["name"].split()),
                 suggested_s=None if minutes is None else float(minutes) * 60.0,
                 auto=p["auto"], turns=p["turns"], backing=p["backing"], players=players,
                 description=p["description"], key=p.get("key"))


def _cross_check(phases: list, problems: list) -> None:
    seen: dict[str, int] = {}
    for i, p in enumerate(phases):
        if not isinstance(p, dict) or not p.get("name"):
            continue
        name = " ".join(p["name"].split())
        if name in seen:
            problems.append((("phases", i, "name"), f"phases[{i}].name: '{name}' is also "
                             f"the name of phases[{seen[name]}]; each phase needs its own."))
        seen.setdefault(name, i)
        if p.get("auto") and p.get("suggested_min") is None:
            problems.append((("phases", i, "auto"), f"phases[{i}].auto: a phase can end by "
                             f"itself only after a length: add suggested_min."))
        for who, settings in (p.get("players") or {}).items():
            music = (settings or {}).get("music") or {}
            written = {k: v for k, v in music.items() if v is not None}
            if written:
                _check_music(written, ("phases", i, "players", who, "music"), problems)


def _check_music(music: dict, path: tuple, problems: list) -> None:
    """The override must make a playable mapping on its own (song exists, notes parse)."""
    from station.config.profile_schema import MUSIC, defaults
    from station.sound.mapping import build_mapping
    try:
        build_mapping({**defaults(MUSIC), **music})   # keys left out: a profile's defaults
    except (ValueError, KeyError, OSError) as exc:
        key = next((k for k in ("song", "scale", "key", "octave", "chords", "notes", "drums")
                    if k in str(exc).lower() and k in music), None)
        where = path + ((key,) if key else ())
        problems.append((where, f"{dotted(where)}: {exc}"))


def check_fits(plan: Plan, players: dict[int, str], has_therapist: bool) -> None:
    """Refuse a plan that does not fit this station: players it does not have, or
    call_response without a therapist player. ``players``: number -> role."""
    problems = []
    for phase in plan.phases:
        for who in phase.players:
            if who != "all" and who not in players:
                problems.append(f"phase '{phase.name}' sets player {who}, but this station "
                                f"has players {', '.join(map(str, sorted(players)))}.")
        follow = (phase.backing or {}).get("follow_player")
        if follow is not None and follow not in players:
            problems.append(f"phase '{phase.name}': the backing follows player {follow}, "
                            f"but this station has no player {follow}.")
        if phase.turns == "call_response" and not has_therapist:
            problems.append(f"phase '{phase.name}' uses call_response, which needs a player "
                            f"with 'role: therapist' in the station config.")
    if problems:
        raise PlanError(f"{plan.path}: this plan does not fit this station:\n  "
                        + "\n  ".join(problems), problems=problems)
