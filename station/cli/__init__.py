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
            "panel", "plan", "song", "recover", "clinic", "sound"]
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
        path = _error_log(traceback.format_exc())
        where = f"the details in {path}" if path else "what you did (the details could " \
                                                       "not be saved)"
        print(f"station: an internal error stopped this command. Nothing was lost from the "
              f"journal. Please report it with {where}.", file=sys.stderr)
        return INTERNAL_ERROR


def _error_log(text: str) -> str | None:
    """Save ``text`` to a new private file (0600, a random name made with O_EXCL, so no
    one can plant a link there); in ~/.local/state/station (0700) or else the temp folder."""
    state = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"),
                                                              ".local", "state")
    for folder in (os.path.join(state, "station"), None):
        try:
            if folder is not None:
                os.makedirs(folder, mode=0o700, exist_ok=True)
                st = os.lstat(folder)
                if st.st_uid != os.getuid() or st.st_mode & 0o077:
                    continue            # not a private folder of ours: use the next place
            fd, path = tempfile.mkstemp(prefix="station-error-", suffix=".log", dir=folder)
        except OSError:
            continue
        with os.fdopen(fd, "w") as f:
            f.write(text)
        return path
    return None


def entry() -> None:
    sys.exit(main())
