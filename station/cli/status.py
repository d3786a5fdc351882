"""``station status``: ask the running daemon how it is, over its control socket."""

from __future__ import annotations

import json


def register(sub) -> None:
    p = sub.add_parser("status", help="show the running station's health: boards, players, "
                       "session, last touch, journal, audio, uptime")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example); it names the control socket")
    p.add_argument("--socket", help="control socket path (overrides the config's)")
    p.add_argument("--json", action="store_true", help="print the full status as JSON")
    p.set_defaults(func=main)


def socket_path(args):
    from pathlib import Path
    if getattr(args, "socket", None):
        return Path(args.socket)
    from station.config.station import load_config
    return load_config(args.config).control_socket


def main(args) -> int:
    from station.service.control import request
    from station.service.status import status_text
    status = request(socket_path(args), "status", retry_s=3.0)   # busy: retry briefly
    if args.json:
        print(json.dumps(status, indent=2, sort_keys=True, default=str))
    else:
        print(status_text(status))
    return 0
