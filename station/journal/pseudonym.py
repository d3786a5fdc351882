"""Pseudonymous client ids for the journal.

The journal never stores a client's id or name: it stores ``HMAC-SHA256(secret, id)``
shortened to ``c-xxxxxxxx``. The secret is made once per journal and kept inside it, so a
journal copied elsewhere still maps ``--client alex`` to the same pseudonym, while the
file alone does not show who "alex" is. This is pseudonymisation, not anonymisation:
whoever has the journal *and* guesses an id can test the guess (docs/privacy.md).
"""

from __future__ import annotations

from station.core.digest import hmac_sha256_hex, token_hex  # (no OpenSSL: memory)


def new_secret() -> str:
    return token_hex(16)


def pseudonym(client_id: str, secret: str) -> str:
    digest = hmac_sha256_hex(secret.encode(), client_id.encode("utf-8"))
    return f"c-{digest[:8]}"
