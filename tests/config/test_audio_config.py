"""The station config's audio level keys: the ceiling and the gain (station_schema)."""

import pytest
from conftest import write
from test_config import GOOD

from station.config.station import load_config
from station.core.errors import ConfigError


def test_the_ceiling_defaults_to_minus_6_dbfs_and_the_gain_to_a_room_level(tmp_path):
    c = load_config(write(tmp_path / "s.yaml", GOOD))
    assert c.audio["ceiling_dbfs"] == -6.0 and c.audio["gain"] == 2.5


@pytest.mark.parametrize("value, expected", [
    ("3", r"s.yaml:\d+: audio.ceiling_dbfs is 3; it must be a number from -30 to 0 dBFS"),
    ("-45", r"audio.ceiling_dbfs is -45; it must be a number from -30 to 0 dBFS"),
    ("loud", r"audio.ceiling_dbfs is 'loud'; it must be a number"),
    (".nan", r"s.yaml:\d+: audio.ceiling_dbfs is nan; it must be a number from -30 to 0 dBFS, "
             r"not infinite or 'not a number'"),     # the shared schema refuses NaN
    (".inf", r"audio.ceiling_dbfs is inf; it must be a number from -30 to 0 dBFS"),
])
def test_a_wrong_ceiling_is_refused_with_its_line_and_key(tmp_path, value, expected):
    path = write(tmp_path / "s.yaml", GOOD + f"audio:\n  ceiling_dbfs: {value}\n")
    with pytest.raises(ConfigError, match=expected):
        load_config(path)


def test_the_gain_may_go_up_to_fluidsynths_own_maximum(tmp_path):
    assert load_config(write(tmp_path / "s.yaml", GOOD + "audio: {gain: 10}\n")) \
        .audio["gain"] == 10
    with pytest.raises(ConfigError, match="audio.gain is 11; it must be a number from 0 to 10"):
        load_config(write(tmp_path / "t.yaml", GOOD + "audio: {gain: 11}\n"))
