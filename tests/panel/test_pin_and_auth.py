"""The panel's PIN file and sign-in gate: scrypt hash only, lock-out, idle expiry, CSRF."""

import json
import os
import stat

import pytest

from station.core.errors import ConfigError
from station.panel.auth import LOCK_S, MAX_WRONG, Gate, LoginRefused
from station.panel.pin import new_pin, pin_path, read_pin, store_pin


class Clock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


@pytest.fixture
def pin_file(tmp_path):
    return store_pin(pin_path(tmp_path / "state" / "station.db"), "482913")


def test_a_new_pin_is_random_digits_of_the_asked_length():
    pins = {new_pin() for _ in range(50)}
    assert all(len(p) == 6 and p.isdigit() for p in pins) and len(pins) > 40
    assert len(new_pin(9)) == 9
    with pytest.raises(ConfigError, match="6 to 12 digits"):
        new_pin(4)


def test_only_a_salted_scrypt_hash_is_stored_owner_only(tmp_path, pin_file):
    assert pin_file == tmp_path / "state" / "panel-pin.json"
    assert stat.S_IMODE(os.stat(pin_file).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pin_file.parent).st_mode) == 0o700
    text = pin_file.read_text()
    assert "482913" not in text
    record = json.loads(text)
    assert record["scheme"] == "scrypt" and len(bytes.fromhex(record["salt"])) == 16
    again = store_pin(tmp_path / "other.json", "482913")
    assert json.loads(again.read_text())["hash"] != record["hash"]    # salted
    stored = read_pin(pin_file)
    assert stored.matches("482913")
    assert not stored.matches("482914") and not stored.matches("48291") \
        and not stored.matches("abc") and not stored.matches(None)


def test_a_missing_or_damaged_pin_file_lets_nobody_in(tmp_path):
    assert read_pin(tmp_path / "none.json") is None
    bad = tmp_path / "bad.json"
    for text in ("not json", "{}", '{"scheme": "md5"}',
                 '{"scheme": "scrypt", "n": 2, "r": 8, "p": 1, "salt": "00", "hash": "00"}'):
        bad.write_text(text)
        assert read_pin(bad) is None, text
    gate = Gate(tmp_path / "none.json", idle_s=60)
    with pytest.raises(LoginRefused, match="station panel pin --new") as e:
        gate.login("123456")
    assert e.value.status == 503


def test_five_wrong_pins_in_a_minute_lock_sign_in_for_a_minute(pin_file):
    clock = Clock()
    gate = Gate(pin_file, idle_s=600, now=clock)
    for _ in range(MAX_WRONG - 1):
        with pytest.raises(LoginRefused, match="wrong PIN") as e:
            gate.login("000000")
        assert e.value.status == 401
        clock.t += 5
    with pytest.raises(LoginRefused, match="locked") as e:
        gate.login("000000")
    assert e.value.status == 429
    clock.t += LOCK_S - 1
    with pytest.raises(LoginRefused, match="locked"):     # even the right PIN waits
        gate.login("482913")
    clock.t += 2
    assert gate.login("482913").csrf


def test_wrong_pins_spread_over_more_than_a_minute_do_not_lock(pin_file):
    clock = Clock()
    gate = Gate(pin_file, idle_s=600, now=clock)
    for _ in range(3 * MAX_WRONG):
        with pytest.raises(LoginRefused) as e:
            gate.login("111111")
        assert e.value.status == 401
        clock.t += 16
    assert gate.login("482913")


def test_sessions_expire_when_idle_and_csrf_must_match(pin_file):
    clock = Clock()
    gate = Gate(pin_file, idle_s=60, now=clock)
    s = gate.login("482913")
    assert s.token != s.csrf
    clock.t += 50
    assert gate.session(s.token) is s              # a request restarts the idle time
    clock.t += 50
    assert gate.session(s.token) is s
    assert gate.csrf_ok(s, s.csrf) and not gate.csrf_ok(s, None) and not gate.csrf_ok(s, "x")
    clock.t += 61
    assert gate.session(s.token) is None and not gate.alive(s.token)
    assert gate.session("made-up") is None and gate.session(None) is None


def test_a_new_pin_works_at_once_and_sign_out_ends_the_session(pin_file):
    gate = Gate(pin_file, idle_s=60)
    s = gate.login("482913")
    store_pin(pin_file, "777777")
    with pytest.raises(LoginRefused):
        gate.login("482913")
    assert gate.login("777777")
    gate.logout(s.token)
    assert gate.session(s.token) is None
    assert gate.status()["pin_set"] is True and gate.status()["signed_in"] == 1
