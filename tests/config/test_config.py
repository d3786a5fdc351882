"""The station config: the shipped one loads; every mistake names file:line and key."""

import pytest
from conftest import CONFIGS, write

from station.config.station import load_config
from station.core.errors import ConfigError

GOOD = """\
name: test
boards:
  - {address: 0x5A, irq_gpio: 4}
  - {address: 0x5B, irq_gpio: 4}
players:
  - {player: 1, board: 0x5A, light_gpio: 5}
  - {player: 2, board: 0x5B, light_gpio: 6, role: therapist}
buttons: {next_turn: 23}
"""


def test_shipped_config_matches_the_documented_default():
    c = load_config(CONFIGS / "station.yaml")
    assert [b.address for b in c.boards] == [0x5A, 0x5B, 0x5C, 0x5D]
    assert [(p.player, p.board) for p in c.players] == [(n, 0x59 + n) for n in range(1, 5)]
    assert c.players[0].electrodes == tuple(range(12))
    assert set(c.buttons) == {"next_turn", "all_quiet", "session", "next_client"}
    assert c.clients_dir == (CONFIGS / "clients").resolve()


def test_defaults_fill_in(tmp_path):
    c = load_config(write(tmp_path / "s.yaml", GOOD))
    assert c.players[1].role == "therapist"
    assert c.players[0].channel == 0 and c.players[1].channel == 1
    assert c.input["mode"] == "irq" and c.audio["period_size"] == 64


@pytest.mark.parametrize("change, expected", [
    (("0x5B, irq_gpio: 4}\nplayers", "0x5E, irq_gpio: 4}\nplayers"),
     r"s.yaml:4: boards\[1\].address: 0x5e is not an MPR121 address"),
    (("light_gpio: 6,", "light_gpio: 5,"), r"GPIO 5 is used for both the light of player 1"),
    (("{player: 1, board: 0x5A", "{player: 1, bord: 0x5A"), r"did you mean 'board'"),
    (("name: test", "name: test\nmax_volume: 1.5"), r"max_volume is 1.5; it must be a number "
                                                     r"from 0 to 1"),
    (("board: 0x5B, light", "board: 0x5C, light"), r"board 0x5c, which is not under 'boards'"),
    (("irq_gpio: 4}\n  - {address: 0x5B", "irq_gpio: 2}\n  - {address: 0x5B"),
     r"GPIO 2 is the I2C bus"),
])
def test_mistakes_are_named(tmp_path, change, expected):
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(ConfigError, match=expected):
        load_config(write(tmp_path / "s.yaml", text))


def test_every_problem_is_listed_at_once(tmp_path):
    text = GOOD.replace("name: test", "nmae: test\nmax_volume: 2").replace("player: 2,",
                                                                          "player: 9,")
    with pytest.raises(ConfigError) as e:
        load_config(write(tmp_path / "s.yaml", text))
    msg = str(e.value)
    assert "3 problem(s)" in msg and "nmae" in msg and "max_volume" in msg and "player" in msg


def test_config_errors_have_a_distinct_exit_code():
    assert ConfigError.exit_code not in (0, 1, 2)
