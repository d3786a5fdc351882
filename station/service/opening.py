"""What the daemon opens before it runs: its synth, its hardware and its journal's lock.

``open_synth`` makes the real-time synth of the config, behind the loudness ceiling
(no ceiling: no sound, exit 5); a driver this FluidSynth lacks is refused at once, a
device that cannot be opened now only makes the station start silently while the audio
guard keeps trying. ``hardware_factory`` builds the boards on a Pi (the Pi libraries
load only there) or on the simulator. ``InstanceLock`` keeps one daemon per journal.
"""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

from station.config.station import StationConfig
from station.core.clock import MonotonicClock
from station.core.errors import AudioError, StationError
from station.sound import limiter
from station.sound.drivers import require_driver
from station.sound.fluid_settings import AudioSettings
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth

log = logging.getLogger("station")


def open_synth(config: StationConfig, realtime: bool = True) -> Synth:
    """The real-time synth of the config. If its device cannot be opened now, a real-time
    synth without output: the audio guard keeps trying, the journal records meanwhile."""
    soundfont = find_soundfont(config.soundfont)
    a = config.audio
    limiter.require()       # no sound at all rather than sound without its ceiling (exit 5)
    level = dict(sample_rate=a["sample_rate"], gain=a["gain"], ceiling_dbfs=a["ceiling_dbfs"])
    if not realtime:
        return Synth(soundfont, **level)
    require_driver(a["driver"], str(config.path))   # not retried: the build lacks it
    settings = AudioSettings(driver=a["driver"], device=a["device"],
                             period_size=a["period_size"], periods=a["periods"],
                             sample_rate=a["sample_rate"])
    try:
        return Synth(soundfont, audio=settings, **level)
    except AudioError as exc:
        log.warning("%s The station starts silently and keeps retrying the device; the "
                    "journal records everything meanwhile.", exc)
    return Synth(soundfont, audio=settings, open_audio=False, **level)


def hardware_factory(config: StationConfig, kind: str, clock):
    """Build the Hardware for ``kind`` ('pi' or 'sim'); Pi libraries load only here."""
    if kind == "sim":
        from hardware.mock import use_mock_pins
        from hardware.sim import SimulatedHardware
        from station.engine.wiring import hardware_spec
        use_mock_pins()
        holder = {}

        def make(emit):
            # On the real clock the simulated chips sample in a thread of their own, as
            # real ones do; on a virtual clock the station's timers tick them.
            holder["world"] = SimulatedHardware(hardware_spec(config), emit=emit, clock=clock,
                                                chip_thread=isinstance(clock, MonotonicClock))
            return holder["world"]
        return make, holder
    from hardware.io import Hardware
    from hardware.pi import open_pi_i2c, use_pi_pins
    from station.engine.wiring import hardware_spec
    os.environ.setdefault("BLINKA_SKIP_DEPENDENCY_CHECK", "1")   # a daemon's env fails it
    use_pi_pins()

    def make_pi(emit):
        return Hardware(hardware_spec(config), open_pi_i2c(config.input["i2c_frequency"]),
                        emit, clock)
    return make_pi, {}


class InstanceLock:
    """One daemon per journal *file*, whatever path leads to it: an exclusive ``flock`` on
    ``<journal>.lock`` beside the journal's real path (links resolved), and one on the
    journal file itself (created empty if missing, which SQLite takes as a new database),
    which a second station holds through a hard link or a bind mount as well. ``flock``
    and SQLite's own POSIX locks do not interfere. The kernel drops both if we die.
    ``path`` is ``<journal>.lock`` as the config names it."""

    def __init__(self, path: Path) -> None:
        path = Path(path)
        journal = Path(os.path.realpath(path.with_suffix("") if path.suffix == ".lock"
                                        else path))
        self.path = journal.with_name(journal.name + ".lock")
        self._fd: int | None = None
        self._journal_fd: int | None = None
        try:
            self.path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._journal_fd = os.open(journal, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC,
                                       0o600)
        except OSError as exc:         # a plain refusal (exit 1): a restart cannot fix it
            self.close()
            raise StationError(f"the journal's folder {self.path.parent} cannot be written "
                               f"({exc.strerror or exc}). Give the station's user a folder "
                               f"it can write: set 'journal:' in the station config, or "
                               f"change the folder's owner (sudo chown station FOLDER)."
                               ) from None
        for fd in (self._fd, self._journal_fd):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(self._fd, 32, 0).decode(errors="replace").strip() \
                    if fd == self._fd else ""
                self.close()
                raise StationError(f"another station is already running on the journal "
                                   f"{journal} (process {holder or '?'}, lock file "
                                   f"{self.path}). Stop it first (systemctl stop station, or "
                                   f"Ctrl-C in its terminal).") from None
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{os.getpid()}\n".encode(), 0)

    def close(self) -> None:
        for name in ("_journal_fd", "_fd"):
            fd = getattr(self, name)
            if fd is not None:
                os.close(fd)         # releases the lock; the files stay (harmless)
                setattr(self, name, None)
