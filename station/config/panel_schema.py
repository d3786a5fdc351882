"""The ``panel:`` section of the station config: the therapist's web panel. Definitions only.

The panel is off unless ``enabled: true``; it also needs a PIN (``station panel pin
--new``) before anyone can sign in. Addresses are IP addresses of this machine; TLS files
are paths relative to the station config. See docs/panel.md.
"""

from __future__ import annotations

import ipaddress

from station.core.schema import Field

NULL = Field("null")


def _ip_check(value: str) -> str | None:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return (f"'{value}' is not an IP address; use 0.0.0.0 (every network of this "
                f"machine), 127.0.0.1 (this machine only) or one of its addresses.")
    return None


def _tls_check(section: dict) -> str | None:
    if (section.get("tls_cert") is None) != (section.get("tls_key") is None):
        return ("give both tls_cert and tls_key (the certificate and its private key), "
                "or neither for plain HTTP.")
    return None


PANEL = Field("section", "The therapist's web panel for a tablet or phone (docs/panel.md).",
              fields={
    "enabled": Field("boolean", "Serve the panel. It also needs a PIN: station panel pin "
                     "--new.", default=False),
    "port": Field("integer", "TCP port of the panel (http://STATION:PORT). 0: any free port "
                  "(station status shows which).", default=8080, min=0, max=65535),
    "bind": Field("string", "IP address to listen on: 127.0.0.1 for this machine only (the "
                  "safe default); 0.0.0.0 for every network of this machine (the tablet on "
                  "the clinic's Wi-Fi: give tls_cert and tls_key too, else the station warns "
                  "at start).", default="127.0.0.1", check=_ip_check),
    "tls_cert": Field("one_of", "HTTPS certificate file (PEM), relative to this file; null: "
                      "plain HTTP (see docs/panel.md for the risk on a shared network).",
                      default=None, options=(Field("string"), NULL)),
    "tls_key": Field("one_of", "Private key (PEM) of tls_cert; null: plain HTTP.",
                     default=None, options=(Field("string"), NULL)),
    "idle_min": Field("number", "Sign the panel out after this many minutes without it "
                      "being open.", default=20.0, min=1.0, max=24 * 60, units="min"),
    "max_connections": Field("integer", "Connections served at once; more are answered "
                             "'busy' at once, so a flood cannot slow the station.",
                             default=16, min=4, max=64),
}, check=_tls_check)
