"""The Reports screen: the journal's sessions, and each one's report, CSV, MIDI and metrics.

The list is read through the journal room's questions (``station.journal.queries``, a
read-only connection, a few indexed queries). The files are made by the report room
(``station.report.make``, as ``station report`` and ``station export`` make them) in a
child process at the lowest CPU priority: drawing a report's plots takes a second or
more of CPU, and in a child it never holds the daemon's interpreter lock, so the
engine's touches are not delayed by it. The child writes into a private temporary
folder (0700, removed at once), never beside the journal; the bytes go to the browser.
One file is made at a time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

from station.core.errors import JournalError
from station.journal import queries
from station.journal.pseudonym import pseudonym
from station.panel import child
from station.panel.limits import BadRequest
from station.report import make as report_make

MAX_SESSIONS = 200          # listed, newest first
MAKE_TIMEOUT_S = 180.0
KINDS = {  # kind -> (file name, content type)
    "report": ("report.html", "text/html; charset=utf-8"),
    "csv": ("session.csv", "text/csv; charset=utf-8"),
    "midi": ("session.mid", "audio/midi"),
    "metrics": ("metrics.csv", "text/csv; charset=utf-8"),
}
# The child: the report room's ``child`` (named from the imported module, no lookup).
CHILD = f"import sys; from {report_make.__name__} import {report_make.child.__name__} " \
        f"as run; sys.exit(run(sys.argv[1:]))"


def kinds() -> list[str]:
    """The files this station can make."""
    return list(KINDS)


class Reports:
    def __init__(self, journal: Path, clients_dir: Path) -> None:
        self.journal = Path(journal).resolve()
        self.clients_dir = Path(clients_dir)
        self._making = threading.Semaphore(1)

    # -- the list ---------------------------------------------------------------------
    def _connect(self):
        if not self.journal.is_file():
            raise BadRequest("there is no journal yet: nothing has been recorded.", 404)
        try:
            return queries.open_read_only(self.journal)
        except JournalError:
            raise BadRequest("the journal cannot be read just now; try again.", 503) \
                from None

    def sessions(self) -> list[dict]:
        """Newest first: id, start (UTC), minutes, who played, touches, notes, phases."""
        try:
            conn = self._connect()
        except BadRequest as exc:
            if exc.status == 404:
                return []
            raise
        try:
            rows = queries.recent_sessions(conn, MAX_SESSIONS)
            ids = [r.id for r in rows]
            if not ids:
                return []
            counts = queries.kind_counts(conn, ids, ("touch", "note", "phase"))
            who = queries.seated_clients(conn, ids)        # seated, not a refused file
            names = self._names(conn)
        except queries.ReadError:
            raise BadRequest("the journal cannot be read just now; try again.", 503) \
                from None
        finally:
            conn.close()
        out = []
        for r in rows:
            sid = r.id
            out.append({
                "id": sid, "started_at": r.started_at,
                "minutes": None if r.ended_ns is None else
                round((r.ended_ns - r.started_ns) / 60e9, 1),
                "running": r.ended_ns is None, "ended_by": r.ended_by,
                "started_by": r.started_by,
                "clients": sorted(names.get(c, c) for c in who.get(sid, [])),
                "touches": counts.get((sid, "touch"), 0), "notes": counts.get((sid, "note"), 0),
                "phases": counts.get((sid, "phase"), 0)})
        return out

    def ratings(self, session: int) -> dict[str, dict[str, int]]:
        """client id -> {goal id: level} rated in ``session`` so far (the latest rating of
        a goal wins, as in the report); empty without a journal or a ratings table."""
        try:
            conn = self._connect()
        except BadRequest:
            return {}
        try:
            rows = queries.session_ratings(conn, int(session))
            names = self._names(conn)
        except queries.ReadError:
            return {}
        finally:
            conn.close()
        out: dict[str, dict[str, int]] = {}
        for client, goal, level in rows:
            out.setdefault(names.get(client, client), {})[goal] = level
        return out

    def _names(self, conn) -> dict[str, str]:
        """pseudonym -> client id, for the clients of the folder (the panel is signed in;
        the journal itself still holds only pseudonyms)."""
        secret = queries.stored_secret(conn)
        if not secret:
            return {}
        try:
            ids = [p.stem for p in sorted(self.clients_dir.glob("*.yaml"))[:500]]
        except OSError:
            return {}
        return {pseudonym(cid, secret): cid for cid in ids}

    # -- the files ----------------------------------------------------------------------
    def make(self, session: int, kind: str) -> tuple[bytes, str, str]:
        """(bytes, content type, download name) of one session's ``kind`` file."""
        if kind not in kinds():
            raise BadRequest(f"there is no '{kind}' file; choose {', '.join(kinds())}.", 404)
        name, content_type = KINDS[kind]
        if not self._making.acquire(blocking=False):
            raise BadRequest("another file is being made; try again in a moment.", 503)
        folder = Path(tempfile.mkdtemp(prefix="station-panel-"))      # 0700
        try:
            out = folder / name
            # the therapist's copy names the clients of the folder
            cmd = [sys.executable, "-c", CHILD, kind, str(self.journal), str(int(session)),
                   str(out), str(self.clients_dir)]
            done = child.run(cmd, MAKE_TIMEOUT_S, "making the file took too long; try a "
                             "single session.", cwd=folder)
            if done.returncode != 0 or not out.is_file():
                raise BadRequest(f"the {kind} of session {session} could not be made: "
                                 f"{done.message}")
            data = out.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self._making.release()
        return data, content_type, f"session-{session}-{name}"
