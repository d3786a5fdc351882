"""The Reports screen: the journal's sessions, and each one's report, CSV, MIDI and metrics.

The list is read here, from a read-only connection to the journal (a few indexed
queries). The files are made by the ``station`` command itself (``station report``,
``station export``) in a child process at the lowest CPU priority: drawing a report's
plots takes a second or more of CPU, and in a child it never holds the daemon's
interpreter lock, so the engine's touches are not delayed by it. The child writes into a
private temporary folder (0700, removed at once), never beside the journal; the bytes go
to the browser. One file is made at a time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from station.journal.pseudonym import pseudonym
from station.panel.limits import BadRequest

MAX_SESSIONS = 200          # listed, newest first
MAKE_TIMEOUT_S = 180.0
KINDS = {  # kind -> (station arguments, file name, content type)
    "report": (["report"], "report.html", "text/html; charset=utf-8"),
    "csv": (["export", "--format", "csv"], "session.csv", "text/csv; charset=utf-8"),
    "midi": (["export", "--format", "midi"], "session.mid", "audio/midi"),
    "metrics": (["export", "--format", "metrics"], "metrics.csv", "text/csv; charset=utf-8"),
}


def kinds() -> list[str]:
    """The files this station can make: the metrics export only where the report room has
    it (a station older than the metrics export lists the others)."""
    import importlib.util
    have_metrics = importlib.util.find_spec("station.report.export_metrics") is not None
    return [k for k in KINDS if k != "metrics" or have_metrics]


class Reports:
    def __init__(self, journal: Path, clients_dir: Path,
                 command: list[str] | None = None) -> None:
        self.journal = Path(journal).resolve()
        self.clients_dir = Path(clients_dir)
        self.command = command or [sys.executable, "-m", "station"]
        self._making = threading.Semaphore(1)

    # -- the list ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        if not self.journal.is_file():
            raise BadRequest("there is no journal yet: nothing has been recorded.", 404)
        try:
            return sqlite3.connect(f"file:{self.journal}?mode=ro", uri=True, timeout=2.0)
        except sqlite3.Error:
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
            rows = conn.execute(
                "SELECT id, started_at, started_ns, ended_ns, started_by, ended_by "
                "FROM sessions ORDER BY started_unix_ns DESC, id DESC LIMIT ?",
                (MAX_SESSIONS,)).fetchall()
            ids = [r[0] for r in rows]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            counts: dict[tuple[int, str], int] = {}
            for sid, kind, n in conn.execute(
                    f"SELECT session_id, kind, COUNT(*) FROM events WHERE session_id IN "
                    f"({marks}) AND kind IN ('touch', 'note', 'phase') "
                    f"GROUP BY session_id, kind", ids):
                counts[(sid, kind)] = n
            who: dict[int, list[str]] = {}
            for sid, client in conn.execute(
                    f"SELECT DISTINCT session_id, client FROM events WHERE session_id IN "
                    f"({marks}) AND kind = 'profile' AND client IS NOT NULL AND detail "
                    f"LIKE 'use:%'", ids):             # seated, not a refused file
                who.setdefault(sid, []).append(client)
            names = self._names(conn)
        except sqlite3.Error:
            raise BadRequest("the journal cannot be read just now; try again.", 503) \
                from None
        finally:
            conn.close()
        out = []
        for sid, started_at, started_ns, ended_ns, started_by, ended_by in rows:
            out.append({
                "id": sid, "started_at": started_at,
                "minutes": None if ended_ns is None else round((ended_ns - started_ns) / 60e9, 1),
                "running": ended_ns is None, "ended_by": ended_by, "started_by": started_by,
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
            rows = conn.execute("SELECT client, goal, level FROM ratings WHERE session_id = ? "
                                "ORDER BY id", (int(session),)).fetchall()
            names = self._names(conn)
        except sqlite3.Error:
            return {}
        finally:
            conn.close()
        out: dict[str, dict[str, int]] = {}
        for client, goal, level in rows:
            out.setdefault(names.get(client, client), {})[goal] = level
        return out

    def _names(self, conn: sqlite3.Connection) -> dict[str, str]:
        """pseudonym -> client id, for the clients of the folder (the panel is signed in;
        the journal itself still holds only pseudonyms)."""
        row = conn.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
        if not row:
            return {}
        try:
            ids = [p.stem for p in sorted(self.clients_dir.glob("*.yaml"))[:500]]
        except OSError:
            return {}
        return {pseudonym(cid, row[0]): cid for cid in ids}

    # -- the files ----------------------------------------------------------------------
    def make(self, session: int, kind: str) -> tuple[bytes, str, str]:
        """(bytes, content type, download name) of one session's ``kind`` file."""
        if kind not in kinds():
            raise BadRequest(f"there is no '{kind}' file; choose {', '.join(kinds())}.", 404)
        args, name, content_type = KINDS[kind]
        if not self._making.acquire(blocking=False):
            raise BadRequest("another file is being made; try again in a moment.", 503)
        folder = Path(tempfile.mkdtemp(prefix="station-panel-"))      # 0700
        try:
            out = folder / name
            cmd = self.command + args + ["--db", str(self.journal), "--session",
                                         str(session), "-o", str(out)]
            if kind == "report":        # the therapist's copy names the clients
                cmd += ["--clients", str(self.clients_dir)]
            env = dict(os.environ, STATION_LOG="WARNING")
            proc = subprocess.Popen(cmd, cwd=folder, env=env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                os.setpriority(os.PRIO_PROCESS, proc.pid, 19)    # the engine comes first
            except OSError:
                pass
            try:
                _, err = proc.communicate(timeout=MAKE_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                raise BadRequest("making the file took too long; try a single session.",
                                 503) from None
            if proc.returncode != 0 or not out.is_file():
                lines = err.decode("utf-8", "replace").strip().splitlines()
                message = lines[-1].removeprefix("station: ") if lines else "it failed"
                raise BadRequest(f"the {kind} of session {session} could not be made: "
                                 f"{message}")
            data = out.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self._making.release()
        return data, content_type, f"session-{session}-{name}"
