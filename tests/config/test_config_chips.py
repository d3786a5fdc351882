"""The station config's touch chips: ``chip: mpr121 | cap1188`` per board, addresses and
electrodes checked against the board's chip, a station mixing both."""

import pytest
from conftest import CONFIGS, write

from station.config.station import load_config
from station.core.errors import ConfigError
from station.engine.wiring import hardware_spec

MIXED = """\
name: mixed
boards:
  - {address: 0x5A, irq_gpio: 4}
  - {chip: cap1188, address: 0x29, irq_gpio: 17}
players:
  - {player: 1, board: 0x5A}
  - {player: 2, board: 0x29}
"""


def test_a_board_is_an_mpr121_unless_it_says_otherwise_and_a_station_may_mix(tmp_path):
    c = load_config(write(tmp_path / "s.yaml", MIXED))
    assert [(b.address, b.chip) for b in c.boards] == [(0x5A, "mpr121"), (0x29, "cap1188")]
    assert c.player(1).electrodes == tuple(range(12))
    assert c.player(2).electrodes == tuple(range(8)), "a CAP1188 board's pads are 0..7"
    spec = hardware_spec(c)
    assert [(b.address, b.chip) for b in spec.boards] == [(0x5A, "mpr121"), (0x29, "cap1188")]


def test_the_mixed_scenario_station_loads():
    c = load_config(CONFIGS / "scenarios" / "mixed-station.yaml")
    assert {b.chip for b in c.boards} == {"mpr121", "cap1188"}


@pytest.mark.parametrize("change, expected", [
    (("{chip: cap1188,", "{chip: cap118,"),
     r"s.yaml:4: boards\[1\].chip is 'cap118' \(did you mean 'cap1188'\?\); it must be one "
     r"of mpr121, cap1188"),
    (("address: 0x29", "address: 0x5B"),
     r"s.yaml:4: boards\[1\].address: 0x5b is not a CAP1188 address; use one of 0x28, "
     r"0x29, 0x2A, 0x2B, 0x2C, 0x2D \(set on the board: 0x28 AD to 3Vo; 0x29 AD unconnected"),
    (("address: 0x5A, irq", "address: 0x28, irq"),
     r"s.yaml:3: boards\[0\].address: 0x28 is not an MPR121 address"),
    (("{player: 2, board: 0x29}", "{player: 2, board: 0x29, electrodes: [0, 9]}"),
     r"s.yaml:7: player 2: board 0x29 is a CAP1188, whose electrodes are 0..7; electrode 9 "
     r"does not exist there"),
])
def test_chip_mistakes_are_named(tmp_path, change, expected):
    text = MIXED.replace(*change)
    assert text != MIXED
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path / "s.yaml", text))
