"""Does a scenario fit its station? Checked before a simulation plays a single step.

A scenario is written against a station config: the boards it touches, the buttons it
presses and the players it seats must exist there. ``check(scenario, config)`` lists
every step that does not fit as ``file:line: event N (action): what is wrong`` in one
ScenarioError (exit 2), instead of failing midway. ``acting(step)`` turns a refusal met
while playing a step (a phase name too long, a note with no session running) into a
ScenarioError at that step's line.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from hardware.chips import chip_class
from station.config.station import StationConfig
from station.core.errors import ProfileError, ScenarioError, StationError
from station.core.schema import fragment, suggest

BOARD_ACTIONS = ("touch", "release", "stick", "unstick", "unplug", "plug", "overcurrent",
                 "overcurrent_fixed", "short", "short_fixed")
# Faults only some chips have (hardware.sim.SimulatedHardware refuses the others).
CHIP_FAULTS = {"overcurrent": "mpr121", "overcurrent_fixed": "mpr121", "short": "mpr121",
               "short_fixed": "mpr121"}
BUTTON_ACTIONS = ("press", "unpress", "release")


def check(scenario, config: StationConfig) -> None:
    """Raise ScenarioError naming every step that does not fit ``config``."""
    chips = {b.address: chip_class(b.chip) for b in config.boards}
    boards = set(chips)
    buttons = list(config.buttons) + [p.switch_name for p in config.players
                                      if p.switch_gpio is not None]
    players = {p.player for p in config.players}
    problems = []
    for player in scenario.clients:
        if player not in players:
            problems.append(f"{scenario.path}: clients: there is no player {player} at the "
                            f"station ({config.path}); players: {_list(players)}.")
    for step in scenario.steps:
        here = f"{step.where or scenario.path}: event {step.index} ({step.action})"
        a = step.args
        if step.action in BOARD_ACTIONS and "board" in a and a["board"] not in boards:
            problems.append(f"{here}: board {a['board']:#x} is not in the station config "
                            f"({config.path}); its boards: "
                            f"{', '.join(f'{b:#x}' for b in sorted(boards))}.")
        chip = chips.get(a.get("board"))
        if chip is not None and "electrode" in a and a["electrode"] >= chip.electrodes:
            problems.append(f"{here}: board {a['board']:#x} is {chip.a_title()}, whose "
                            f"electrodes are 0..{chip.electrodes - 1}.")
        if chip is not None and CHIP_FAULTS.get(step.action, chip.name) != chip.name:
            problems.append(f"{here}: board {a['board']:#x} is {chip.a_title()}; "
                            f"'{step.action}' is a fault only "
                            f"{chip_class(CHIP_FAULTS[step.action]).a_title()} has.")
        if step.action in BUTTON_ACTIONS and "button" in a and a["button"] not in buttons:
            problems.append(f"{here}: the station has no button "
                            f"'{fragment(a['button'], 30)}'{suggest(a['button'], buttons)}; "
                            f"its buttons: {', '.join(buttons) or 'none'}.")
        if "player" in a and a["player"] not in players:
            problems.append(f"{here}: there is no player {a['player']} at the station; "
                            f"players: {_list(players)}.")
        for key in ("name", "text", "client"):
            if key in a and not isinstance(a[key], str):
                problems.append(f"{here}: '{key}' must be text, not "
                                f"{fragment(repr(a[key]), 30)}.")
    if problems:
        raise ScenarioError(f"{scenario.path}: {len(problems)} event(s) do not fit the "
                            f"station:\n  " + "\n  ".join(problems[:20]))


def _list(numbers) -> str:
    return ", ".join(str(n) for n in sorted(numbers))


@contextlib.contextmanager
def acting(step) -> Iterator[None]:
    """A refusal met while playing ``step`` becomes a ScenarioError at its line."""
    try:
        yield
    except ProfileError:
        raise
    except StationError as exc:
        raise ScenarioError(f"{step.where}: event {step.index} ({step.action}): "
                            f"{exc}") from None
