"""The measuring rig: bench configs, a timed synth, IRQ edge stamps, the daemon under test.

Nothing here replaces a part of the station. ``TimedSynth`` wraps the real Synth and
only notes *when* the engine's ``note_on`` returned; ``stamp_edges`` wraps the mock
pins' ``drive_low`` to note when an IRQ line fell; ``run_daemon`` runs the real
``station.service.daemon.Daemon`` (simulated hardware, real journal, offline synth) with its
engine loop in the main thread, exactly as ``station run --hardware sim`` does, while a
driver thread plays the part of gpiozero's edge thread on a Pi.

All stamps are ``time.perf_counter_ns()`` (ns).
"""

from __future__ import annotations

import shutil
import signal
import threading
import time
from pathlib import Path

from station.config.station import DEFAULT_CONFIG

CLIENTS = ("alex", "sam", "jo", "sam")   # repo profiles seated at players 1..4
SEPARATE_IRQ = (4, 17, 27, 22)           # one IRQ line per board (free GPIOs in the config)


def write_config(folder: Path, *, players: int = 4, irq: str = "shared",
                 mode: str = "irq", quick_start: bool = False) -> Path:
    """A copy of the shipped ``configs/station.yaml`` for a benchmark: the first
    ``players`` (1..4) boards and players, each with a client seated, journal and control
    socket inside ``folder``. ``irq``: "shared" (as shipped: every board on GPIO 4) or
    "separate" (one line per board). ``quick_start``: no start-up cue or hands-off wait
    (for the latency runs; the start-up figure keeps the shipped ones). Returns the path."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text())
    clients = folder / "clients"
    clients.mkdir(exist_ok=True)
    source = DEFAULT_CONFIG.parent / raw.get("clients_dir", "clients")
    for n, cid in enumerate(CLIENTS[:players], start=1):
        shutil.copyfile(source / f"{cid}.yaml", clients / f"{cid}{n}.yaml")
    raw["boards"] = raw["boards"][:players]
    for i, board in enumerate(raw["boards"]):
        board["irq_gpio"] = SEPARATE_IRQ[i] if irq == "separate" else SEPARATE_IRQ[0]
    raw["players"] = raw["players"][:players]
    for n, p in enumerate(raw["players"], start=1):
        p["client"] = f"{CLIENTS[n - 1]}{n}"
    raw["roster"] = [p["client"] for p in raw["players"]]
    raw["input"]["mode"] = mode
    # FluidSynth's "file" driver: a real audio thread rendering 64-frame periods (about
    # real time) into a file, as ALSA would on a Pi; this machine may have no sound card.
    raw["audio"].update(driver="file", device=str(folder / "audio.wav"))
    if quick_start:
        raw.setdefault("daemon", {}).update(hands_off_s=0.0, chime=False)
    raw["clients_dir"] = str(clients)
    raw["journal"] = str(folder / "station.db")
    raw["control_socket"] = str(folder / "station.sock")
    path = folder / "station.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


class TimedSynth:
    """The real Synth, with the time each ``note_on`` returned recorded in ``on_ns``.

    ``expect(n)`` arms ``reached``, set (once, from the engine thread) when ``n`` more
    note-ons have happened, so the driver thread sleeps instead of competing for the
    GIL while the engine works. Everything else is passed through untouched."""

    def __init__(self, synth) -> None:
        self._synth = synth
        self.on_ns: list[int] = []
        self.reached = threading.Event()
        self._target = None

    def __getattr__(self, name):
        return getattr(self._synth, name)

    def expect(self, more: int) -> None:
        self.reached.clear()
        self._target = len(self.on_ns) + more

    def note_on(self, channel: int, note: int, velocity: int) -> bool:
        ok = self._synth.note_on(channel, note, velocity)
        self.on_ns.append(time.perf_counter_ns())
        if self._target is not None and len(self.on_ns) >= self._target:
            self._target = None
            self.reached.set()
        return ok


def stamp_edges(world) -> list[int]:
    """Wrap every IRQ line's mock pin so each fall appends its time to the returned list."""
    stamps: list[int] = []
    for pin in world.spec.irq_lines:
        mock = world.factory.pin(pin)
        fall = mock.drive_low

        def stamped(fall=fall) -> None:
            stamps.append(time.perf_counter_ns())
            fall()
        mock.drive_low = stamped
    return stamps


class LastEmit:
    """An engine listener placed after the journal: the time the last event of a touch
    was handed to every sink (journal queue included)."""

    def __init__(self) -> None:
        self.t_ns = 0

    def __call__(self, event) -> None:
        self.t_ns = time.perf_counter_ns()


def run_daemon(config_path: Path, driver, *, threaded: bool = True):
    """Build the real Daemon on the simulator; return ``driver(daemon, timed, world)``.

    threaded=True: the daemon's own loop runs in this (main) thread and ``driver`` in a
    second thread, which touches the world like gpiozero's edge thread on a Pi (the
    read over the simulated bus happens there; the engine thread is woken to play).
    threaded=False: ``driver`` runs as one job inside the engine thread and must call
    ``daemon.station.drain()`` itself (the same stack, minus the thread hand-off)."""
    from station.service.daemon import Daemon

    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    stalls: list[int] = []     # the loop watchdog's exit, made harmless in-process
    daemon = Daemon(config_path, hardware="sim", audio=True, exit_fn=stalls.append)
    timed = TimedSynth(daemon.station.notes.inner)     # stamps the calls that reach FluidSynth
    daemon.station.notes.inner = timed
    world = daemon.sim["world"]
    box: dict = {}
    try:
        def body() -> None:
            try:
                _wait_started(daemon)
                if threaded:
                    box["value"] = driver(daemon, timed, world)
                else:
                    box["value"] = _in_engine(daemon, lambda: driver(daemon, timed, world))
            except BaseException as exc:   # re-raised in the main thread below
                box["error"] = exc
            finally:
                daemon.stop()
        thread = threading.Thread(target=body, name="bench-driver", daemon=True)
        thread.start()
        daemon.run()
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _wait_started(daemon, timeout: float = 30.0) -> None:
    """Block until the daemon's start-up phase is "ready" and its loop is idle."""
    deadline = time.monotonic() + timeout
    while getattr(getattr(daemon, "startup", None), "phase", "ready") != "ready":
        if time.monotonic() > deadline:
            raise TimeoutError("the daemon was not ready within 30 s")
        time.sleep(0.005)
    barrier(daemon, timeout)
    # The calibration at "ready" restarts the chips; their first sample (1 ms later)
    # takes the baselines: a hand landing before it would become the baseline.
    time.sleep(0.01)


def _in_engine(daemon, fn, timeout: float = 120.0):
    """Run ``fn()`` as a job in the engine thread; return its result (or raise)."""
    done, box = threading.Event(), {}

    def job() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:
            box["error"] = exc
        finally:
            done.set()
    daemon.station.submit(job)
    if not done.wait(timeout):
        raise TimeoutError("the engine-thread job did not finish within 120 s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def barrier(daemon, timeout: float = 10.0) -> None:
    """Wait until the engine thread has finished everything queued before this call."""
    done = threading.Event()
    daemon.station.submit(done.set)
    if not done.wait(timeout):
        raise TimeoutError("the engine thread did not answer within 10 s")
