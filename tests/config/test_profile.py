"""Client profiles: the shipped examples load; mistakes name file:line, key, value."""

import pytest
from conftest import CONFIGS, write

from station.config.profile import load_profile
from station.core.errors import ProfileError

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


def test_drums_mode_defaults_to_a_drum_kit_and_pads_can_have_their_own_timbre(tmp_path):
    p = load_profile(write(tmp_path / "kim.yaml", "name: Kim\nmusic: {mode: drums}\n"
                           "sound: {per_pad: {3: {timbre: tubular_bells}}}\n"))
    assert p.timbre().percussion and p.pad_timbres()[3].name == "tubular_bells"


def test_per_pad_mistakes_name_the_pad_and_line(tmp_path):
    text = ("name: Kim\nsound:\n  per_pad:\n    2: {timbre: gong}\ntouch:\n  per_pad:\n"
            "    5: {dwell_ms: 9000}\n    60: {hold: latch}\n")
    with pytest.raises(ProfileError) as err:
        load_profile(write(tmp_path / "kim.yaml", text))
    message = str(err.value)
    assert "kim.yaml:4: sound.per_pad[2].timbre: unknown timbre 'gong'" in message
    assert "kim.yaml:7: touch.per_pad[5].dwell_ms is 9000" in message
    assert "kim.yaml:8: touch.per_pad[60] is 60; it must be a whole number from 0 to 47" \
        in message
