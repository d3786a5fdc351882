"""``station doctor``: check a Raspberry Pi's set-up and say how to fix each problem.

Each check returns a ``Check``: ok or not, what was found, and the fix in words a
technician can type. Off a Pi (a laptop, CI) it says so plainly and runs only the checks
that make sense there (config, soundfont, FluidSynth, sound card). Every path the checks
read hangs off ``Machine.root`` and every group lookup goes through ``Machine.groups``,
so the checks run against a prepared folder in tests; nothing here needs root. The
checks of the touch boards, Blinka and the GPIO library are in ``doctor_pi``.
"""

from __future__ import annotations

import grp
import importlib.util
import os
import pwd
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable

from station.core.errors import StationError
from station.service import doctor_pi
from station.sound.audio_guard import device_problem

GROUPS = ("gpio", "i2c", "audio")
SERVICE_USER = "station"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    found: str
    fix: str = ""
    info: bool = False          # informational only: never a problem


def _user_groups(user: str) -> set[str]:
    try:
        pw = pwd.getpwnam(user)
    except KeyError:
        return set()
    names = {g.gr_name for g in grp.getgrall() if user in g.gr_mem}
    with_primary = names | {grp.getgrgid(pw.pw_gid).gr_name}
    return with_primary


def _open_i2c(path: Path):
    from hardware.i2c_dev import LinuxI2C
    return LinuxI2C(path)


def _try_import(name: str) -> str | None:
    """Import ``name`` as the daemon would; None if it loads, else what went wrong."""
    os.environ.setdefault("BLINKA_SKIP_DEPENDENCY_CHECK", "1")
    try:
        importlib.import_module(name)
    except Exception as exc:         # Blinka raises ImportError, RuntimeError, NotImplemented...
        return f"{type(exc).__name__}: {exc}"
    return None


def _daemon_status(config) -> dict | None:
    """The running station's status, or None when none answers on its socket."""
    from station.core.errors import ControlError
    from station.service.control import request
    try:
        return request(config.control_socket, "status", retry_s=1.0, timeout=3.0)
    except ControlError:
        return None


@dataclass
class Machine:
    """Where to look: ``root`` of the file system, how to read a user's groups, how to
    find a Python module (``find_module(name) -> bool``), open an I2C bus
    (``open_i2c(path)``, see hardware.i2c_dev), import a module (``try_import(name)``:
    None or the error), the environment, and a running station's status."""

    root: Path = Path("/")
    groups: Callable[[str], set[str]] = _user_groups
    find_module: Callable[[str], bool] = lambda name: importlib.util.find_spec(name) is not None
    user: str | None = None
    extra: dict = field(default_factory=dict)
    open_i2c: Callable[[Path], object] = _open_i2c
    try_import: Callable[[str], str | None] = _try_import
    env: dict = field(default_factory=lambda: dict(os.environ))
    daemon_status: Callable[[object], dict | None] = _daemon_status

    def path(self, p: str) -> Path:
        return self.root / p.lstrip("/")

    def model(self) -> str | None:
        from station.core.files import read_limited
        try:
            text = read_limited(self.path("/proc/device-tree/model"), 4096, OSError)
        except OSError:
            return None
        model = text.rstrip(b"\0").decode(errors="replace").strip()
        return model if "raspberry pi" in model.lower() else None


def check_all(config_path=None, machine: Machine | None = None) -> list[Check]:
    m = machine or Machine()
    checks: list[Check] = []
    model = m.model()
    if model:
        checks.append(Check("machine", True, model, info=True))
    else:
        checks.append(Check("machine", True, "this is not a Raspberry Pi: the I2C, GPIO and "
                            "group checks are skipped (use --hardware sim here)", info=True))
    config = _check_config(config_path, checks)
    status = m.daemon_status(config) if config is not None else None
    _check_running(config, status, checks)
    _check_clinic(config, status, checks)
    _check_sound(config, m, checks)
    if model:
        _check_pi(model, m, checks)
        if m.path("/dev/i2c-1").exists():
            doctor_pi.check_boards(config, status, m, checks, Check)
        doctor_pi.check_board_module(m, checks, Check)
        doctor_pi.check_pins(model, m, checks, Check)
    return checks


def _check_config(config_path, checks):
    from station.config.station import load_config
    try:
        config = load_config(config_path)
    except StationError as exc:
        checks.append(Check("config", False, str(exc), "fix the lines named above, then run "
                            "'station doctor' again."))
        return None
    checks.append(Check("config", True, f"{config.path} is valid (found by "
                        f"{config.found_by}; order: --config, $STATION_CONFIG, "
                        f"/etc/station/station.yaml, $XDG_CONFIG_HOME/station/station.yaml, "
                        f"the packaged example)"))
    journal = Path(config.journal).resolve()
    folder = next((p for p in (journal.parent, *journal.parents) if p.exists()), None)
    if folder is not None and os.access(folder, os.W_OK):
        checks.append(Check("journal", True, f"{journal} can be written"))
    else:
        checks.append(Check("journal", False, f"the journal folder {journal.parent} is not "
                            f"writable by this user", f"sudo install -d -o {SERVICE_USER} -m 700 "
                            f"{journal.parent}"))
    return config


def _check_running(config, status: dict | None, checks) -> None:
    """If the station runs (``status``: its answer), is its journal writing? (The writer
    is a thread of its own.)"""
    if config is None:
        return
    if status is None:
        checks.append(Check("station", True, "not running here (when it runs, 'station "
                            "status' shows its journal and audio)", info=True))
        return
    j = status.get("journal") or {} if isinstance(status, dict) else {}
    if j.get("writing", j.get("ok")) and not j.get("error"):
        checks.append(Check("journal writer", True, f"the running station writes its journal "
                            f"({j.get('written', 0)} events so far)"))
    else:
        checks.append(Check("journal writer", False, f"the running station's journal is NOT "
                            f"writing: {j.get('error') or 'events were lost'}",
                            "free disk space and check the journal folder's permissions; if "
                            "the writer stopped, restart: sudo systemctl restart station"))


def _check_clinic(config, status: dict | None, checks) -> None:
    """With a clinic: section: psycopg, the password file, and the running station's
    replication state (docs/clinic.md). Never connects itself (no wait on a network)."""
    if config is None or not config.raw.get("clinic"):
        return
    from station.clinic.settings import ClinicError, ClinicSettings
    settings = ClinicSettings.from_config(config)
    if importlib.util.find_spec("psycopg") is None:
        checks.append(Check("clinic", False, "the config has a clinic: section but psycopg is "
                            "not installed", "pip install 'psycopg[binary]>=3.1'"))
        return
    try:
        settings.password()
    except ClinicError as exc:
        checks.append(Check("clinic", False, str(exc), "see docs/clinic.md"))
        return
    c = (status or {}).get("clinic") if isinstance(status, dict) else None
    if not c:
        checks.append(Check("clinic", True, f"station {settings.station_id}: set up (when the "
                            f"station runs, 'station status' shows the replication)", info=True))
    elif c.get("connected"):
        checks.append(Check("clinic", True, f"station {settings.station_id}: connected, "
                            f"{c.get('pending')} row(s) pending"))
        if c.get("conflicts"):       # station.clinic.sync: edits here met newer versions
            checks.append(Check("clinic shared", False, "not shared, changed in another room "
                                f"since: {', '.join(c['conflicts'])}", "station clinic "
                                "profile show NAME, then publish --base VERSION (docs/clinic.md)"))
    else:
        checks.append(Check("clinic", False, f"station {settings.station_id}: NOT connected "
                            f"({c.get('error')}); {c.get('pending')} row(s) wait in the journal",
                            "check the network and clinic.database; 'station clinic status' "
                            "tries a connection"))


def _check_sound(config, m: Machine, checks) -> None:
    from station.sound.soundfont import find_soundfont
    try:
        sf = find_soundfont(config.soundfont if config else None)
        checks.append(Check("soundfont", True, str(sf)))
    except StationError as exc:
        checks.append(Check("soundfont", False, str(exc).split("\n")[0],
                            "sudo apt-get install --no-install-recommends timgm6mb-soundfont "
                            "(or set soundfont: in the station config)"))
    if m.find_module("fluidsynth"):
        checks.append(Check("fluidsynth", True, "pyfluidsynth is installed"))
    else:
        checks.append(Check("fluidsynth", False, "pyfluidsynth is not installed",
                            "./run.sh test (sets up the venv), or pip install pyfluidsynth"))
    _check_ceiling(config, checks)
    driver = config.audio["driver"] if config else "alsa"
    device = config.audio["device"] if config else "default"
    problem = device_problem(driver, device, m.path("/proc/asound"))
    if problem:
        checks.append(Check("audio device", False, problem,
                            "connect the sound card (a USB card or the Pi's headphone jack "
                            "enabled with dtparam=audio=on), check 'aplay -l' lists it, and set "
                            "audio.device (e.g. hw:0) in the station config"))
    else:
        checks.append(Check("audio device", True, f"{driver} {device} is present"))


def _check_ceiling(config, checks) -> None:
    from station.sound import limiter
    problem = limiter.problem()
    if problem:
        checks.append(Check("ceiling", False, problem.split(". ")[0], limiter.FIX))
        return
    dbfs = config.audio["ceiling_dbfs"] if config else limiter.DEFAULT_CEILING_DBFS
    checks.append(Check("ceiling", True, f"the limiter is built: no sample goes above "
                        f"{dbfs:g} dBFS (look-ahead {limiter.LOOKAHEAD_S * 1000:g} ms)"))


def _check_pi(model: str, m: Machine, checks) -> None:
    if m.path("/dev/i2c-1").exists():
        checks.append(Check("i2c", True, "/dev/i2c-1 exists (I2C is enabled)"))
    else:
        checks.append(Check("i2c", False, "I2C is not enabled (no /dev/i2c-1)",
                            "sudo raspi-config nonint do_i2c 0, then reboot"))
    user = m.user or (SERVICE_USER if _exists(SERVICE_USER, m) else _me())
    have = m.groups(user)
    if not have:
        checks.append(Check("user", False, f"the user '{user}' does not exist",
                            "sudo ./run.sh install-service (creates the station user)"))
    else:
        missing = [g for g in GROUPS if g not in have]
        if missing:
            checks.append(Check("groups", False, f"user '{user}' is not in the group(s) "
                                f"{', '.join(missing)}", f"sudo usermod -aG {','.join(missing)} "
                                f"{user}, then log out and in (or restart the service)"))
        else:
            checks.append(Check("groups", True, f"user '{user}' is in {', '.join(GROUPS)}"))


def _exists(user: str, m: Machine) -> bool:
    return bool(m.groups(user))


def _me() -> str:
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def report(checks: list[Check]) -> tuple[str, int]:
    """The printed report and the exit code (0: no problems, 1: something to fix)."""
    lines, problems = [], 0
    for c in checks:
        if c.info:
            lines.append(f"  note  {c.name}: {c.found}")
        elif c.ok:
            lines.append(f"  ok    {c.name}: {c.found}")
        else:
            problems += 1
            lines.append(f"  FIX   {c.name}: {c.found}\n        how: {c.fix}")
    lines.append("Everything needed is in place." if not problems
                 else f"{problems} problem(s) to fix (see 'how:' above).")
    return "\n".join(lines), 0 if not problems else 1
