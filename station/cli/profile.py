"""``station profile check|list|new|use|tune``: client profiles for therapists.

* ``check FILE...``  every problem of every file; exit 0 when all are valid, 1 otherwise.
* ``list``           the clients of the station's clients folder (id, name, the journal's
                     pseudonym, sound), marking the roster and invalid files.
* ``new ID``         write a commented template (every key at its default) that passes
                     ``check``; never overwrites.
* ``use ID --player N``  seat a client (an id of the clients folder, never a path) in
                     the running station; a refused profile prints its problems and
                     exits 1 (the previous client plays on).
* ``tune --db J --session N --player P``  touch: settings proposed from the client's own
                     play, with a replay of what they would change (``station.cli.tune``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REFUSED = 1


def register(sub) -> None:
    p = sub.add_parser("profile", help="check, list, create and seat client profiles")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    c = verbs.add_parser("check", help="check profile files; exit 1 if any has a problem")
    c.add_argument("files", nargs="+", metavar="FILE", help="profile files (or client ids)")
    c.add_argument("--config", help="station config (for client ids; default: packaged)")
    c.set_defaults(func=check)
    li = verbs.add_parser("list", help="list the clients of the station")
    li.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                     "~/.config/station, the example)")
    li.set_defaults(func=list_clients)
    n = verbs.add_parser("new", help="write a commented template profile")
    n.add_argument("id", help="client id: the file name without .yaml (letters, digits, - _)")
    n.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    n.add_argument("--dir", help="folder to write to (default: the config's clients_dir)")
    n.set_defaults(func=new)
    u = verbs.add_parser("use", help="seat a client at a player in the running station")
    u.add_argument("client", help="client id (a profile of the station's clients folder)")
    u.add_argument("--player", type=int, required=True, help="player number 1..6")
    u.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    u.set_defaults(func=use)
    from station.cli.tune import register as register_tune
    register_tune(verbs)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _clients_dir(args) -> Path:
    from station.config.station import load_config
    return load_config(args.config).clients_dir


def check(args) -> int:
    from station.config.profile import load_profile
    from station.core.errors import ProfileError
    bad = 0
    clients_dir = None
    for item in args.files:
        try:
            if "/" not in item and not item.endswith((".yaml", ".yml")) \
                    and not Path(item).exists():
                clients_dir = clients_dir or _clients_dir(args)
                profile = load_profile(item, clients_dir)
            else:
                profile = load_profile(Path(item))
        except ProfileError as exc:
            bad += 1
            print(str(exc))
            continue
        print(f"{profile.path}: OK ({profile.name}; {profile.music['mode']}, "
              f"{profile.timbre().name})")
    if len(args.files) > 1:
        print(f"{len(args.files) - bad} of {len(args.files)} profile(s) valid.")
    return 1 if bad else 0


def list_clients(args) -> int:
    from station.config.profile import load_profile
    from station.config.station import load_config
    from station.core.errors import ProfileError
    from station.journal.pseudonym import pseudonym
    config = load_config(args.config)
    secret = _journal_secret(config.journal)
    files = sorted(config.clients_dir.glob("*.yaml"))
    if not files:
        print(f"No client profiles in {config.clients_dir}. Create one with: "
              f"station profile new ID")
        return 0
    print(f"{'client':<20} {'name':<18} {'journal id':<11} sound")
    for path in files:
        cid = path.stem
        mark = " (roster)" if cid in config.roster else ""
        alias = pseudonym(cid, secret) if secret else "—"
        try:
            p = load_profile(path)
        except ProfileError as exc:
            first = exc.problems[0].strip().split(str(path), 1)[-1].lstrip(":0123456789 ")
            more = f" (+{len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
            print(f"{cid:<20} {'INVALID':<18} {alias:<11} {first[:60]}{more}{mark}")
            continue
        print(f"{cid:<20} {p.name[:18]:<18} {alias:<11} {p.timbre().name}, "
              f"{p.music['mode']}{mark}")
    return 0


def _journal_secret(path: Path) -> str | None:
    """The journal's pseudonym secret, read-only; None if there is no journal yet."""
    from station.journal.store import read_meta
    return read_meta(path, "secret")


def new(args) -> int:
    from station.config.profile import ID_PATTERN
    from station.config.profile_docs import template
    from station.core.errors import ProfileError
    if not ID_PATTERN.match(args.id):
        raise ProfileError(f"'{args.id}' cannot be a client id: use letters, digits, '-' and "
                           f"'_' (it becomes the file name).")
    folder = Path(args.dir) if args.dir else _clients_dir(args)
    path = folder / f"{args.id}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # O_EXCL: never over an existing file, nor through a link someone left there.
        # 0600: a profile holds a name, goals and consent. Made with sudo, it is given to
        # the clients folder's owner (the station's user), so the daemon can read it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                     | os.O_CLOEXEC, 0o600)
        owner = folder.stat()
        if os.geteuid() == 0 and owner.st_uid != 0:
            os.fchown(fd, owner.st_uid, owner.st_gid)
    except FileExistsError:
        raise ProfileError(f"{path} already exists; edit it, or pick another id.") from None
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be written ({exc.strerror}).") from None
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(template(args.id))
    print(f"wrote {path}; edit it, then: station profile check {path}")
    return 0


def use(args) -> int:
    from station.config.station import load_config
    from station.service.control import request
    from station.config.profile import ID_PATTERN
    from station.core.errors import ProfileError
    from station.core.schema import fragment
    config = load_config(args.config)
    client = args.client
    if not ID_PATTERN.match(client):      # an id, never a path: nothing else is read
        raise ProfileError(f"'{fragment(client, 40)}' is not a client id. 'station profile "
                           f"use' takes the id of a profile in the station's clients folder "
                           f"({config.clients_dir}), like alex. To use a file from "
                           f"elsewhere, check it (station profile check FILE) and copy it "
                           f"there first.")
    result = request(config.control_socket, "use_client", player=args.player, client=client)
    if not result.get("ok"):
        print(result.get("errors", "the profile was refused."), file=sys.stderr)
        kept = result.get("kept")
        print(f"station: refused; player {args.player} keeps "
              f"{kept or 'nobody'}.", file=sys.stderr)
        return REFUSED
    print(f"player {result['player']}: now {result['client']} ({result['name']}, profile "
          f"{result['version']})")
    return 0
