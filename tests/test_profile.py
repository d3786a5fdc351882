"""Client profiles: the shipped examples load; mistakes name file:line, key, value."""

import pytest

from conftest import CONFIGS, write
from station.errors import ProfileError
from station.profile import load_profile

CLIENTS = CONFIGS / "clients"


@pytest.mark.parametrize("client", ["alex", "sam", "jo"])
def test_shipped_clients_load(client):
    p = load_profile(client, CLIENTS)
    assert p.client_id == client and p.name and len(p.version) == 12
    assert p.timbre().name


def test_alex_plays_a_major_pentatonic_from_a4():
    m = load_profile("alex", CLIENTS).mapping()
    assert [m.notes_for(k) for k in range(7)] == [(69,), (71,), (73,), (76,), (78,), (81,),
                                                  (83,)]


def test_defaults(tmp_path):
    p = load_profile(write(tmp_path / "kim.yaml", "name: Kim\n"))
    assert p.sound["volume"] == 0.6 and p.music["mode"] == "scale"
    assert p.touch["pads"] == "all"


@pytest.mark.parametrize("text, expected", [
    ("name: Kim\nsound: {volume: 1.5}\n", r"kim.yaml:2: sound.volume is 1.5; it must be a "
                                          r"number from 0 to 1"),
    ("name: Kim\nsound: {timbre: marimbba}\n", r"did you mean 'marimba'"),
    ("name: Kim\nsuond: {volume: 0.5}\n", r"suond is not a known key \(did you mean 'sound'"),
    ("name: Kim\nmusic: {scale: majr}\n", r"kim.yaml:2: music.scale: .*major"),
    ("name: Kim\nmusic:\n  key: H\n", r"kim.yaml:3: music.key"),
    ("sound: {volume: 0.5}\n", r"name is missing"),
    ("- a\n- b\n", r"must be 'key: value' lines"),
])
def test_mistakes(tmp_path, text, expected):
    with pytest.raises(ProfileError, match=expected):
        load_profile(write(tmp_path / "kim.yaml", text))


def test_a_bad_id_is_refused():
    with pytest.raises(ProfileError, match="not a client id"):
        load_profile("Alex Smith!", CLIENTS)
