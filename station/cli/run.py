"""``station run``: the daemon in the foreground."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("run", help="run the station daemon (foreground; Ctrl-C stops it)")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    p.add_argument("--hardware", choices=("pi", "sim"), default="pi",
                   help="pi: real boards and pins; sim: the built-in simulator")
    p.add_argument("--no-audio", action="store_true",
                   help="do not open an audio device (the journal still records)")
    p.set_defaults(func=main)


def main(args) -> int:
    from station.service.daemon import run
    return run(args.config, hardware=args.hardware, audio=not args.no_audio)
