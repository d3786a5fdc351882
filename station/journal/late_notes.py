"""Notes written after the session: which session a note joins.

Therapists write their notes after the client has gone. A note written while no session
runs joins the session that ended last, if it ended less than ``LATE_NOTE_WINDOW_H``
hours ago (24 h: the same working day and the next morning); after that, or for any other
session, the therapist names the session (``station session note --session N``, or the
panel's note with a session number). The note is journaled in that session at its end,
so the report shows it last, among the session's marks.

``note_target`` is the pure decision (wall-clock seconds in, the session or the reason
out); ``find_session`` reads the journal for it (a read-only connection of its own: the
writer's connection is the writer thread's).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from station.core.errors import StationError
from station.journal.queries import EndedSession, ReadError, ended_session, open_read_only

LATE_NOTE_WINDOW_H = 24.0


@dataclass(frozen=True)
class Ended:
    """A session that has ended: id, end on the station clock (ns) and the wall clock (s)."""

    id: int
    ended_ns: int
    ended_wall_s: float | None      # None: not known (a journal that never said)


def wall_seconds(iso: str) -> float | None:
    """UTC ISO 8601 (as the journal writes ``ended_at``) -> Unix seconds; None if not."""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()
    except (ValueError, TypeError):
        return None


def note_target(last: Ended | None, chosen: Ended | None, wall_now_s: float,
                window_h: float = LATE_NOTE_WINDOW_H) -> Ended:
    """The session a note written now (no session running) joins, or StationError saying
    why none and what to do: ``chosen`` (named by the therapist) always; else ``last``
    within the window."""
    if chosen is not None:
        return chosen
    if last is None:
        raise StationError("there is no session yet to add this note to: start a session "
                           "first, then write the note.")
    age_h = None if last.ended_wall_s is None else (wall_now_s - last.ended_wall_s) / 3600
    if age_h is None or age_h > window_h or age_h < -1:
        when = "at an unknown time" if age_h is None else f"{age_h:.0f} hours ago"
        raise StationError(f"the last session (session {last.id}) ended {when}, more than "
                           f"{window_h:.0f} hours ago, so the note was not saved. Name the "
                           f"session it belongs to (its number is on the Reports list; on the "
                           f"panel: For session number).")
    return last


def find_session(path: Path, session_id: int | None = None) -> Ended | None:
    """Session ``session_id`` (StationError if the journal has none such) or the last
    ended session (None if none) of the journal at ``path``."""
    try:
        conn = open_read_only(path)
        try:
            row: EndedSession | None = ended_session(conn, session_id)
        finally:
            conn.close()
    except ReadError as exc:
        raise StationError(f"the journal {path} could not be read to find the session for "
                           f"the note ({exc}); the note was not saved. Try again.") from None
    if row is None and session_id is not None:
        raise StationError(f"there is no session {session_id} in this station's journal; "
                           f"the note was not saved. The Reports list shows the sessions.")
    return None if row is None else Ended(row.id, row.ended_ns, wall_seconds(row.ended_at))
