"""SHA-256, HMAC-SHA-256 and random tokens without OpenSSL: 3.5 MB the daemon does not need.

CPython's ``hashlib`` loads ``_hashlib`` (OpenSSL's libcrypto) when first imported, and
``hmac`` and ``secrets`` import it too: 3.5 MB of resident memory measured on the
daemon (issue 28: RSS at ready must stay <= 60 MB). The daemon only hashes a few short
strings at start-up and when a profile is seated: a profile's version (the first 12 hex
digits of its file's SHA-256) and a client's pseudonym (HMAC-SHA-256, RFC 2104, of the
id under the journal's secret). CPython's built-in ``_sha256`` module (``_sha2`` from
3.12) gives the same digests; ``hashlib`` is the fallback where neither exists. The
results are bit for bit those of ``hashlib``/``hmac`` (``tests/core/test_digest.py``),
so journals and versions written before stay valid.
"""

from __future__ import annotations

import importlib
import os


def _builtin_sha256():
    for name in ("_sha256", "_sha2"):   # CPython 3.11; 3.12 and later
        try:
            return importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
    from hashlib import sha256          # another Python: OpenSSL's, same digests
    return sha256


sha256 = _builtin_sha256()

BLOCK = 64                              # SHA-256's block size in bytes (for HMAC)
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lower-case hex digits."""
    return sha256(data).hexdigest()


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    """HMAC-SHA-256 (RFC 2104) of ``message`` under ``key``, as 64 hex digits."""
    if len(key) > BLOCK:
        key = sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    inner = sha256(key.translate(_IPAD) + message).digest()
    return sha256(key.translate(_OPAD) + inner).hexdigest()


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes from the OS as hex (as ``secrets.token_hex``)."""
    return os.urandom(nbytes).hex()
