"""The one gate between a client's consent and every output of the station.

Every output asks this module, and only this module, whether a client's consent lets
their playing into it. ``NEEDS`` is the whole policy: which consents (``journal``,
``audio``, ``research_export`` of a profile's ``consent:`` section) each output needs.

=============  ====================  ===================================================
Output         Needs                 Who asks
=============  ====================  ===================================================
journal        journal               ``journal.consent.ConsentJournal`` (counts only
                                     without it)
midi_out       journal               the live MIDI mirror, through ``guard``
osc_out        journal               the OSC event sender, through ``guard``
log            journal               the system log's seat lines (``who``)
recording      audio                 the daemon's ``audio.driver: file`` WAV: silent
                                     while such a client is seated (``watch``)
export         journal,              ``journal.consent.check_export``: CSV, MIDI and
               research_export       metrics exports, the CLI's and the panel's
=============  ====================  ===================================================

MIDI and OSC out carry every touch and note with its time, to any program listening
(a DAW records them): the same data the journal keeps, so they need the same consent.
A therapist position, an empty seat and a profile without a ``consent:`` section (*not
recorded*) pass every gate, as before consent existed (docs/privacy.md).

``ConsentGate`` is the running station's gate: it follows the seats through the engine's
``profile`` events (it is the first listener, so it knows a seating before any output
sees the seat's next event) and ``keeps(event, output)`` says whether an event may reach
an output. It runs in the engine thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from station.config.consent import Consent, consent_of
from station.core.events import BACKING, BEAT, PROFILE, Event

NEEDS: dict[str, tuple[str, ...]] = {
    "journal": ("journal",),
    "midi_out": ("journal",),
    "osc_out": ("journal",),
    "log": ("journal",),
    "recording": ("audio",),
    "export": ("journal", "research_export"),
}
ANONYMOUS = "a client without journal consent"     # how logs name such a client


def allowed(consent: Consent | None, output: str) -> bool:
    """Whether ``consent`` (None: a therapist position or nobody) lets ``output`` in."""
    return consent is None or all(consent.allows(k) for k in NEEDS[output])


def seat_consent(profile, role: str) -> Consent | None:
    """The consent asked of a seat: None for an empty seat or a therapist position."""
    if profile is None or role == "therapist":
        return None
    return consent_of(profile)


def problem_count(reason: str) -> int | None:
    """The number of problems a profile's refusal counts (``3 problem(s) in ...``)."""
    m = re.search(r"\b(\d{1,4}) problem", reason)
    return int(m.group(1)) if m else None


def refusal_words(reason: str) -> str:
    """What a journal row may say of a refused profile: how many problems it had
    (``3 problem(s)``), ``too big`` or ``unreadable``; never the file's path or words
    from it (a path names the client; the file's words may hold anything)."""
    n = problem_count(reason)
    if n is not None:
        return f"{n} problem(s)"
    return "too big" if " must be under " in reason else "unreadable"


def scrub(text: str, client_id: str, label: str) -> str:
    """``text`` with every path of ``client_id``'s profile (``.../nora.yaml``) replaced
    by ``label``: what a log line may say of a profile it refused."""
    if not client_id:
        return text
    return re.sub(r"[^\s'\"]*" + re.escape(client_id) + r"\.yaml\b", label, text)


class ConsentGate:
    """The consent of each seat as the outputs see it (see the module docstring).

    ``seat_of(player)``: (profile, role) seated now (profile None when empty);
    ``pseudonym(client_id)``: the journal's pseudonym of a client id. ``follows()``
    (set by the session music): the player whose tempo the backing follows now, or None.
    """

    def __init__(self, seat_of: Callable[[int], tuple],
                 pseudonym: Callable[[str], str] | None = None) -> None:
        self._seat_of = seat_of
        self._pseudonym = pseudonym
        self._seats: dict[int, Consent | None] = {}     # player -> consent, in event order
        self._private: set[str] = set()     # pseudonyms seen without journal consent
        self._watchers: list[Callable[[], None]] = []
        self.follows: Callable[[], int | None] = lambda: None

    # -- the seats, followed through the engine's profile events ------------------------------
    def observe(self, event: Event) -> None:
        """The engine listener (registered first): a seating changes the seat's consent."""
        if event.kind != PROFILE or event.player is None \
                or getattr(event.detail, "what", None) not in ("use", "empty"):
            return
        profile, role = self._seat_of(event.player)
        consent = None if event.detail.what == "empty" else seat_consent(profile, role)
        self._seats[event.player] = consent
        if event.client is not None:       # a change of mind counts from this seating
            if allowed(consent, "journal"):
                self._private.discard(event.client)
            else:
                self._private.add(event.client)
        for fn in list(self._watchers):
            fn()

    def watch(self, fn: Callable[[], None]) -> None:
        """Call ``fn()`` after every seating (the recording's pause follows it)."""
        self._watchers.append(fn)

    # -- the questions the outputs ask ------------------------------------------------------------
    def allows(self, player: int, output: str) -> bool:
        """Whether the client seated at ``player`` now lets ``output`` in."""
        return allowed(seat_consent(*self._seat_of(player)), output)

    def allows_seat(self, profile, role: str, output: str) -> bool:
        return allowed(seat_consent(profile, role), output)

    def withheld(self, output: str, players) -> list[int]:
        """The players among ``players`` whose seated client keeps ``output`` out."""
        return [p for p in players if not self.allows(p, output)]

    def private_client(self, pseudonym: str | None) -> bool:
        """True for a pseudonym seen seated without journal consent since the start: no
        row, log line or message may carry it (e.g. the refusal of their edited file)."""
        return pseudonym is not None and pseudonym in self._private

    def keeps(self, event: Event, output: str) -> bool:
        """Whether ``event`` may reach ``output``: not when it is the playing of a seat
        whose client keeps ``output`` out, or a beat whose tempo follows such a client."""
        p = event.player
        if p is not None and not allowed(self._seats.get(p), output):
            return False
        if event.kind in (BEAT, BACKING) and self._seats:
            followed = self.follows()
            if followed is not None and not allowed(self._seats.get(followed), output):
                return False
        return not self.private_client(event.client)

    def guard(self, output: str, fn: Callable[[Event], None]) -> Callable[[Event], None]:
        """``fn`` as an engine listener that hears only what ``output`` may carry."""
        def guarded(event: Event) -> None:
            if self.keeps(event, output):
                fn(event)
        return guarded

    def who(self, client_id: str, profile=None, role: str = "client") -> str:
        """How a log line names a client: their pseudonym, or ``ANONYMOUS`` when their
        consent keeps them out of logs (``profile``: theirs, when it could be read)."""
        if profile is not None and not self.allows_seat(profile, role, "log"):
            return ANONYMOUS
        if self._pseudonym is None:
            return "a client"
        name = self._pseudonym(client_id)
        return ANONYMOUS if name in self._private else name
