import pytest

from hardware.spec import BoardSpec, ButtonSpec, HardwareSpec, LightSpec
from station.core.errors import ConfigError


def test_valid_spec_groups_shared_irq_lines():
    spec = HardwareSpec(boards=[BoardSpec(0x5A, 17), BoardSpec(0x5B, 17), BoardSpec(0x5C)])
    assert spec.boards == (BoardSpec(0x5A, 17), BoardSpec(0x5B, 17), BoardSpec(0x5C, None))
    assert spec.irq_lines == {17: (0x5A, 0x5B)}
    assert spec.polled_boards == (0x5C,)


def test_poll_mode_polls_every_board():
    spec = HardwareSpec(boards=(BoardSpec(0x5A, 17),), input_mode="poll")
    assert spec.irq_lines == {}
    assert spec.polled_boards == (0x5A,)


@pytest.mark.parametrize("kwargs, words", [
    (dict(boards=(BoardSpec(0x5A), BoardSpec(0x5A))), "used twice"),
    (dict(boards=(), input_mode="interrupt"), "input_mode"),
    (dict(boards=(), poll_interval_ms=0), "poll_interval_ms"),
    (dict(boards=(BoardSpec(0x5A, 5),), buttons=(ButtonSpec("a", 5),)), "GPIO 5"),
    (dict(boards=(), buttons=(ButtonSpec("a", 5),), lights=(LightSpec("a", 6),)), "used twice"),
])
def test_invalid_specs_are_config_errors(kwargs, words):
    with pytest.raises(ConfigError, match=words):
        HardwareSpec(**kwargs)


def test_bad_address_and_pin():
    with pytest.raises(ConfigError, match="0x5A, 0x5B"):
        BoardSpec(0x29)
    with pytest.raises(ValueError, match="0..27"):  # ConfigError is a ValueError
        ButtonSpec("x", 40)
