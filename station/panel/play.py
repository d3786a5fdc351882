"""The Play screen's routes: the therapist's own pads on the tablet.

``GET /api/play`` is the pads (the session key's scale: note names, the timbre, the
channel); ``POST /api/play`` with ``{op: on|off, pad}`` sounds or ends a pad,
``{op: timbre, timbre}`` picks the instrument and ``{op: silence}`` ends every note.
All go through the daemon's ``play`` command (station.engine.tablet), which journals the
notes as the therapist's (position 7, role therapist); bad input is a plain 400, a
station without the command a plain 409 (``Actions.command``).
"""

from __future__ import annotations

from station.panel.limits import BadRequest, field

OPS = ("on", "off", "timbre", "silence")
TIMBRES = ("kalimba", "marimba", "vibraphone", "xylophone", "piano", "harp", "steel_drums",
           "glockenspiel")     # clear attacks: a call or a rhythm to copy


class PlayRoutes:
    """``/api/play`` for ``actions``."""

    def __init__(self, actions) -> None:
        self.actions = actions

    def routes(self) -> dict:
        return {("GET", "/api/play"): self.layout, ("POST", "/api/play"): self.play}

    def layout(self, data=None) -> dict:
        return {**self.actions.command("play", op="layout"), "timbres": TIMBRES}

    def play(self, data: dict) -> dict:
        op = field(data, "op", str, choices=OPS)
        if op in ("on", "off"):
            pad = field(data, "pad", int, what="a pad number")
            return self.actions.command("play", op=op, pad=pad)
        if op == "timbre":
            name = field(data, "timbre", str, choices=TIMBRES)
            return self.actions.command("play", op=op, timbre=name)
        if data.keys() - {"op"}:
            raise BadRequest("'silence' takes nothing more than the op.")
        return self.actions.command("play", op=op)
