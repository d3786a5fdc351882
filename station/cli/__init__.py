"""The ``station`` command. Each command group lives in its own module of this package.

A module listed in ``COMMANDS`` provides ``register(subparsers)``, which adds its
subcommands with ``set_defaults(func=...)``; ``func(args) -> int`` is the exit code.
No traceback ever reaches the therapist: StationErrors print their plain message
and exit with their code; anything unexpected prints one line and the log path.

May import: every subpackage (the command is the top of the direction).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import traceback

COMMANDS = ["run", "simulate", "journal", "status", "doctor", "turn", "profile", "demo",
            "panel", "plan", "song"]
INTERNAL_ERROR = 70


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="station", description="The adaptive instrument station for music therapy.")
    from station import __version__
    parser.add_argument("--version", action="version", version=f"station {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"station.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from station.core.logs import setup_logging
    setup_logging(os.environ.get("STATION_LOG", "INFO"))    # <N> prefixes under systemd
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    from station.core.errors import StationError
    try:
        return int(args.func(args) or 0)
    except StationError as exc:
        print(f"station: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("station: stopped.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception:  # the last line of defence: one plain line, details to a file
        path = os.path.join(tempfile.gettempdir(), f"station-error-{os.getpid()}.log")
        with open(path, "w") as f:
            traceback.print_exc(file=f)
        print(f"station: an internal error stopped this command. Nothing was lost from the "
              f"journal. Please report it with the details in {path}.", file=sys.stderr)
        return INTERNAL_ERROR


def entry() -> None:
    sys.exit(main())
