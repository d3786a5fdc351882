"""The key the station's own music plays in: one seam for the backing and the tablet.

``current_key(engine, key, player)`` answers (key name, mode): ``key`` when a backing or
a caller names one, else the followed player's profile key (the first seated client's
when ``player`` is None), else C; the mode is minor when that profile's scale is a minor
one (minor, dorian, minor pentatonic, blues...), else major. When the session key (the
plan's or the therapist's) exists, it answers here, and every caller follows it.
Key names as station.sound.theory (C, F#, Bb...); mode "major" or "minor".
"""

from __future__ import annotations

MINOR_SCALES = frozenset({"minor", "natural_minor", "harmonic_minor", "melodic_minor",
                          "minor_pentatonic", "blues", "minor_blues", "dorian", "phrygian",
                          "aeolian", "locrian", "hirajoshi", "minor_triad"})


def first_client(engine) -> int | None:
    """The first seated client's player number (else the first seated therapist's)."""
    seats = sorted(engine.seats.items())
    for role in ("client", "therapist"):
        for n, seat in seats:
            if seat.profile is not None and seat.player.role == role:
                return n
    return None


def current_key(engine, key: str | None = None, player: int | None = None
                ) -> tuple[str, str]:
    """(key, mode) for the station's own music (see the module docstring): ``key`` when
    named, else the session key (``engine.session_key``, station.engine.session_key),
    else the followed client's key (``key: session`` with no session key: C)."""
    seat = engine.seats.get(player if player is not None else first_client(engine))
    music = seat.profile.music if seat is not None and seat.profile is not None else {}
    scale = music.get("scale")
    mode = "minor" if isinstance(scale, str) and scale in MINOR_SCALES else "major"
    session = getattr(engine, "session_key", None)
    if not key and session:
        return session[0], session[1]
    own = music.get("key")
    if not key and isinstance(own, str) and own.lower() == "session":
        own = None
    return (key or own or "C"), mode
