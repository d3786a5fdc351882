"""What each panel route does. Everything that changes the station is a control command.

Commands go through ``call(cmd, args)``, the daemon's one command path
(``ControlServer.call``: the handler runs in the engine thread, the reply is
``{"ok": ..., "result" | "error": ...}``), with the same names and arguments as the CLI:
``use_client``, ``session``, ``turn``, ``volume``, ``status``, and ``plan`` (the plan and
goal routes are in station.panel.plans). The station's refusals come back as 400 with its
own plain words; a command the station does not know as 409 in plain words (an older
station: the page hides that control).

``status`` is asked of the engine at most once per ``STATUS_MAX_AGE_S`` whatever the
number of tablets, so the panel's load on the engine thread is bounded.
"""

from __future__ import annotations

import logging
import re
import shutil
import threading
import time
from collections.abc import Callable

from station.journal.sessions import MAX_NOTE, PHASES
from station.panel.limits import BadRequest, field
from station.panel.play import PlayRoutes
from station.panel.keys import KeyRoutes
from station.panel.plans import PlanRoutes
from station.panel.reports import kinds
from station.panel.clinic_reports import ClinicReports
from station.panel.server import Response
from station.panel.tuning import Tuning

log = logging.getLogger("station.panel")
STATUS_MAX_AGE_S = 0.25
DOCTOR_MAX_AGE_S = 30.0
TURN_MODES = ("free", "round_robin", "therapist", "call_response")
UNKNOWN_COMMAND = "does not know the command"
CLIENT = r"([A-Za-z0-9][A-Za-z0-9_.-]{0,63})"
REPORT_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                 "frame-ancestors 'self'; base-uri 'none'; form-action 'none'")


class Actions:
    def __init__(self, config, call: Callable[[str, dict], dict], clients, reports, feed, *,
                 doctor: Callable[[], list] | None = None,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.call = call
        self.clients = clients
        self.reports = reports
        self.feed = feed
        self.doctor_fn = doctor
        self.now = now
        self.players = {p.player: p for p in config.players}
        self.tuning = Tuning(reports, clients)      # the Clients screen's proposals
        self.clinic_files = ClinicReports(config, REPORT_POLICY)
        self.panel_status: Callable[[], dict] = dict
        self._lock = threading.Lock()
        self._status: tuple[float, dict] | None = None
        self._doctor: tuple[float, list] | None = None
        self._doctor_lock = threading.Lock()
        self.routes = {
            ("GET", "/api/status"): self.status, ("GET", "/api/layout"): self.layout,
            ("GET", "/api/station"): self.station, ("GET", "/api/doctor"): self.doctor,
            ("GET", "/api/clients"): self.client_list, ("GET", "/api/sessions"): self.sessions,
            ("POST", "/api/seat"): self.seat, ("POST", "/api/session"): self.session,
            ("POST", "/api/phase"): self.phase, ("POST", "/api/note"): self.note,
            ("POST", "/api/quiet"): self.quiet, ("POST", "/api/turn"): self.turn,
            ("POST", "/api/volume"): self.volume,
            **PlanRoutes(self).routes(), **PlayRoutes(self).routes(),
            **KeyRoutes(self).routes(),
            **self.clinic_files.routes(),              # the Reports screen's clinic
        }
        self.patterns = [
            ("GET", re.compile(rf"^/api/clients/{CLIENT}$"), self.client),
            ("POST", re.compile(rf"^/api/clients/{CLIENT}$"), self.edit_client),
            ("POST", re.compile(rf"^/api/clients/{CLIENT}/tune$"),
             lambda data, args: self.tuning.propose(args[0], data)),
            ("POST", re.compile(rf"^/api/clients/{CLIENT}/tune/accept$"),
             lambda data, args: self.tuning.accept(args[0], data)),
            ("GET", re.compile(r"^/api/sessions/(\d{1,9})/(report|csv|midi|metrics)$"),
             self.file),
        ]

    def route(self, method: str, path: str):
        """(handler, keyword params) for a request, or None."""
        handler = self.routes.get((method, path))
        if handler is not None:
            return handler, {}
        for m, pattern, handler in self.patterns:
            found = pattern.match(path)
            if found and m == method:
                return handler, {"args": found.groups()}
        return None

    # -- the command path -------------------------------------------------------------------
    def command(self, cmd: str, **args):
        reply = self.call(cmd, args)
        if reply.get("ok"):
            with self._lock:
                self._status = None          # what the command changed shows at once
            return reply.get("result")
        error = str(reply.get("error") or "the station refused.")
        if UNKNOWN_COMMAND in error:
            raise BadRequest(f"this station has no '{cmd}' command: it runs an older "
                             f"version; update the station to use this.", 409)
        if error.startswith("internal error"):
            log.error("panel: command %s failed: %s", cmd, error)
            raise BadRequest("the station had an internal problem with that; it keeps "
                             "playing. Details are in the station's log.", 500)
        raise BadRequest(error[:1].upper() + error[1:])

    def status(self, data=None) -> dict:
        """``station status --json``'s facts, at most STATUS_MAX_AGE_S old."""
        with self._lock:
            cached = self._status
        if cached is not None and self.now() - cached[0] < STATUS_MAX_AGE_S:
            return cached[1]
        result = self.command("status")
        with self._lock:
            self._status = (self.now(), result)
        return result

    # -- the Now screen -------------------------------------------------------------------
    def layout(self, data=None) -> dict:
        """What does not change while the station runs: players, pads, modes, features."""
        players = [{"player": p.player, "role": p.role, "pads": len(p.electrodes),
                    "switch": p.switch_gpio is not None} for p in self.config.players]
        return {"station": self.config.name, "players": players, "turn_modes": TURN_MODES,
                "phases": PHASES, "max_note": MAX_NOTE, "files": kinds(),
                "features": {"plan": self._has_plan()}}

    def _has_plan(self) -> bool:
        reply = self.call("plan", {"op": "status"})
        return reply.get("ok") or UNKNOWN_COMMAND not in str(reply.get("error"))

    def quiet(self, data: dict):
        on = field(data, "on", bool, required=False)
        return self.command("turn", op="quiet" if on is None or on else "resume")

    def turn(self, data: dict):
        op = field(data, "op", str, choices=("next", "set", "mode"))
        if op == "set":
            player = field(data, "player", int, what="a player number")
            self.check_player(player)
            return self.command("turn", op="set", player=player)
        if op == "mode":
            return self.command("turn", op="mode",
                                mode=field(data, "mode", str, choices=TURN_MODES))
        return self.command("turn", op="next")

    def volume(self, data: dict):
        master = field(data, "master", (int, float), what="a number from 0 to 1")
        if not 0.0 <= master <= 1.0:
            raise BadRequest("'master' must be from 0 (silent) to 1 (the configured "
                             "maximum); the panel can only turn the station down.")
        return self.command("volume", master=float(master))

    def check_player(self, player: int) -> None:
        if player not in self.players:
            raise BadRequest(f"there is no player {player}; this station has players "
                             f"{', '.join(map(str, sorted(self.players)))}.")

    # -- clients ----------------------------------------------------------------------------
    def client_list(self, data=None) -> dict:
        return {"clients": self.clients.listing(), "clients_dir": str(self.clients.dir),
                "examples_left_out": self.clients.examples()}

    def client(self, data, args) -> dict:
        return self.clients.detail(args[0])

    def edit_client(self, data: dict, args) -> dict:
        changes = field(data, "changes", dict, what="the settings to change")
        version = field(data, "version", str, required=False)
        return self.clients.edit(args[0], version, changes)

    def seat(self, data: dict) -> dict:
        player = field(data, "player", int, what="a player number")
        self.check_player(player)
        client = field(data, "client", str, what="a client id")
        self.clients.path_of(client)
        result = self.command("use_client", player=player, client=client)
        if result.get("ok"):
            return {"seated": True, "player": player, "client": result["client"],
                    "name": result.get("name")}
        lines = str(result.get("errors") or "").splitlines()
        problems = [ln.strip() for ln in lines[1:] if ln.strip()] or lines[:1]
        return {"seated": False, "player": player, "client": client, "problems": problems,
                "kept": result.get("kept")}

    # -- the session ------------------------------------------------------------------------
    def session(self, data: dict):
        op = field(data, "op", str, choices=("start", "stop", "close_previous"))
        if op == "close_previous":      # a fresh start after a resume (service.resume)
            return self.command("resume", op="close_previous", by="panel")
        return self.command("session", op=op, by="panel")

    def phase(self, data: dict):
        name = field(data, "name", str, what="a phase name like warm-up")
        return self.command("session", op="phase", name=name[:100], by="panel")

    def note(self, data: dict):
        """A note for the running session, or after it (the last one, within a day), or
        for the session ``data["session"]`` names (station.journal.late_notes)."""
        text = field(data, "text", str, what="the note's text")
        if len(text) > MAX_NOTE:
            raise BadRequest(f"a note is at most {MAX_NOTE} characters.")
        session = field(data, "session", int, required=False, what="a session number")
        return self.command("session", op="note", text=text, by="panel",
                            **({"session": session} if session is not None else {}))

    # -- reports ----------------------------------------------------------------------------
    def sessions(self, data=None) -> dict:
        return {"sessions": self.reports.sessions()}

    def file(self, data, args) -> Response:
        session, kind = int(args[0]), args[1]
        body, content_type, name = self.reports.make(session, kind)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if kind == "report":
            headers = {"Content-Disposition": f'inline; filename="{name}"',
                       "Content-Security-Policy": REPORT_POLICY,
                       "X-Frame-Options": "SAMEORIGIN"}
        return Response(200, body, content_type, headers)

    # -- the station --------------------------------------------------------------------------
    def station(self, data=None) -> dict:
        s = self.status()
        folder = self.reports.journal.parent
        try:
            usage = shutil.disk_usage(folder)
            disk = {"free_gb": round(usage.free / 1e9, 2),
                    "free_percent": round(100 * usage.free / usage.total, 1)}
        except OSError:
            disk = {"free_gb": None, "free_percent": None}
        faults = [{"at": at, "board": None if b is None else f"{b:#x}", "detail": d}
                  for at, b, d in reversed(self.feed.faults.copy())]
        return {"boards": s.get("boards"), "audio": s.get("audio"), "journal": s.get("journal"),
                "uptime_s": s.get("uptime_s"), "startup": s.get("startup"),
                "hardware": s.get("hardware"), "stuck_electrodes": s.get("stuck_electrodes"),
                "faults": faults, "disk": disk, "panel": self.panel_status(),
                "clinic": s.get("clinic")}

    def doctor(self, data=None) -> dict:
        if self.doctor_fn is None:
            raise BadRequest("the station's checks are not available here.", 501)
        with self._doctor_lock:
            cached = self._doctor
            if cached is None or self.now() - cached[0] > DOCTOR_MAX_AGE_S:
                cached = (self.now(), self.doctor_fn())
                self._doctor = cached
        return {"checks": cached[1]}
