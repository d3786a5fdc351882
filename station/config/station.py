"""Loading the station config: validated, cross-checked, immutable.

``load_config(path)`` returns a ``StationConfig`` or raises ``ConfigError`` listing every
problem with ``file:line: key: what is wrong``. A bad station config stops the daemon
from starting (a distinct exit code); the therapist's fix is in the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hardware.chips import DEFAULT_CHIP, chip_class
from station.config.locate import PACKAGED_CONFIG, find_config
from station.config.locate import socket_path as default_socket
from station.config.station_schema import STATION
from station.core.errors import ConfigError
from station.core.schema import validate
from station.core.yamlfile import read_yaml

DEFAULT_CONFIG = PACKAGED_CONFIG        # the example (checkout or wheel), not the lookup


@dataclass(frozen=True)
class Board:
    address: int
    irq_gpio: int | None
    chip: str = DEFAULT_CHIP     # a name in hardware.chips.CHIPS


@dataclass(frozen=True)
class Player:
    player: int                  # 1..6
    role: str                    # client | therapist
    board: int | None
    electrodes: tuple[int, ...]  # pad k = electrodes[k]
    switch_gpio: int | None      # played as pad len(electrodes)
    light_gpio: int | None
    channel: int                 # MIDI channel 0..15 (1..16 in the file)
    client: str | None

    @property
    def switch_pad(self) -> int:
        return len(self.electrodes)

    @property
    def light_name(self) -> str:
        return f"p{self.player}"

    @property
    def switch_name(self) -> str:
        return f"p{self.player}_switch"


@dataclass(frozen=True)
class StationConfig:
    path: Path
    name: str
    soundfont: str | None
    max_volume: float
    audio: dict
    input: dict
    boards: tuple[Board, ...]
    players: tuple[Player, ...]
    buttons: dict[str, int]
    clients_dir: Path
    roster: tuple[str, ...]
    journal: Path
    control_socket: Path
    raw: dict            # every validated section, for keys added by later features
    found_by: str = "--config"   # how the file was found (station.config.locate)

    def player(self, number: int) -> Player:
        for p in self.players:
            if p.player == number:
                return p
        raise KeyError(number)


def load_config(path: str | Path | None = None) -> StationConfig:
    """Read, validate and cross-check a station config; None: the lookup of
    ``station.config.locate`` (--config, $STATION_CONFIG, /etc/station, XDG, example)."""
    found = find_config(path)
    path = found.path
    doc = read_yaml(path, ConfigError, "station config")
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{path}: a station config must be 'key: value' lines at the top "
                          f"level, not {type(doc.data).__name__}.")
    problems: list[tuple[tuple, str]] = []
    raw = validate(doc.data, STATION, (), problems)
    if not problems:
        _chip_defaults(raw, doc.data)
        _cross_check(raw, problems)
        from station.config.collisions import check_clients, check_files
        check_files(path, raw, _socket(raw, found.is_system), problems)
        check_clients(path, raw, problems)
    if problems:
        lines = [f"{doc.where(p)}: {msg}" for p, msg in problems]
        raise ConfigError(f"{path}: the station config has {len(lines)} problem(s):\n  "
                          + "\n  ".join(lines) + "\nFix these and start the station again.")
    return _build(path, raw, found.how, found.is_system)


def _chip_defaults(raw: dict, written: dict) -> None:
    """A player whose file gives no ``electrodes`` gets all of its board's chip's."""
    chips = {b["address"]: chip_class(b["chip"]) for b in raw["boards"]}
    for p, w in zip(raw["players"], written.get("players") or [], strict=False):
        if p["board"] in chips and not (isinstance(w, dict) and "electrodes" in w):
            p["electrodes"] = list(range(chips[p["board"]].electrodes))


def _cross_check(raw: dict, problems: list) -> None:
    addresses = [b["address"] for b in raw["boards"]]
    chips = {b["address"]: chip_class(b["chip"]) for b in raw["boards"]}
    for i, a in enumerate(addresses):
        if addresses.index(a) != i:
            problems.append((("boards", i, "address"), f"board {a:#x} is listed twice."))
        wrong = chips[a].check_address(a)
        if wrong is not None:
            problems.append((("boards", i, "address"), f"boards[{i}].address: {wrong}"))
    seen_players: set[int] = set()
    used_electrodes: dict[tuple[int, int], int] = {}
    gpios: dict[int, str] = {}

    def claim(gpio, what, where):
        if gpio is None:
            return
        if gpio in (2, 3):
            problems.append((where, f"GPIO {gpio} is the I2C bus (SDA/SCL); use another pin "
                                    f"for the {what}."))
        elif gpio in gpios and not (what.startswith("IRQ") and gpios[gpio].startswith("IRQ")):
            problems.append((where, f"GPIO {gpio} is used for both the {gpios[gpio]} and the "
                                    f"{what}."))
        gpios.setdefault(gpio, what)

    for i, b in enumerate(raw["boards"]):
        claim(b["irq_gpio"], f"IRQ of board {b['address']:#x}", ("boards", i, "irq_gpio"))
    for i, p in enumerate(raw["players"]):
        n = p["player"]
        if n in seen_players:
            problems.append((("players", i, "player"), f"player {n} is listed twice."))
        seen_players.add(n)
        if p["board"] is not None:
            if p["board"] not in addresses:
                problems.append((("players", i, "board"),
                                 f"player {n} uses board {p['board']:#x}, which is not under "
                                 f"'boards'. Add it there or pick one of "
                                 f"{', '.join(f'{a:#x}' for a in addresses)}."))
            chip = chips.get(p["board"])
            for e in p["electrodes"]:
                if chip is not None and e >= chip.electrodes:
                    problems.append((("players", i, "electrodes"),
                                     f"player {n}: board {p['board']:#x} is {chip.a_title()}, "
                                     f"whose electrodes are 0..{chip.electrodes - 1}; "
                                     f"electrode {e} does not exist there."))
                key = (p["board"], e)
                if key in used_electrodes:
                    problems.append((("players", i, "electrodes"),
                                     f"electrode {e} of board {p['board']:#x} belongs to both "
                                     f"player {used_electrodes[key]} and player {n}."))
                used_electrodes[key] = n
        elif p["switch_gpio"] is None:
            problems.append((("players", i), f"player {n} has neither a board nor a "
                                             f"switch_gpio: nothing to play."))
        claim(p["switch_gpio"], f"switch of player {n}", ("players", i, "switch_gpio"))
        claim(p["light_gpio"], f"light of player {n}", ("players", i, "light_gpio"))
    for role, gpio in (raw["buttons"] or {}).items():
        claim(gpio, f"{role} button", ("buttons", role))
    _check_music_channels(raw, problems)


def _check_music_channels(raw: dict, problems: list) -> None:
    """The backing and echo channels are the station's own: no player may play on them."""
    players = {(p["channel"] or _default_channel(p["player"])): p["player"]
               for p in raw["players"]}
    music = raw["session_music"]
    own = [("backing_channel",), ("pulse_layer_channel",), *(("echo_channels", i)
                                   for i in range(len(music["echo_channels"]))),
           ("tablet_channel",)]
    seen: set[int] = set()
    for where in own:
        channel = music[where[0]] if len(where) == 1 else music[where[0]][where[1]]
        if channel in players:
            problems.append((("session_music",) + where, f"MIDI channel {channel} is player "
                             f"{players[channel]}'s; the backing and echo need channels no "
                             f"player uses."))
        elif channel == 10:
            problems.append((("session_music",) + where, "MIDI channel 10 is the General MIDI "
                             "drum channel; choose another for the backing and echo."))
        elif channel in seen:
            problems.append((("session_music",) + where, f"MIDI channel {channel} is listed "
                             f"twice; the backing and each echo need their own."))
        seen.add(channel)


def _build(path: Path, raw: dict, how: str = "--config",
           system: bool = False) -> StationConfig:
    players = []
    for p in sorted(raw["players"], key=lambda p: p["player"]):
        channel = p["channel"] if p["channel"] is not None else _default_channel(p["player"])
        players.append(Player(
            player=p["player"], role=p["role"], board=p["board"],
            electrodes=tuple(p["electrodes"]) if p["board"] is not None else (),
            switch_gpio=p["switch_gpio"], light_gpio=p["light_gpio"], channel=channel - 1,
            client=p["client"]))
    return StationConfig(
        path=path, name=raw["name"], soundfont=_relative(path, raw["soundfont"]),
        max_volume=float(raw["max_volume"]), audio=raw["audio"], input=raw["input"],
        boards=tuple(Board(b["address"], b["irq_gpio"], b["chip"]) for b in raw["boards"]),
        players=tuple(players), buttons=dict(raw["buttons"] or {}),
        clients_dir=(path.parent / raw["clients_dir"]).resolve(),
        roster=tuple(raw["roster"] or ()), journal=Path(raw["journal"]),
        control_socket=_socket(raw, system), raw=raw, found_by=how)


def _socket(raw: dict, system: bool = False) -> Path:
    return Path(raw["control_socket"]) if raw["control_socket"] else default_socket(system)


def _default_channel(player: int) -> int:
    # Player N on MIDI channel N, skipping 10 (the GM drum channel).
    return player if player < 10 else player + 1


def _relative(base: Path, value: str | None) -> str | None:
    if value is None:
        return None
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else (base.parent / p).resolve())
