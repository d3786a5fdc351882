"""Therapist swaps while the station runs: who sits where, and keeping profiles current.

Four ways change a seated client, all run in the engine thread and all go through the
engine's ``use_client`` (previous notes end, thresholds are re-applied, a ``profile``
event is journaled) or ``refuse_client`` (the refusal is journaled and shown on the
player's light by whoever listens to ``profile`` events; the previous client plays on):

* ``use(player, client)``: ``station profile use CLIENT --player N`` over the socket
  (and the panel): ``client`` is an id resolved in ``clients_dir``, never a path, so
  nothing outside the clients folder is ever read on a request;
* ``next_client(now)``: the ``next_client`` button seats the next client of the
  station's ``roster`` at the player whose turn it is (else the first client seat);
* ``tick(now)``: every ``POLL_NS`` the seated profiles' files are checked (size and
  mtime, then content, read with a size limit); an edited file is taken only once it
  holds still: the same content at two polls in a row (``POLL_NS`` apart), so a file
  caught half-written (its volume lines not yet there) is never seated, and a save
  that is still going on is not refused either. Then a valid one is reloaded, an
  invalid one refused once per version
  (no extra dependency: ``os.stat`` polling);
* ``reload_all()``: SIGHUP reloads every seated profile from disk.

The system log names a client only as the consent gate's ``who`` says: their pseudonym,
or "a client without journal consent"; never their id, display name or profile path.
"""

from __future__ import annotations

import logging
from pathlib import Path

from station.config.consent_gate import scrub
from station.config.profile import ID_PATTERN, parse_profile
from station.core.digest import sha256_hex  # (no OpenSSL: memory)
from station.core.errors import ProfileError
from station.core.files import read_limited
from station.core.schema import fragment
from station.core.yamlfile import MAX_BYTES

log = logging.getLogger("station")
POLL_NS = 500_000_000      # 0.5 s: an edit is live 0.5 to 1 s later


class Swaps:
    """Seat changes of one engine (see the module docstring).

    ``use_client(player, client)``: load and seat a client by id or path, returning the
    Profile or raising ProfileError (``runtime.Station.use_client``); ``roster``: the
    station config's client ids for the next_client button. ``watch``: poll profile
    files for edits (the daemon turns it on; the simulator's virtual sessions leave
    files alone).
    """

    def __init__(self, engine, use_client, roster, watch: bool = False,
                 who=lambda client_id, profile=None, role="client": "a client") -> None:
        self.engine = engine
        self.who = who        # how the log names a client (config.consent_gate.who)
        self.use_client = use_client
        self.watch = watch
        self._next = 0
        self._seen: dict[int, tuple] = {}          # player -> (profile id, file signature)
        self._refused: dict[int, set[str]] = {}    # player -> versions already refused
        self._settling: dict[int, str] = {}        # player -> version seen once, unseated
        self.roster = list(roster)

    # -- commands -------------------------------------------------------------------------
    def use(self, player: int, client: str) -> dict:
        """Seat the client with id ``client`` at ``player``; a bad profile is refused.

        An id, never a path: anything else is refused without reading a file."""
        if not isinstance(client, str) or not ID_PATTERN.match(client):
            shown = fragment(client, 40)
            log.warning("player %s: '%s' refused: not a client id", player, shown)
            return {"ok": False, "player": player, "client": shown, "kept": self._kept(player),
                    "errors": f"'{shown}' is not a client id. Give the id of a profile in the "
                              f"station's clients folder (its file name without .yaml, like "
                              f"alex); a file elsewhere must be copied there first."}
        return self._use(player, client)

    def _kept(self, player: int) -> str | None:
        seat = self.engine.seats.get(player)
        return seat.profile.client_id if seat is not None and seat.profile else None

    def _use(self, player: int, client: str) -> dict:
        """Seat ``client`` (an id, or a path the station itself chose) at ``player``."""
        engine = self.engine
        if player not in engine.seats:
            raise ProfileError(f"there is no player {player} at this station; players: "
                               f"{', '.join(str(n) for n in sorted(engine.seats))}.")
        before = engine.seats[player].profile
        try:
            profile = self.use_client(player, client)
        except ProfileError as exc:
            cid = Path(str(client)).stem
            label = f"the profile of {self.who(cid)}"
            log.warning("player %d: %s refused; %s keeps playing.\n%s", player, label,
                        self._logged(player), scrub(str(exc), cid, label))
            return {"ok": False, "player": player, "client": str(client), "errors": str(exc),
                    "kept": before.client_id if before else None}
        # the log names a client by pseudonym, never by id or name (privacy.md)
        log.info("player %d: now %s", player, self._logged(player))
        return {"ok": True, "player": player, "client": profile.client_id,
                "name": profile.name, "version": profile.version}

    def _logged(self, player: int) -> str:
        """How the log names the client seated at ``player`` (the consent gate's ``who``)."""
        seat = self.engine.seats.get(player)
        if seat is None or seat.profile is None:
            return "nobody"
        return self.who(seat.profile.client_id, seat.profile, seat.player.role)

    def next_client(self, now: int) -> None:
        """The next_client button: the roster's next client at the player in turn."""
        if not self.roster:
            log.warning("next_client pressed, but the station config has no roster.")
            return
        player = self._target_player()
        if player is None:
            return
        seated = self.engine.seats[player].profile
        start = self.roster.index(seated.client_id) + 1 \
            if seated and seated.client_id in self.roster else 0
        for k in range(len(self.roster)):        # a refused one is passed over
            candidate = self.roster[(start + k) % len(self.roster)]
            if seated and candidate == seated.client_id and len(self.roster) > 1:
                continue
            if self.use(player, candidate)["ok"]:
                return

    def reload_all(self) -> list[dict]:
        """SIGHUP: reload every seated profile from disk (invalid ones are refused)."""
        results = []
        for player, seat in sorted(self.engine.seats.items()):
            if seat.profile is not None and seat.profile.path is not None:
                results.append(self._use(player, str(Path(seat.profile.path).resolve())))
        log.info("reloaded %d profile(s) on SIGHUP", len(results))
        return results

    # -- file watching (a Station timer) ----------------------------------------------------
    def next_deadline(self) -> int | None:
        return self._next if self.watch else None

    def tick(self, now: int) -> None:
        if not self.watch or now < self._next:
            return
        self._next = now + POLL_NS
        for player, seat in self.engine.seats.items():
            if seat.profile is not None and seat.profile.path is not None:
                self._check(player, seat.profile, now)

    def _check(self, player: int, profile, now: int) -> None:
        path = Path(profile.path)
        try:
            st = path.stat()
        except OSError:
            sig = None                   # removed or renamed: keep playing what we have
        else:
            sig = (st.st_mtime_ns, st.st_size, st.st_ino)
        key = (id(profile), sig)
        if (self._seen.get(player) == key and player not in self._settling) or sig is None:
            self._seen[player] = key
            return
        self._seen[player] = key
        unreadable: ProfileError | None = None
        try:
            raw = read_limited(path, MAX_BYTES, ProfileError, "client profile")
        except ProfileError as exc:      # too big, or not a file: refused like a bad one
            raw, unreadable = str(exc).encode(), exc
        version = sha256_hex(raw)[:12]
        if version == profile.version or version in self._refused.get(player, set()):
            self._settling.pop(player, None)
            return
        if self._settling.get(player) != version:
            self._settling[player] = version     # look again at the next poll
            return
        self._settling.pop(player, None)
        engine = self.engine
        try:
            if unreadable is not None:
                raise unreadable
            new = parse_profile(raw, path)
        except ProfileError as exc:
            self._refused.setdefault(player, set()).add(version)
            engine.refuse_client(player, path.stem, str(exc), now)
            label = f"the profile of {self.who(path.stem, profile)}"
            log.warning("player %d: the edited profile of %s is refused; the previous "
                        "version keeps playing.\n%s", player, self.who(path.stem, profile),
                        scrub(str(exc), path.stem, label))
            return
        engine.use_client(player, new, now)
        log.info("player %d: %s reloaded after an edit", player, self._logged(player))

    def _target_player(self) -> int | None:
        engine = self.engine
        current = engine.gate.current() if hasattr(engine.gate, "current") else None
        if current in engine.seats:
            return current
        for n, seat in sorted(engine.seats.items()):
            if seat.player.role == "client":
                return n
        return min(engine.seats, default=None)

