"""The Session screen's key control: the session key and the clashes with it.

``GET /api/session_key`` is the daemon's ``session_key`` status (the key, and each seated
client whose scale has notes the session's lacks); ``POST /api/session_key`` with
``{op: set, root, mode}`` sets it, ``{op: follow, player}`` moves a client into it
(station.engine.session_key). Bad input is a plain 400, the station's refusal (an unknown
key, did-you-mean) a plain 400 in its words, a station without the command a 409.
"""

from __future__ import annotations

from station.panel.limits import field

KEY_OPS = ("set", "follow", "status")


class KeyRoutes:
    """``/api/session_key`` for ``actions``."""

    def __init__(self, actions) -> None:
        self.actions = actions

    def routes(self) -> dict:
        return {("GET", "/api/session_key"): self.status,
                ("POST", "/api/session_key"): self.change}

    def status(self, data=None) -> dict:
        return self.actions.command("session_key", op="status")

    def change(self, data: dict) -> dict:
        op = field(data, "op", str, choices=KEY_OPS)
        if op == "set":
            root = field(data, "root", str, what="a key's root such as A or F#")
            mode = field(data, "mode", str, required=False, what="a mode such as major")
            return self.actions.command("session_key", op="set", root=root[:3],
                                        mode=(mode or "major")[:20])
        if op == "follow":
            player = field(data, "player", int, what="a player number")
            return self.actions.command("session_key", op="follow", player=player)
        return self.status()
