"""station.core.digest gives exactly hashlib's and hmac's results (journals written
before keep their pseudonyms, profiles their versions), without loading OpenSSL."""

from __future__ import annotations

import hashlib
import hmac
import subprocess
import sys

import pytest

from station.core.digest import hmac_sha256_hex, sha256_hex, token_hex


@pytest.mark.parametrize("data", [b"", b"abc", b"x" * 1000, "caf\u00e9".encode()])
def test_sha256_is_hashlibs(data):
    assert sha256_hex(data) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("key", [b"", b"k", b"0123456789abcdef" * 2, b"long" * 40])
@pytest.mark.parametrize("message", [b"", b"alex", "\u00e9l\u00e8ve".encode()])
def test_hmac_is_the_standard_librarys(key, message):
    assert hmac_sha256_hex(key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()


def test_tokens_are_random_hex_of_the_asked_length():
    a, b = token_hex(16), token_hex(16)
    assert len(a) == 32 and a != b and int(a, 16) >= 0


def test_the_daemons_start_up_modules_do_not_load_openssl():
    code = ("import sys, station.engine.runtime, station.service.daemon; "
            "print('_hashlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
