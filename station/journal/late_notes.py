"""Notes written after the session: which session a note joins.

Therapists write their notes after the client has gone. A note written while no session
runs joins the session that ended last, if it ended less than ``LATE_NOTE_WINDOW_H``
hours ago (24 h: the same working day and the next morning); after that, or for any other
session, the therapist names the session (``station session note --session N``, or the
panel's note with a session number). The note is journaled in that session at its end,
so the report shows it last, among the session's marks.

``note_target`` is the pure decision (wall-clock seconds in, the session or the reason
out); ``find_session`` reads the journal for it (a read-only connection of its own: the
writer's connection is the writer thread's) and ``target_in`` puts the two together; a
caller on the engine thread runs that read with ``in_background``, so no touch waits on
the disk.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
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


def target_in(path: Path, session: int | None, last: Ended | None,
              wall_now_s: float) -> Ended:
    """``note_target`` with the journal at ``path`` read for what is not known here: the
    named ``session``, or (``last`` None: it ended before a restart) the last one."""
    chosen = None if session is None else find_session(path, session)
    if chosen is not None and last is not None and chosen.id == last.id:
        chosen = last               # its end may not be written yet: the one kept in memory
    elif chosen is None and last is None:
        last = find_session(path)
    return note_target(last, chosen, wall_now_s)


def in_background(work: Callable[[], int]) -> Future:
    """Run ``work`` on a thread of its own; the Future gets its result or its error."""
    done: Future = Future()

    def run() -> None:
        try:
            done.set_result(work())
        except BaseException as exc:       # a StationError says why; the reply carries it
            done.set_exception(exc)
    threading.Thread(target=run, name="late-note", daemon=True).start()
    return done


def noted_reply(noted: int | Future, status: dict) -> dict | Future:
    """The ``session note`` command's reply: ``status`` with the session the note joined
    (``noted``), or a Future of that when the note waits for a journal read."""
    if not isinstance(noted, Future):
        return {**status, "noted": noted}
    reply: Future = Future()

    def done(f: Future) -> None:
        error = f.exception()
        if error is not None:
            reply.set_exception(error)
        else:
            reply.set_result({**status, "noted": f.result()})
    noted.add_done_callback(done)
    return reply
