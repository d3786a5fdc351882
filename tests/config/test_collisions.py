"""A station config whose files collide, whose numbers are not numbers, or whose client
ids name nothing is refused before anything starts, at the key's own line."""

import pytest
from conftest import CONFIGS, station_config_text, write

from station.config.station import load_config
from station.core.errors import ConfigError


def config(tmp_path, text):
    return write(tmp_path / "station.yaml", text)


def line_of(path, key):
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith(key):
            return n
    raise AssertionError(key)


@pytest.mark.parametrize("socket, words", [
    ("{journal}", "is the journal or one of its side files"),
    ("{journal}-wal", "is the journal or one of its side files"),
    ("{journal}.lock", "is the journal or one of its side files"),
    ("{config}", "is this config file"),
    ("{clients}/x.sock", "is inside clients_dir"),
])
def test_a_control_socket_on_another_file_is_refused_at_its_line(tmp_path, socket, words):
    journal = tmp_path / "j" / "station.db"
    text = station_config_text(tmp_path).replace(
        f"control_socket: {tmp_path / 'station.sock'}",
        "control_socket: " + socket.format(journal=journal, config=tmp_path / "station.yaml",
                                           clients=CONFIGS / "clients"))
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"station.yaml:{line_of(path, 'control_socket')}: control_socket {words}" \
        in str(e.value)


@pytest.mark.parametrize("journal, words", [
    ("/run/station/station.db", "is under /run, which the system empties"),
    ("/dev/shm/station.db", "is under /dev/shm"),
    ("{clients}/station.db", "is inside clients_dir"),
    ("{config}", "is this config file"),
    ("{tmp}", "is a folder"),
])
def test_a_journal_where_it_would_be_lost_or_destroy_something_is_refused(tmp_path, journal,
                                                                          words):
    text = station_config_text(tmp_path).replace(
        f"journal: {tmp_path / 'j' / 'station.db'}",
        "journal: " + journal.format(clients=CONFIGS / "clients", tmp=tmp_path,
                                     config=tmp_path / "station.yaml"))
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"station.yaml:{line_of(path, 'journal')}: journal {words}" in str(e.value)


def test_the_shipped_config_and_a_separate_socket_and_journal_are_fine(tmp_path):
    load_config(CONFIGS / "station.yaml")
    load_config(config(tmp_path, station_config_text(tmp_path)))


@pytest.mark.parametrize("key, value", [
    ("max_volume", ".nan"), ("max_volume", ".inf"), ("max_volume", "-.inf"),
    ("  gain", ".NaN"), ("  poll_interval_ms", ".nan"),
])
def test_nan_and_infinity_are_refused_by_every_number(tmp_path, key, value):
    import re
    text = re.sub(rf"(?m)^{key}: *[^#\n]*", f"{key}: {value}  ", station_config_text(tmp_path))
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"station.yaml:{line_of(path, key)}:" in str(e.value)
    assert "not infinite or 'not a number'" in str(e.value)


def test_nan_in_a_nested_section_is_refused_where_it_is_written(tmp_path):
    path = config(tmp_path, station_config_text(tmp_path)
                  + "session:\n  retention_days: .nan\ndaemon:\n  stall_limit_s: .inf\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    text = str(e.value)
    assert f"station.yaml:{line_of(path, '  retention_days')}: session.retention_days" in text
    assert f"station.yaml:{line_of(path, '  stall_limit_s')}: daemon.stall_limit_s" in text


def test_unknown_roster_ids_and_paths_for_ids_are_refused(tmp_path):
    text = station_config_text(tmp_path).replace(
        "roster: [alex, sam, jo]", "roster: [alex, jon, ../../etc/passwd]")
    text = text.replace("client: sam}", "client: /etc/shadow}")
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    msg = str(e.value)
    n = line_of(path, "roster")
    assert f"station.yaml:{n}: roster id 'jon' has no profile" in msg
    assert "did you mean 'jo'?" in msg
    assert f"station.yaml:{n}: roster id '../../etc/passwd' is not a client id" in msg
    assert "player 2's client '/etc/shadow' is not a client id" in msg


def test_a_key_written_twice_in_the_station_config_names_both_lines(tmp_path):
    path = config(tmp_path, station_config_text(tmp_path) + "max_volume: 1.0\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    first = line_of(path, "max_volume")
    last = len(path.read_text().splitlines())
    assert f"station.yaml:{last}: 'max_volume' is written twice" in str(e.value)
    assert f"first at line {first}" in str(e.value)


def test_a_whole_number_too_big_for_a_float_is_refused_by_its_range(tmp_path):
    import re
    text = re.sub(r"(?m)^max_volume: *[^#\n]*", "max_volume: " + "9" * 400 + "  ",
                  station_config_text(tmp_path))
    path = config(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert f"station.yaml:{line_of(path, 'max_volume')}: max_volume is 999" in str(e.value)
    assert "it must be a number from 0 to 1" in str(e.value)
