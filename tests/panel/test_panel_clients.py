"""The Clients screen's list: the shipped example profiles are not offered as clients
unless the clinic keeps them (in the roster, or copied to a name of its own)."""

import shutil

from conftest import CONFIGS

from station.panel.clients import Clients


def test_examples_are_left_out_unless_the_clinic_keeps_them(tmp_path):
    shipped = sorted(p.stem for p in (CONFIGS / "clients").glob("ex-*.yaml"))
    assert len(shipped) >= 5                       # the rule has something to leave out
    for path in (CONFIGS / "clients").glob("*.yaml"):
        shutil.copy(path, tmp_path)
    shutil.copy(CONFIGS / "clients" / "ex-tremor.yaml", tmp_path / "tremor-trial.yaml")
    clients = Clients(tmp_path, roster=("alex", "ex-resting"), max_volume=0.8)
    listed = [c["id"] for c in clients.listing()]
    assert listed[:2] == ["alex", "ex-resting"]    # roster first: the clinic keeps it
    assert "tremor-trial" in listed and "sam" in listed
    assert not {"ex-tremor", "ex-spastic", "ex-no-filter"} & set(listed)
    assert clients.examples() == [s for s in shipped if s != "ex-resting"]


def test_the_volume_slider_ends_at_the_loudest_the_client_plays(tmp_path):
    for cid in ("sam", "alex"):
        shutil.copy(CONFIGS / "clients" / f"{cid}.yaml", tmp_path)
    clients = Clients(tmp_path, roster=(), max_volume=0.8)
    assert clients.detail("sam")["volume_max"] == 0.7     # its own cap, below the station's
    assert clients.detail("alex")["volume_max"] == 0.8    # the station's cap
