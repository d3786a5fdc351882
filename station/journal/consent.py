"""Consent honoured at the journal: what a seat's client agreed to decides what is written.

``ConsentJournal`` stands between the engine (and the session keeper) and the real
``Journal``. Every event passes through ``record``:

* when a client is seated (a ``profile`` ``use:`` event) it journals the consent in force
  (a ``consent`` row: ``station.config.consent.to_detail``) and, with journal consent,
  the client's goals (a ``goals`` row, JSON), so reports and exports read both from the
  journal alone;
* a seat whose client has **no journal consent** (``consent.journal: false``) keeps no
  per-touch rows and no pseudonym: its touches, releases, notes and held-back touches
  are only counted, and the counts are written as one anonymous ``counts`` row (detail
  JSON: seated_s, touches, valid_touches, suppressed, echoes, followed_beats) when the
  client leaves the seat or the session ends. Rows the station derives from their
  playing are left out too: the echo of their phrases (``echo`` rows: counted as
  echoes), their sound in a plan phase (``timbre``), and a backing whose timing follows
  them (``follows()``: its ``backing`` rows and its ``beat`` rows, whose tempo is theirs;
  the beats are counted as followed_beats). The seat's profile row says
  ``use:no_journal_consent``; its turn rows stay (the group's turn order) without the
  pseudonym;
* therapist positions and clients whose profile has no consent section (*not
  recorded*) are journaled as before.

Whether a seat journals is the consent gate's answer (``station.config.consent_gate``,
output ``journal``), the one component every output of the station asks; a row of a
client the gate knows as without journal consent (a refusal of their edited file) keeps
no pseudonym. It runs in the engine thread (a listener, and the session keeper's
journal), after the synth has sounded; it only queues work, like the journal itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from station.config.consent import Consent, consent_of, to_detail
from station.config.consent_gate import NEEDS, ConsentGate
from station.core.details import NO_CONSENT, SeatChange, decode
from station.core.events import (
    BACKING,
    BEAT,
    ECHO,
    NOTE_ON,
    PROFILE,
    RELEASE,
    SUPPRESSED,
    TOUCH,
    Event,
)
from station.journal.sessions import TIMBRE

CONSENT = "consent"      # journal-only kinds (like sessions.TIMBRE)
GOALS = "goals"
COUNTS = "counts"
_COUNTED = {TOUCH: "touches", NOTE_ON: "notes", SUPPRESSED: "suppressed", RELEASE: None}


class ConsentJournal:
    """The journal as the station writes it, with consent applied (see module docstring).

    ``seat_of(player)`` returns ``(profile, role)`` of the seat now (profile None when
    empty). ``follows()`` returns the player whose playing the backing's timing follows
    now, or None (set by the session music: station.engine.backing). Everything not
    overridden here is the wrapped journal's.
    """

    def __init__(self, journal, seat_of: Callable[[int], tuple],
                 gate: ConsentGate | None = None) -> None:
        self._journal = journal
        self._seat_of = seat_of
        self.gate = gate if gate is not None else ConsentGate(seat_of)
        self._private: dict[int, str | None] = {}     # player -> pseudonym kept out
        self._counts: dict[int, Counter[str]] = {}
        # player -> (t, pad) of the last note counted: a chord is one valid touch. Kept out
        # of the counts, whose values must all be numbers (``+counts`` compares them with 0)
        self._last_note: dict[int, tuple[int, int | None]] = {}
        self._since: dict[int, int] = {}               # player -> counting since (ns)
        self.follows: Callable[[], int | None] = lambda: None

    def __getattr__(self, name):
        return getattr(self._journal, name)

    # -- the journal's producer side ------------------------------------------------------
    def record(self, event: Event) -> None:
        p = event.player
        if event.kind == TIMBRE and p is not None and not self._seat_journals(p):
            return      # the session keeper names the new seat's sound before we see it
        if event.kind in (BEAT, BACKING) and self._private:
            followed = self.follows()       # the beats' tempo is that client's
            if followed in self._private:
                if event.kind == BEAT:
                    self._counts[followed]["followed_beats"] += 1
                return
        if event.kind == PROFILE and p is not None \
                and getattr(event.detail, "what", None) in ("use", "empty"):
            self._seated(event)
            return
        if p in self._private:
            self._keep_out(event)
            return
        if event.client is not None and (event.client in self._private.values()
                                         or self.gate.private_client(event.client)):
            event = event.but(client=None)          # e.g. a refusal of their edited file
        self._journal.record(event)

    def start_session(self, t_ns: int, *args, **kwargs) -> int:
        sid = self._journal.start_session(t_ns, *args, **kwargs)
        for p in self._private:
            self._counts[p] = Counter()
            self._last_note.pop(p, None)
            self._since[p] = t_ns
        return sid

    def end_session(self, t_ns: int, by: str = "stop") -> None:
        if self._journal.session is not None:
            for p in list(self._private):
                self._flush(p, t_ns)
        self._journal.end_session(t_ns, by)

    def journals(self, player: int) -> bool:
        """False when the client seated at ``player`` has no journal consent."""
        return player not in self._private

    def _seat_journals(self, player: int) -> bool:
        profile, role = self._seat_of(player)
        return self.gate.allows_seat(profile, role, "journal")

    # -- inside -------------------------------------------------------------------------------
    def _seated(self, event: Event) -> None:
        p = event.player
        if p in self._private:
            self._flush(p, event.t_ns)
            del self._private[p]
        profile, role = self._seat_of(p)
        if profile is None or event.detail == SeatChange("empty"):
            self._journal.record(event)
            return
        consent: Consent = consent_of(profile)
        if role == "therapist":       # the partner's position: no client, no consent asked
            self._journal.record(event)
            return
        if not self.gate.allows_seat(profile, role, "journal"):
            self._private[p] = event.client
            self._counts[p] = Counter()
            self._last_note.pop(p, None)
            self._since[p] = event.t_ns
            self._journal.record(event.but(client=None, detail=NO_CONSENT))
            self._journal.record(Event(CONSENT, event.t_ns, player=p,
                                       detail=to_detail(consent)))
            return
        self._journal.record(event)
        self._journal.record(Event(CONSENT, event.t_ns, player=p, client=event.client,
                                   detail=to_detail(consent)))
        if profile.goals:
            self._journal.record(Event(GOALS, event.t_ns, player=p, client=event.client,
                                       detail=goals_json(profile.goals)))

    def _keep_out(self, event: Event) -> None:
        p = event.player
        if event.kind in _COUNTED:
            key = _COUNTED[event.kind]
            if key == "notes":           # one touch sounding a chord is one valid touch
                if self._last_note.get(p) != (event.t_ns, event.pad):
                    self._counts[p]["valid_touches"] += 1
                self._last_note[p] = (event.t_ns, event.pad)
            elif key:
                self._counts[p][key] += 1
            return
        if event.kind == ECHO:       # their phrase played back: counted, not kept
            if getattr(event.detail, "stopped", None) is None:
                self._counts[p]["echoes"] += 1
            return
        if event.kind in ("note_off", TIMBRE):
            return
        self._journal.record(event.but(client=None))     # turn rows, faults, ...

    def _flush(self, p: int, t_ns: int) -> None:
        c = self._counts.get(p, Counter())
        since = self._since.get(p, t_ns)
        if self._journal.session is None or (t_ns <= since and not +c):
            return
        detail = {"seated_s": round(max(0, t_ns - since) / 1e9, 3),
                  "touches": c["touches"], "valid_touches": c["valid_touches"],
                  "suppressed": c["suppressed"], "echoes": c["echoes"],
                  "followed_beats": c["followed_beats"]}
        self._journal.record(Event(COUNTS, t_ns, player=p, detail=detail))
        self._counts[p] = Counter()
        self._last_note.pop(p, None)
        self._since[p] = t_ns


def goals_json(goals) -> list[dict]:
    """The goals as the journal keeps them (JSON-safe: level keys become text)."""
    return [{"id": g["id"], "text": g["text"], "metric": g.get("metric"),
             "direction": g.get("direction"),
             "levels": {str(k): v for k, v in sorted((g.get("levels") or {}).items())}}
            for g in goals]


# -- reading consent back (reports, exports) ------------------------------------------------
def latest_consents(conn) -> dict[str, Consent]:
    """pseudonym -> the consent recorded at the client's latest seating (a change of mind
    applies to everything of theirs from then on)."""
    from station.config.consent import from_detail
    rows = conn.execute("SELECT client, detail FROM events WHERE kind = ? AND client IS NOT "
                        "NULL AND id IN (SELECT max(id) FROM events WHERE kind = ? AND "
                        "client IS NOT NULL GROUP BY client)", (CONSENT, CONSENT))
    return {client: from_detail(decode(CONSENT, detail)) for client, detail in rows}


def check_export(conn, sessions, client: str | None, what: str,
                 names: dict[str, str] | None = None) -> None:
    """Refuse (ConsentError) an export of ``sessions`` (optionally one client's) when a
    client in it did not consent to what an export needs (the gate's ``NEEDS['export']``:
    research export, and the journal, whose later withdrawal stops exports of older
    sessions too). ``names``: pseudonym -> client id, to name the client as the
    therapist knows them."""
    from station.config.consent import refuse_beyond
    consents = latest_consents(conn)
    ids = [s.id for s in sessions]
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT DISTINCT client FROM events WHERE session_id IN ({marks}) "
                        f"AND client IS NOT NULL", ids).fetchall()
    clients = sorted({c for (c,) in rows} & set(consents))
    if client is not None:
        clients = [c for c in clients if c == client]
    for c in clients:
        who = f"{names[c]} ({c})" if names and c in names else c
        hint = "" if client else "; export the other clients one by one with --client"
        for need in NEEDS["export"]:
            refuse_beyond(consents[c], need,
                          f"{what} would take their data off the station{hint}", who)


def known_names(conn, clients_dir) -> dict[str, str]:
    """pseudonym -> client id for the profiles in ``clients_dir`` (best effort)."""
    from pathlib import Path

    from station.journal.pseudonym import pseudonym
    row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
    if row is None:
        return {}
    try:
        ids = [p.stem for p in Path(clients_dir).glob("*.yaml")]
    except OSError:
        return {}
    return {pseudonym(i, row[0]): i for i in ids}
