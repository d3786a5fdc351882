"""The panel's PIN: made by ``station panel pin --new``, stored only as a salted scrypt hash.

The PIN file lives beside the journal (``<journal folder>/panel-pin.json``, 0600 in the
0700 state folder): one line of JSON with the scrypt parameters, a random 16-byte salt
and the derived key. The PIN itself is printed once and never stored. scrypt (memory
hard: 16 MiB per try with these parameters) makes guessing from a stolen file slow; the
lock-out in ``station.panel.auth`` makes guessing over the network slower still.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from station.core.errors import ConfigError
from station.core.files import write_private

FILE_NAME = "panel-pin.json"
MIN_DIGITS, MAX_DIGITS = 6, 12
N, R, P, DKLEN = 2 ** 14, 8, 1, 32       # scrypt cost: ~50 ms on a PC, ~0.2 s on a Pi 4
MAXMEM = 64 * 1024 * 1024


def pin_path(journal: Path) -> Path:
    """Where the PIN hash of the station with this journal lives."""
    return Path(journal).resolve().parent / FILE_NAME


def new_pin(digits: int = MIN_DIGITS) -> str:
    """A random PIN of ``digits`` decimal digits (leading zeros allowed)."""
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ConfigError(f"a panel PIN has {MIN_DIGITS} to {MAX_DIGITS} digits, not {digits}.")
    return "".join(secrets.choice("0123456789") for _ in range(digits))


def _derive(pin: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen,
                          maxmem=MAXMEM)


def store_pin(path: Path, pin: str) -> Path:
    """Write the salted hash of ``pin`` to ``path`` (0600, atomically); return the path.

    Run as root (``sudo station panel pin --new``), the file is given to the owner of
    its folder (the station's user), who must be able to read it.
    """
    salt = secrets.token_bytes(16)
    record = {"scheme": "scrypt", "n": N, "r": R, "p": P, "salt": salt.hex(),
              "hash": _derive(pin, salt, N, R, P, DKLEN).hex()}
    path = write_private(path, json.dumps(record) + "\n", "panel PIN")
    if os.geteuid() == 0:
        folder = path.parent.stat()
        os.chown(path, folder.st_uid, folder.st_gid)
    return path


@dataclass(frozen=True)
class StoredPin:
    """A PIN hash read from its file; ``matches(pin)`` checks a candidate."""

    salt: bytes
    digest: bytes
    n: int
    r: int
    p: int

    def matches(self, pin: str) -> bool:
        if not isinstance(pin, str) or not pin.isdigit() or len(pin) > MAX_DIGITS:
            return False
        candidate = _derive(pin, self.salt, self.n, self.r, self.p, len(self.digest))
        return hmac.compare_digest(candidate, self.digest)


def read_pin(path: Path) -> StoredPin | None:
    """The stored PIN, or None when none is set (or the file is unreadable or damaged:
    then nobody can sign in until ``station panel pin --new`` writes a new one)."""
    try:
        with open(path, "rb") as f:
            record = json.loads(f.read(4096))
        if record.get("scheme") != "scrypt":
            return None
        n, r, p = int(record["n"]), int(record["r"]), int(record["p"])
        if not (2 ** 10 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return None
        return StoredPin(bytes.fromhex(record["salt"]), bytes.fromhex(record["hash"]),
                         n, r, p)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
