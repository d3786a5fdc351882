"""The pulse in real time: a minute of beats from the real daemon on a real JACK server.

The daemon (``station run --hardware sim``, a child process) plays a pulse through
FluidSynth's jack driver into ``jackd -d dummy`` at 64 frames; FluidSynth's sequencer
places each beat on the audio clock. A capture client in this process records what
leaves the station's ports, with each block's JACK frame time, so a cycle the dummy
backend ran late (an xrun: the capture sees a jump of whole periods that the station
never made) can be set aside. Reported: beats heard and journaled, the intervals free
of xruns, how far each is from the beat period in frames (one block = 64 frames is the
finest the audio clock places a note), and the xruns the server logged.

This measures the machine as much as the station: a virtual CPU may xrun thousands of
times a minute whatever the station does. The test suite checks the same path on a
clock it controls (tests/sim/test_sequencer_pulse.py); this is where the real-time
figure lives. Every wait has a deadline; a failure raises, and ``bench.sections``
records the section as not measured, with the reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import numpy as np

from bench.jack import Capture
from bench.rig import write_config

RATE, PERIOD, BLOCK = 48000, 64, 64
BPM = 100                                  # 0.6 s: 28 800 frames, exactly 450 blocks
KEYS = ("pulse_seconds", "pulse_bpm", "pulse_beats_heard", "pulse_beats_journaled",
        "pulse_intervals", "pulse_clean_intervals", "pulse_deviation_max_frames",
        "pulse_deviation_sd_frames", "pulse_xruns", "pulse_jack_realtime")


class FrameCapture(Capture):
    """A capture that also keeps each block's JACK frame time, to see xruns."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.frame_times = np.zeros(len(self._stamps), dtype=np.int64)

    def _process(self, frames: int) -> None:
        n = self._n
        if n < len(self.frame_times):
            self.frame_times[n] = self.client.last_frame_time
        super()._process(frames)


def onset_frames(audio: np.ndarray, quiet_s: float = 0.05, rise: float = 0.3) -> np.ndarray:
    """Frame of each sound after ``quiet_s`` of silence (below 1e-3): where it first
    reaches ``rise`` of its peak in its first 10 ms (accented and soft beats alike)."""
    active = np.flatnonzero(np.abs(audio) > 1e-3)
    if not active.size:
        return np.empty(0, dtype=np.int64)
    starts = active[np.r_[0, np.flatnonzero(np.diff(active) > quiet_s * RATE) + 1]]
    out = []
    for start in starts:
        attack = np.abs(audio[start:start + RATE // 100])
        out.append(start + int(np.argmax(attack >= rise * attack.max())))
    return np.array(out, dtype=np.int64)


def clean_deviations(onsets: np.ndarray, frame_times: np.ndarray) -> list[int]:
    """Each interval between heard beats that no xrun broke, minus the beat period
    (frames). An xrun shows as a step of the capture's frame time other than a period."""
    period = round(60 / BPM * RATE / BLOCK) * BLOCK
    broken = np.flatnonzero(np.diff(frame_times) != PERIOD)
    out = []
    for a, b in zip(onsets, onsets[1:]):
        ba, bb = a // PERIOD, b // PERIOD
        if not np.any((broken >= ba) & (broken < bb)):
            out.append(int(b - a) - period)
    return out


def _config(folder: Path, server: str) -> Path:
    import yaml
    path = write_config(folder, players=1, quick_start=True)
    raw = yaml.safe_load(path.read_text())
    raw["audio"].update(driver="jack", device=server, period_size=PERIOD, periods=2)
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _wait(what: str, check, proc, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if proc.poll() is not None:
            raise RuntimeError(f"the daemon exited ({proc.returncode}) before {what}: "
                               f"{proc.stderr.read()[-400:] if proc.stderr else ''}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds:g} s")
        time.sleep(0.05)


def measure(tmp: Path, seconds: float) -> dict:
    """The section's figures (``KEYS``) for ``seconds`` of pulse at ``BPM``."""
    import sqlite3

    from bench.e2e import start_server
    from bench.process import station_command
    from station.service.control import request

    beats = max(3, int(seconds * BPM / 60))
    server, realtime = start_server(PERIOD)
    folder = tmp / "pulse"
    try:
        cfg = _config(folder, server.name)
        sock = folder / "station.sock"
        env = dict(os.environ, XDG_RUNTIME_DIR=str(folder))
        env.pop("GPIOZERO_PIN_FACTORY", None)
        proc = subprocess.Popen(station_command() + ["run", "--config", str(cfg), "--hardware",
                                                     "sim"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, env=env)
        try:
            _wait("the daemon's socket answering", sock.exists, proc, 30)
            with FrameCapture(server.name, "station", seconds=seconds + 20) as cap:
                request(sock, "backing", op="start", style="pulse", tempo_bpm=BPM)
                _wait(f"{beats + 1} beats", lambda: request(sock, "backing", op="status")
                      ["beats"] >= beats + 1, proc, seconds * 2 + 30)
                request(sock, "backing", op="stop")
                audio, _ = cap.recording()
                frames = cap.frame_times[:cap._n].copy()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        xruns = server.xruns()
    finally:
        server.stop()
    heard = onset_frames(audio)
    db = sqlite3.connect(folder / "station.db")
    try:
        journaled = db.execute("SELECT count(*) FROM events WHERE kind='beat'").fetchone()[0]
    finally:
        db.close()
    dev = clean_deviations(heard, frames)
    return {"pulse_seconds": seconds, "pulse_bpm": BPM, "pulse_beats_heard": len(heard),
            "pulse_beats_journaled": journaled, "pulse_intervals": max(0, len(heard) - 1),
            "pulse_clean_intervals": len(dev),
            "pulse_deviation_max_frames": max((abs(d) for d in dev), default=None),
            "pulse_deviation_sd_frames": float(np.std(dev)) if dev else None,
            "pulse_xruns": xruns, "pulse_jack_realtime": int(realtime),
            "_not_measured": {} if dev else dict.fromkeys(
                ("pulse_deviation_max_frames", "pulse_deviation_sd_frames"),
                f"no interval between beats was free of xruns ({xruns} xruns)")}


def table_lines(r: dict) -> list[str]:
    """The printed rows of this section."""
    worst = r["pulse_deviation_max_frames"]
    shown = "n/a (no interval free of xruns)" if worst is None else \
        f"{worst} frames at worst (sd {r['pulse_deviation_sd_frames']:.1f})"
    return ["", f"  PULSE on JACK (dummy backend, period {PERIOD}): {r['pulse_seconds']:g} s at "
            f"{r['pulse_bpm']} BPM, jackd "
            f"{'SCHED_FIFO' if r['pulse_jack_realtime'] else 'normal priority'}",
            f"  {r['pulse_beats_heard']} beats heard, {r['pulse_beats_journaled']} journaled; "
            f"{r['pulse_clean_intervals']} of {r['pulse_intervals']} intervals free of xruns "
            f"({r['pulse_xruns']} xruns); beat-to-beat deviation {shown} (one block = "
            f"{BLOCK} frames)"]
