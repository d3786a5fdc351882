"""Nothing accepted is lost: a note or a phase name that is not valid text (not UTF-8,
lone surrogates) or that holds control characters or terminal escapes is refused in plain
words, by the CLI (exit 1), the panel (400) and OSC (/station/error) alike; everything they
answer with success is in the journal, exactly as sent. A real daemon with its panel."""

import json
import sqlite3
import subprocess

import pytest
from conftest import station_command, wait_until
from panel_fixtures import Client, running_station

BAD = [
    ("\udcff\udcfe chose the drum", "not valid text"),          # a Latin-1 terminal's bytes
    ("went \x1b[2J\x1b[31mred", "control character"),          # a terminal escape
    ("bell\x07", "control character"),
    ("c1 csi \x9b31m", "control character"),
    ("bidi \u202eevil", "control character"),
]


@pytest.fixture(scope="module")
def station(tmp_path_factory):
    with running_station(tmp_path_factory, "text") as running:
        yield running


@pytest.fixture(scope="module")
def client(station):
    c = Client(station.port)
    assert c.login(station.pin)[0] == 200
    assert c.call("POST", "/api/session", {"op": "start"})[0] == 200
    return c


def journal_texts(station, kind):
    def flushed():
        with sqlite3.connect(station.journal) as db:
            return [r[0] for r in db.execute("SELECT detail FROM events WHERE kind = ?",
                                             (kind,))]
    return flushed()


def cli(station, *args: str | bytes):
    return subprocess.run(station_command() + ["session", *args, "--config",
                                               str(station.config)],
                          capture_output=True, env={**__import__("os").environ,
                                                    "PYTHONIOENCODING": "utf-8"},
                          timeout=60)


def test_the_cli_refuses_text_it_cannot_store(station, client):
    raw = cli(station, "note", b"caf\xe9 au lait")        # bytes of a Latin-1 terminal
    assert raw.returncode == 1, raw.stderr
    assert b"not valid text" in raw.stderr and b"Traceback" not in raw.stderr
    for text, words in BAD[1:]:
        out = cli(station, "note", text)
        assert out.returncode == 1 and words.encode() in out.stderr, (text, out.stderr)
        assert b"\x1b" not in out.stderr and b"\x9b" not in out.stderr   # never echoed raw
    out = cli(station, "phase", "warm\x1b]0;pwned\x07up")
    assert out.returncode == 1 and b"control character" in out.stderr


@pytest.mark.parametrize("text, words", BAD)
def test_the_panel_refuses_text_it_cannot_store(client, text, words):
    body = json.dumps({"text": text}).encode()            # \udcff travels as JSON's escape
    status, data = client.call("POST", "/api/note", body)
    assert status == 400 and words in data["error"], data
    status, data = client.call("POST", "/api/phase", json.dumps({"name": text}).encode())
    assert status == 400 and words in data["error"], data


def test_what_is_answered_with_success_is_stored(station, client):
    note = "reached pad 3 \u2013 smiled \U0001F60A\tthen rested\nnext: drums"
    assert client.call("POST", "/api/note", {"text": note})[0] == 200
    assert cli(station, "note", "calm today, caf\u00e9").returncode == 0
    wait_until(lambda: len(journal_texts(station, "note")) >= 2, station.proc,
               what="the notes did not reach the journal")
    assert journal_texts(station, "note") == [note, "calm today, caf\u00e9"]


def test_a_display_name_with_a_terminal_escape_is_a_profile_problem(tmp_path):
    from station.config.profile import load_profile
    from station.core.errors import ProfileError
    (tmp_path / "eve.yaml").write_text('name: "Eve\\e]0;owned\\a"\n')
    with pytest.raises(ProfileError, match="control character"):
        load_profile("eve", tmp_path)
    (tmp_path / "ana.yaml").write_text("name: Ana Mar\u00eda\n")
    assert load_profile("ana", tmp_path).name == "Ana Mar\u00eda"
