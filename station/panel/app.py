"""The panel as the daemon sees it: built from the config, started, stopped, described.

The daemon builds a ``Panel`` only when ``panel.enabled`` is true (the module is not even
imported otherwise), adds ``panel.feed.observe`` to the engine's listeners, starts the panel
after its control socket, and closes it before the station. A port that is taken does not stop the
station: the panel stays off and ``status()["error"]`` says why; a TLS file that cannot
be used is a config error (the station does not start half-secured). A panel that listens
on every network of the machine over plain HTTP starts, as configured, but says so: one
warning in the log at start and ``status()["warning"]`` (shown by ``station status``).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable

from station.panel.actions import Actions
from station.panel.api import Api
from station.panel.auth import Gate
from station.panel.clients import Clients
from station.panel.feed import LiveFeed
from station.panel.keep import kept_path
from station.panel.pin import pin_path
from station.panel.reports import Reports
from station.panel.server import HttpServer, tls_context

log = logging.getLogger("station.panel")


class Panel:
    def __init__(self, config, call: Callable[[str, dict], dict], *,
                 doctor: Callable[[], list] | None = None) -> None:
        p = config.raw["panel"]
        self.bind = p["bind"]
        tls = tls_context(config.path, p["tls_cert"], p["tls_key"])
        self.scheme = "https" if tls is not None else "http"
        self.feed = LiveFeed()
        self.gate = Gate(pin_path(config.journal), idle_s=p["idle_min"] * 60.0,
                         kept=kept_path(config.journal))
        clients = Clients(config.clients_dir, config.roster, config.max_volume)
        reports = Reports(config.journal, config.clients_dir)
        self.actions = Actions(config, call, clients, reports, self.feed, doctor=doctor)
        self.actions.panel_status = self.status
        self.api = Api(self.actions, self.gate, self.feed, secure=tls is not None,
                       max_streams=max(2, p["max_connections"] // 4))
        self.http = HttpServer(self.api, p["bind"], p["port"], p["max_connections"], tls)
        self._url: str | None = None
        self.warning = None
        if p["bind"] in ("0.0.0.0", "::") and tls is None:
            self.warning = ("the panel listens on every network of this machine over plain "
                            "HTTP: anyone on those networks can reach its sign-in page and "
                            "read what it sends, PIN included. Give panel.tls_cert and "
                            "tls_key, or bind it to one address (docs/panel.md).")

    def start(self) -> None:
        self.http.start()
        self._url = self._address()     # once: status() runs in the engine thread
        if self.http.running and self.warning:
            log.warning("panel: %s", self.warning)
        if self.http.running:
            log.info("panel: open %s on the tablet%s", self.url,
                     "" if self.gate.pin_set() else
                     " (no PIN yet: run 'station panel pin --new')")

    def close(self) -> None:
        self.api.closing.set()
        self.http.close()

    @property
    def url(self) -> str:
        return self._url or self._address()

    def _address(self) -> str:
        host = self.bind
        if host in ("0.0.0.0", "::"):
            host = lan_address()
        if ":" in host:
            host = f"[{host}]"
        return f"{self.scheme}://{host}:{self.http.port}/"

    def status(self) -> dict:
        return {"enabled": True, "running": self.http.running,
                "url": self.url if self.http.running else None,
                "port": self.http.port, "bind": self.bind, "tls": self.scheme == "https",
                "error": self.http.error, "warning": self.warning,
                "refused_busy": self.http.refused,
                **self.api.status()}


def lan_address() -> str:
    """This machine's address on its local network (no packet is sent), else 127.0.0.1."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))          # TEST-NET: picks the outgoing interface only
        return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        s.close()
