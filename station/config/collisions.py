"""Cross-checks of the station config's files and ids: nothing collides, nothing is missing.

A station config names several paths: the journal (with its ``-wal``, ``-shm``,
``-journal`` and ``.lock`` side files), the control socket, the clients folder, the
soundfont and the config itself. If two of them are the same file, the station destroys
one: the daemon removes a stale control socket at start, so ``control_socket`` equal to
``journal`` would delete the journal. A journal in a folder the system empties (``/run``,
where systemd keeps the control socket; ``/dev/shm``) would be lost at the next stop or
boot. Every such config is refused before anything starts, at the key's line.

Client ids (``roster`` and each player's ``client``) are ids, never paths; each roster id
must name a profile in ``clients_dir`` (``alex`` is ``clients_dir/alex.yaml``). A
player's client that is missing is refused at start like a bad profile (the seat stays
empty): never a reason not to start.
"""

from __future__ import annotations

import os
from pathlib import Path

from station.config.profile import ID_PATTERN
from station.core.schema import fragment, suggest

SIDE_FILES = ("-wal", "-shm", "-journal", ".lock")
VOLATILE = (Path("/run"), Path("/var/run"), Path("/dev/shm"), Path("/dev"), Path("/proc"),
            Path("/sys"))


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_files(config_path: Path, raw: dict, socket: Path, problems: list) -> None:
    """Append ``(key path, message)`` for colliding or unusable paths of the config.

    ``socket`` is the control socket the config resolves to (its default when null)."""
    base = config_path.parent
    journal = Path(os.path.abspath(raw["journal"]))
    family = {journal} | {journal.with_name(journal.name + s) for s in SIDE_FILES}
    clients = Path(os.path.abspath(base / raw["clients_dir"]))
    config = Path(os.path.abspath(config_path))
    sock = Path(os.path.abspath(socket))
    soundfont = (Path(os.path.abspath(base / Path(raw["soundfont"]).expanduser()))
                 if raw.get("soundfont") else None)
    others = {config: "this config file", soundfont: "the soundfont"}
    if sock in family:
        problems.append((("control_socket",), "control_socket is the journal or one of its "
                         "side files: the station removes a stale socket at start and would "
                         "delete the journal. Give the socket its own path, e.g. "
                         "/run/station/station.sock."))
    elif sock in others:
        problems.append((("control_socket",), f"control_socket is {others[sock]}; the station "
                         f"would remove it at start. Give the socket its own path."))
    elif _inside(sock, clients):
        problems.append((("control_socket",), "control_socket is inside clients_dir, the "
                         "profiles' folder; give the socket its own path."))
    if journal in others:
        problems.append((("journal",), f"journal is {others[journal]}; the journal would "
                         f"overwrite it. Give the journal its own file, e.g. "
                         f"/var/lib/station/station.db."))
    elif _inside(journal, clients):
        problems.append((("journal",), "journal is inside clients_dir: profiles are copied "
                         "and shared, the journal is health data. Keep it in its own "
                         "folder, e.g. /var/lib/station/station.db."))
    for folder in VOLATILE:
        if _inside(journal, folder):
            problems.append((("journal",), f"journal is under {folder}, which the system "
                             f"empties at shutdown (and systemd empties the station's "
                             f"runtime folder when it stops): the journal would be lost. "
                             f"Use a lasting folder, e.g. /var/lib/station/station.db."))
            break
    if journal.is_dir():
        problems.append((("journal",), "journal is a folder; give the journal's file name, "
                         "e.g. station.db inside it."))
    elif journal.exists() and not journal.is_file():
        problems.append((("journal",), "journal is not a regular file (a device, pipe or "
                         "socket); give the journal its own file."))


def check_clients(config_path: Path, raw: dict, problems: list) -> None:
    """Every roster id and every player's ``client`` names a profile in clients_dir."""
    clients = (config_path.parent / raw["clients_dir"]).resolve()
    known: list[str] | None = None

    def check(cid, where: tuple, what: str, must_exist: bool) -> None:
        nonlocal known
        if not isinstance(cid, str):
            return
        if not ID_PATTERN.match(cid):
            problems.append((where, f"{what} '{fragment(cid, 40)}' is not a client id: an id "
                             f"is a profile's file name without .yaml (letters, digits, '-', "
                             f"'_'), never a path."))
            return
        if must_exist and not (clients / f"{cid}.yaml").is_file():
            if known is None:
                known = sorted(p.stem for p in _profiles(clients))
            listed = f" Profiles there: {', '.join(known[:12])}." if known else ""
            problems.append((where, f"{what} '{cid}' has no profile {clients / cid}.yaml"
                             f"{suggest(cid, known)}. Create it (station profile new "
                             f"{cid}) or remove it here.{listed}"))

    for i, cid in enumerate(raw.get("roster") or ()):
        check(cid, ("roster", i), "roster id", must_exist=True)
    for i, p in enumerate(raw.get("players") or ()):
        # a seat's profile that is missing or bad is refused at start (the seat stays
        # empty, its light shows it); it is never a reason not to start
        check(p.get("client"), ("players", i, "client"), f"player {p.get('player')}'s "
              f"client", must_exist=False)


def _profiles(folder: Path) -> list[Path]:
    try:
        return [p for _, p in zip(range(1000), folder.glob("*.yaml"))]
    except OSError:
        return []
