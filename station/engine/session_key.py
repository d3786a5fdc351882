"""The session key, live: set by a plan phase, a scenario or the therapist; followed by the
backing, the songs, the profiles that say ``key: session``, and clients moved into it.

``set(root, mode)`` makes it the key of everything that follows it at once: each seat
whose mapping depends on it is rebuilt (``key: session``, song mode with a song that says
its own key, a client the therapist moved into it with ``follow``), the phase's overrides
are applied again in it, and a backing that took its key from the session starts again in
the new one. ``status`` lists the seated clients whose own scale has notes the session's
lacks (a clash: sam's F in C against an A major drone), which the panel shows with an
offer to follow. The key lasts until the session ends (or another is set).
"""

from __future__ import annotations

import logging

from station.core.errors import StationError
from station.core.events import PROFILE, Event
from station.sound.keys import SessionKey, clash
from station.sound.mapping import build_mapping

log = logging.getLogger(__name__)


class SessionKeys:
    """The session key of one engine (engine thread). ``plan``: the PlanRunner."""

    def __init__(self, engine, backing, plan) -> None:
        self.engine = engine
        self.backing = backing
        self.plan = plan
        self.key: SessionKey | None = None
        self.by: str | None = None
        self.following: set[int] = set()        # players moved into the key by the therapist
        engine.session_key = None                # (root, mode) while a session key is set

    # -- commands ------------------------------------------------------------------------------
    def set(self, root, mode, now: int, by: str = "cli") -> dict:
        """Make ``root`` ``mode`` the session key; StationError in plain words if unknown."""
        try:
            key = SessionKey.parse(root, mode or "major")
        except ValueError as exc:
            raise StationError(f"the session key was not changed: {exc}") from None
        if key == self.key:
            return self.status(now)
        self.key, self.by = key, by
        self.backing.session_key = (key.root, key.mode)
        self.engine.session_key = (key.root, key.mode)     # for every other caller
        log.info("session key %s (%s)", key.words(), by)
        for player in self.engine.seats:
            self._remap(player, now)
        backing = self.backing
        if backing.running and backing.spec.key is None:      # it played in the old key
            backing.start(backing.spec, now, by=backing.by or by)
        return self.status(now)

    def follow(self, player: int, now: int) -> dict:
        """Move ``player``'s client into the session key for the rest of the session."""
        seat = self.engine.seats.get(player)
        if seat is None or seat.profile is None:
            raise StationError(f"no client is seated at player {player}.")
        if self.key is None:
            raise StationError("no session key is set yet; set one first (a key and a "
                               "mode, e.g. A major).")
        self.following.add(player)
        self._remap(player, now)
        return self.status(now)

    def clear(self, now: int) -> None:
        """The session ended: no key, nobody moved (profiles play as written again)."""
        self.key, self.by = None, None
        self.backing.session_key = None
        self.engine.session_key = None
        moved, self.following = self.following, set()
        for player in self.engine.seats:
            self._remap(player, now, force=player in moved)

    def command(self, op: str = "status", now: int = 0, root=None, mode=None,
                player: int | None = None) -> dict:
        """The ``session_key`` control command: op set (root, mode), follow (player),
        or status."""
        if op == "set":
            if not root:
                raise StationError("say the key's root, like A (and a mode, like major).")
            return self.set(root, mode, now, "cli")
        if op == "follow":
            if not isinstance(player, int) or isinstance(player, bool):
                raise StationError("say which player follows the session key (1..6).")
            return self.follow(player, now)
        if op == "status":
            return self.status(now)
        raise StationError(f"unknown session_key command '{op}': use set, follow or status.")

    # -- seats ---------------------------------------------------------------------------------
    def music(self, player: int) -> dict:
        """The seated client's own music section, as the session key has it play."""
        music = dict(self.engine.seats[player].profile.music)
        if player in self.following:
            music["key"] = "session"
        return music

    def _depends(self, player: int) -> bool:
        music = self.music(player)
        return str(music.get("key", "")).lower() == "session" or music.get("mode") == "song"

    def _remap(self, player: int, now: int, force: bool = False) -> None:
        """Rebuild ``player``'s mapping if it depends on the key (or ``force``)."""
        seat = self.engine.seats[player]
        if seat.profile is None:
            return
        if player in self.plan.overridden:
            self.plan.apply(player, now)                # the phase's music, in the key
        elif force or self._depends(player):
            seat.mapping = build_mapping(self.music(player), self.key)

    def observe(self, event: Event) -> None:
        """A client seated now plays in the session key at once, if theirs follows it."""
        if event.kind == PROFILE and event.player is not None and \
                getattr(event.detail, "seated", False) and self.key is not None:
            self.following.discard(event.player)          # a new client: their own key
            if event.player not in self.plan.overridden and self._depends(event.player):
                self.engine.seats[event.player].mapping = build_mapping(
                    self.music(event.player), self.key)

    # -- reporting -----------------------------------------------------------------------------
    def status(self, now: int) -> dict:
        """``{key, mode, words, by, following, clashes: [{player, client_key, notes}]}``:
        clashes against the session key, or (none set) the backing's key."""
        ref = self.key
        if ref is None and self.backing.running and self.backing.music is not None:
            ref = SessionKey.parse(self.backing.music.key, "major")
        clashes = []
        for n, seat in sorted(self.engine.seats.items()):
            if seat.profile is None or seat.player.role != "client" or n in self.following:
                continue
            notes = clash(seat.profile.music, ref)
            if notes:
                clashes.append({"player": n, "client_key": seat.profile.music["key"],
                                "scale": str(seat.profile.music.get("scale")),
                                "notes": notes})
        return {"key": self.key.root if self.key else None,
                "mode": self.key.mode if self.key else None,
                "words": self.key.words() if self.key else None, "by": self.by,
                "against": ref.words() if ref else None,
                "following": sorted(self.following), "clashes": clashes}
