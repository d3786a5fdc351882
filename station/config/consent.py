"""A client's consent as the station honours it, and how it is written in the journal.

``consent_of(profile)`` reads a profile's ``consent:`` section (``None`` when it was left
out: *not recorded*). The journal keeps the consent in force at each seating as a
``consent`` row whose detail is ``to_detail`` (``date=2024-03-01;journal=yes;audio=no;
research_export=no`` or ``not_recorded``); reports and exports read it back with
``from_detail``. What each value does: docs/privacy.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.core.details import CONSENT_KEYS as KEYS
from station.core.details import NOT_RECORDED as NOT_RECORDED_TEXT
from station.core.details import ConsentText
from station.core.errors import ConsentError

WORDS = {"journal": "journal", "audio": "recordings", "research_export": "research export"}


@dataclass(frozen=True)
class Consent:
    recorded: bool                 # False: the profile has no consent section
    date: str | None = None        # YYYY-MM-DD
    journal: bool = True           # not recorded: the station journals as before
    audio: bool = True
    research_export: bool = True

    def allows(self, what: str) -> bool:
        return bool(getattr(self, what))

    def words(self) -> str:
        """``consent of 2024-03-01: journal yes, recordings no, research export no``."""
        if not self.recorded:
            return "consent not recorded in the profile"
        return f"consent of {self.date}: " + ", ".join(
            f"{WORDS[k]} {'yes' if self.allows(k) else 'no'}" for k in KEYS)


NOT_RECORDED = Consent(recorded=False)


def consent_of(profile) -> Consent:
    """The consent of a ``Profile`` (NOT_RECORDED without a consent section)."""
    c = getattr(profile, "consent", None)
    if c is None:
        return NOT_RECORDED
    return Consent(True, c.get("date"), bool(c.get("journal")), bool(c.get("audio")),
                   bool(c.get("research_export")))


def to_detail(c: Consent) -> ConsentText:
    """The ``consent`` event's detail (``station.core.details`` writes it as text)."""
    if not c.recorded:
        return NOT_RECORDED_TEXT
    return ConsentText(True, c.date, tuple(c.allows(k) for k in KEYS))


def from_detail(detail: ConsentText | None) -> Consent:
    """A journal ``consent`` row's detail (decoded) back as a Consent (none: not recorded)."""
    if not isinstance(detail, ConsentText) or not detail.recorded:
        return NOT_RECORDED
    return Consent(True, detail.date, *detail.flags)


def refuse_beyond(profile_or_consent, what: str, doing: str, who: str) -> None:
    """Raise ConsentError when ``what`` (audio, research_export) is not consented.

    ``doing`` says what was refused ("the simulator records session.wav"), ``who`` names
    the client (an id or a pseudonym)."""
    c = profile_or_consent if isinstance(profile_or_consent, Consent) \
        else consent_of(profile_or_consent)
    if c.allows(what):
        return
    raise ConsentError(
        f"refused: client {who} did not consent to {WORDS[what]} ({c.words()}; "
        f"consent.{what} is false in their profile), and {doing}. Nothing was written. "
        f"If the client has since agreed, set consent.{what}: true with the new "
        f"consent.date in their profile and seat them once; otherwise leave them out.")
