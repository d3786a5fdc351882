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
    # SIGHUP (systemctl reload) kills a Python process that has no handler for it; start-up
    # (imports, the soundfont, the boards) takes seconds, so the signal is caught from here
    # on and answered once the station runs (station.service.daemon).
    import signal
    import threading
    early_hups: list[int] = []
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGHUP, lambda signum, frame: early_hups.append(signum))
    from station.service.daemon import run
    return run(args.config, hardware=args.hardware, audio=not args.no_audio,
               early_hups=early_hups)
