"""Fuzzing the station config and client profiles: any edit of a valid file loads or is
refused with a ConfigError / ProfileError naming the file (and the line of the key where
there is one); nothing else ever escapes."""

from pathlib import Path

import yaml
from conftest import CONFIGS, station_config_text
from fuzz_strategies import FUZZ, LINE, YAMLISH, dump, edited, plain
from hypothesis import given

from station.config.profile import load_profile
from station.config.station import load_config
from station.core.errors import ConfigError, ProfileError

STATION = yaml.safe_load((CONFIGS / "station.yaml").read_text())
STATION["clients_dir"] = str(CONFIGS / "clients")
ALEX = yaml.safe_load((CONFIGS / "clients" / "alex.yaml").read_text())
RICH = yaml.safe_load((CONFIGS / "clients" / "ex-tremor.yaml").read_text())


@FUZZ
@given(data=edited(STATION))
def test_any_edit_of_the_station_config_loads_or_is_refused_plainly(tmp_path, data):
    data.update({"journal": str(tmp_path / "j" / "station.db"),
                 "control_socket": str(tmp_path / "station.sock")}) \
        if isinstance(data, dict) else None
    path = tmp_path / "station.yaml"
    path.write_text(dump(data))
    try:
        load_config(path)
    except ConfigError as exc:
        assert plain(str(exc), path), str(exc)
        if isinstance(data, dict) and "problem(s)" in str(exc):
            assert LINE.search(str(exc)), str(exc)


@FUZZ
@given(data=edited(RICH, max_edits=4))
def test_any_edit_of_a_profile_loads_or_is_refused_plainly(tmp_path, data):
    path = tmp_path / "kim.yaml"
    path.write_text(dump(data))
    try:
        profile = load_profile(path)
    except ProfileError as exc:
        assert plain(str(exc), path), str(exc)
        assert all(LINE.search(p) or str(path) in p for p in exc.problems)
        return
    profile.mapping()                 # a loaded profile also builds its pads and sounds
    profile.timbre()
    profile.pad_timbres()


@FUZZ
@given(text=YAMLISH)
def test_yaml_shaped_garbage_is_refused_plainly(tmp_path, text):
    for loader, error, name in ((load_config, ConfigError, "station.yaml"),
                                (load_profile, ProfileError, "kim.yaml")):
        path = tmp_path / name
        path.write_text(text)
        try:
            loader(path)
        except error as exc:
            assert plain(str(exc), path), str(exc)


def test_the_shipped_files_are_what_the_fuzzers_start_from():
    load_config(Path(station_config_text(Path("/tmp")) and CONFIGS / "station.yaml"))
    assert ALEX["name"] == "Alex" and RICH["touch"]
