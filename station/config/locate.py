"""Which station config a command uses, and where the running station keeps its socket.

Lookup order (the first that is given or exists wins):

1. ``--config FILE`` on the command line;
2. ``$STATION_CONFIG``;
3. ``/etc/station/station.yaml`` (the service's config, ``deploy/install-service.sh``);
4. ``$XDG_CONFIG_HOME/station/station.yaml`` (``~/.config/station/station.yaml``);
5. the packaged example (``configs/station.yaml`` of the checkout or of the wheel).

A path given explicitly (1, 2) is used even if it is missing, so the error names it.

Runtime files (the control socket) go under ``$RUNTIME_DIRECTORY`` when systemd gives
one (``RuntimeDirectory=station`` in the unit), under ``/run/station`` when the config is
the service's, and under ``$XDG_RUNTIME_DIR`` for a user; ``control_socket:`` in the
config overrides all of them. Without any of these (a user session without
``XDG_RUNTIME_DIR``) the socket goes in a folder of the user's own, ``/tmp/station-UID/``,
never at a fixed name in the shared ``/tmp``, where another user could put a socket of
theirs first; the daemon makes that folder 0700 and refuses one that is not its own
(station.service.control). Everything takes the environment and the file-system root
as arguments, so tests build the lookup from a fake root and never read the real /etc.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping

from station.core.paths import CONFIGS

SYSTEM_CONFIG = Path("/etc/station/station.yaml")
SERVICE_RUNTIME = Path("/run/station")
PACKAGED_CONFIG = CONFIGS / "station.yaml"
SOCKET_NAME = "station.sock"


@dataclass(frozen=True)
class Found:
    """A config file and how it was found (shown by ``station doctor``)."""

    path: Path
    how: str

    @property
    def is_system(self) -> bool:
        return self.how == str(SYSTEM_CONFIG)


def find_config(explicit: str | Path | None = None, env: Mapping[str, str] | None = None,
                root: Path = Path("/"), home: Path | None = None) -> Found:
    """The config to use, by the lookup order above. ``root`` prefixes the fixed system
    paths (tests pass a temporary folder); ``home`` defaults to ``$HOME``."""
    env = os.environ if env is None else env
    if explicit:
        return Found(Path(explicit), "--config")
    if env.get("STATION_CONFIG"):
        return Found(Path(env["STATION_CONFIG"]), "$STATION_CONFIG")
    system = root / str(SYSTEM_CONFIG).lstrip("/")
    if system.is_file():
        return Found(system, str(SYSTEM_CONFIG))
    base = env.get("XDG_CONFIG_HOME") or str(
        (home or Path(env.get("HOME") or Path.home())) / ".config")
    user = Path(base) / "station" / "station.yaml"
    if user.is_file():
        return Found(user, "$XDG_CONFIG_HOME/station/station.yaml")
    return Found(PACKAGED_CONFIG, "the packaged example")


def runtime_dir(system: bool, env: Mapping[str, str] | None = None,
                root: Path = Path("/")) -> Path:
    """The folder for the control socket: systemd's ``$RUNTIME_DIRECTORY`` (the service),
    ``/run/station`` for the service's config, ``$XDG_RUNTIME_DIR`` for a user, else
    ``/tmp/station-UID`` (private, made by the daemon). ``system``: the config is the
    service's (``/etc/station``)."""
    env = os.environ if env is None else env
    given = (env.get("RUNTIME_DIRECTORY") or "").split(":")[0]
    if given:
        return Path(given)
    if system:
        return root / str(SERVICE_RUNTIME).lstrip("/")
    user = env.get("XDG_RUNTIME_DIR")
    if user and Path(user).is_dir():
        return Path(user)
    return Path("/tmp") / f"station-{os.getuid()}"


def socket_path(system: bool, env: Mapping[str, str] | None = None,
                root: Path = Path("/")) -> Path:
    """The default control socket (``control_socket:`` unset in the config)."""
    return runtime_dir(system, env, root) / SOCKET_NAME
