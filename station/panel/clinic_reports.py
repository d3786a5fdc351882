"""The Reports screen's clinic part: the report and metrics across rooms, when configured.

With a ``clinic:`` section the Reports screen offers the clinic's report (HTML) and its
metrics (CSV), read from the clinic database by the very commands a therapist would run,
``station report --clinic`` and ``station export --clinic --format metrics`` do, in the
panel's low-priority child (``station.panel.child``): gathering a clinic's weeks takes
seconds of CPU that must never be the engine's. The child's code is the daemon's to give
(``station.service.clinic_child``: this room may not reach the clinic room); without it
the screen offers nothing. They read as the report role of
``clinic.report_database`` (every room), or else as this station's role (its own room
only: the database's row-level security decides, not the panel). Clients appear as
pseudonyms: the clinic holds no names. One file is made at a time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from pathlib import Path

from station.panel import child
from station.panel.limits import BadRequest
from station.panel.server import Response

MAKE_TIMEOUT_S = 300.0
FILES = {"report": ("clinic-report.html", "text/html; charset=utf-8"),
         "metrics": ("clinic-metrics.csv", "text/csv; charset=utf-8")}


class ClinicReports:
    """``/api/clinic`` (what is offered) and ``/api/clinic/report|metrics`` (the files)."""

    def __init__(self, config, report_policy: str) -> None:
        section = config.raw.get("clinic") or {}
        self.config_path = Path(config.path)
        self.clinic = bool(section)
        self.database = section.get("report_database")
        self.child: str | None = None        # python -c code, set by the daemon
        self.policy = report_policy
        self._making = threading.Semaphore(1)

    def routes(self) -> dict:
        return {("GET", "/api/clinic"): self.info,
                ("GET", "/api/clinic/report"): lambda data=None: self.make("report"),
                ("GET", "/api/clinic/metrics"): lambda data=None: self.make("metrics")}

    @property
    def enabled(self) -> bool:
        return self.clinic and self.child is not None

    def info(self, data=None) -> dict:
        return {"enabled": self.enabled, "files": list(FILES),
                "rooms": "every room" if self.database else "this room only"}

    def command(self, kind: str, out: Path) -> list[str]:
        return [sys.executable, "-c", str(self.child), kind, str(self.config_path),
                self.database or "", str(out)]

    def make(self, kind: str) -> Response:
        if not self.enabled:
            raise BadRequest("this station is not part of a clinic (no clinic: section in "
                             "its config).", 404)
        name, content_type = FILES[kind]
        if not self._making.acquire(blocking=False):
            raise BadRequest("the clinic's file is being made; try again in a moment.", 503)
        folder = Path(tempfile.mkdtemp(prefix="station-clinic-"))        # 0700
        try:
            out = folder / name
            done = child.run(self.command(kind, out), MAKE_TIMEOUT_S, "the clinic's "
                             "report took too long; try again later.", cwd=folder)
            if done.returncode != 0 or not out.is_file():
                raise BadRequest(f"the clinic's {kind} could not be made: {done.message}",
                                 502)
            body = out.read_bytes()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self._making.release()
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if kind == "report":
            headers = {"Content-Disposition": f'inline; filename="{name}"',
                       "Content-Security-Policy": self.policy,
                       "X-Frame-Options": "SAMEORIGIN"}
        return Response(200, body, content_type, headers)
