"""The Clients screen's "Tune from this session": a proposal, then Accept or Keep.

``propose`` runs ``station profile tune --json`` for the client seated at a player, on
the station's journal (the newest session unless one is named), in a child process at
the lowest CPU priority, as the Reports screen makes its files: the analysis and the
replay never hold the daemon's interpreter lock, so touches are not delayed by them.
The answer is the command's own: the proposal in words, the replay's numbers, whether it
is offered (it loses no ordinary touch that sounds now).

``accept`` writes the proposed ``touch:`` settings into the profile
(``profile_edit.accept_tuning``: checked first, the previous file kept as ``.bak``, the
version the panel showed must still be the file's). Keep is the panel doing nothing.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import sys
import threading
from pathlib import Path

from station.config.profile_edit import ProfileChanged, accept_tuning
from station.core.errors import JournalError, ProfileError
from station.journal.queries import open_read_only, recent_sessions
from station.panel import child
from station.panel.limits import BadRequest, field

TUNE_TIMEOUT_S = 60.0


def station_command() -> list[str]:
    """The installed ``station`` command (the console script beside this Python, or on
    the PATH): the proposal is made by the CLI as a therapist's terminal would run it."""
    script = Path(sys.executable).with_name("station")
    found = str(script) if script.exists() else shutil.which("station")
    if found is None:
        raise BadRequest("the 'station' command is not installed beside the panel, so no "
                         "proposal can be made; reinstall the station.", 500)
    return [found]


class Tuning:
    def __init__(self, reports, clients) -> None:
        self.reports = reports            # its journal path
        self.clients = clients
        self._busy = threading.Semaphore(1)

    def propose(self, client: str, data: dict) -> dict:
        path = self.clients.path_of(client)
        player = field(data, "player", int, what="a player number")
        session = field(data, "session", int, required=False, what="a session number")
        if session is None:
            session = self._newest()
        cmd = station_command() + ["profile", "tune", "--db", str(self.reports.journal),
                                   "--session", str(session), "--player", str(player),
                                   "--client", str(path), "--json"]
        if not self._busy.acquire(blocking=False):
            raise BadRequest("a proposal is being made; try again in a moment.", 503)
        try:
            done = child.run(cmd, TUNE_TIMEOUT_S, "the proposal took too long; try a "
                             "shorter session.")
        finally:
            self._busy.release()
        if done.returncode != 0:
            raise BadRequest(f"no proposal for {client}: {done.message}")
        try:
            return json.loads(done.out.decode("utf-8"))
        except ValueError:
            raise BadRequest("the proposal could not be read; the station's log has the "
                             "details.", 500) from None

    def accept(self, client: str, data: dict) -> dict:
        path = self.clients.path_of(client)
        version = field(data, "version", str, what="the version the panel was given")
        changes = field(data, "changes", dict, what="the proposed settings")
        try:
            profile = accept_tuning(path, changes, version)
        except ProfileChanged as exc:
            raise BadRequest(str(exc), 409) from None
        except ProfileError as exc:
            raise BadRequest(" ".join(exc.problems[:10])) from None
        return {"id": client, "version": profile.version, "saved": True,
                "touch": {k: profile.touch[k] for k in changes},
                "kept": path.name + ".bak"}

    def _newest(self) -> int:
        journal = self.reports.journal
        if not journal.is_file():
            raise BadRequest("there is no journal yet: nothing has been recorded.", 404)
        try:
            with contextlib.closing(open_read_only(journal)) as conn:
                newest = recent_sessions(conn, 1)
        except (sqlite3.Error, JournalError):
            raise BadRequest("the journal cannot be read just now; try again.", 503) \
                from None
        if not newest:
            raise BadRequest("there is no session in the journal yet: play a few minutes "
                             "first.", 404)
        return int(newest[0].id)
