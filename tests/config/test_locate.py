"""The config lookup order and the runtime folder, built from a fake root and a fake
environment (never the real /etc)."""

import os
from pathlib import Path

from conftest import station_config_text, write

from station.config.locate import PACKAGED_CONFIG, find_config, runtime_dir, socket_path
from station.config.station import load_config


def make(tmp: Path, *where: str) -> dict[str, Path]:
    paths = {"env": tmp / "env.yaml", "etc": tmp / "root/etc/station/station.yaml",
             "xdg": tmp / "xdg/station/station.yaml"}
    for w in where:
        write(paths[w], "name: x\n")
    return paths


def test_each_place_in_order(tmp_path):
    root, home = tmp_path / "root", tmp_path / "home"
    env = {"STATION_CONFIG": str(tmp_path / "env.yaml"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    p = make(tmp_path, "env", "etc", "xdg")
    assert find_config("given.yaml", env, root, home) == find_config("given.yaml")
    assert find_config("given.yaml", env, root).how == "--config"
    assert find_config(None, env, root).path == p["env"]
    del env["STATION_CONFIG"]
    found = find_config(None, env, root)
    assert (found.path, found.how, found.is_system) == (p["etc"], "/etc/station/station.yaml",
                                                        True)
    p["etc"].unlink()
    assert find_config(None, env, root).path == p["xdg"]
    p["xdg"].unlink()
    found = find_config(None, env, root, home)
    assert (found.path, found.how) == (PACKAGED_CONFIG, "the packaged example")


def test_xdg_defaults_to_home_dot_config(tmp_path):
    user = write(tmp_path / "home/.config/station/station.yaml", "name: x\n")
    assert find_config(None, {"HOME": str(tmp_path / "home")}, tmp_path / "root").path == user


def test_a_named_file_is_used_even_if_missing_so_the_error_names_it(tmp_path):
    env = {"STATION_CONFIG": str(tmp_path / "nope.yaml")}
    assert find_config(None, env, tmp_path).path == tmp_path / "nope.yaml"


def test_runtime_folder_for_the_service_and_for_a_user(tmp_path):
    root = tmp_path / "root"
    assert runtime_dir(False, {"RUNTIME_DIRECTORY": "/run/x:/run/y"}, root) == Path("/run/x")
    assert runtime_dir(True, {"XDG_RUNTIME_DIR": str(tmp_path)}, root) == root / "run/station"
    assert runtime_dir(False, {"XDG_RUNTIME_DIR": str(tmp_path)}, root) == tmp_path
    assert socket_path(False, {"XDG_RUNTIME_DIR": str(tmp_path)}) == tmp_path / "station.sock"
    assert socket_path(False, {}).parent == Path(f"/tmp/station-{os.getuid()}")   # private


def test_load_config_reports_how_it_was_found(tmp_path, monkeypatch):
    cfg = write(tmp_path / "s.yaml", station_config_text(tmp_path))
    monkeypatch.setenv("STATION_CONFIG", str(cfg))
    assert load_config().found_by == "$STATION_CONFIG"
    assert load_config().path == cfg
    assert load_config(cfg).found_by == "--config"
