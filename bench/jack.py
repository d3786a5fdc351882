"""A real JACK server on the dummy backend, and a client that hears what leaves it.

JACK's dummy backend paces real time without a sound card (``jackd -d dummy``): the
station's FluidSynth plays into it through its real ``jack`` driver, exactly as it would
into a card. ``Capture`` is a second JACK client connected to the station's output
ports; its process callback only copies each block and stamps it with
``time.monotonic_ns()`` (the dummy backend's own frame clock drifts from the monotonic
clock, so frame times are block stamp + offset / rate). Onsets, pitch and level are then
found in the recording after it stops, off the real-time thread.

Used by the benchmarks (end-to-end latency) and by the tests (real-time drivers, beats).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import numpy as np

SILENCE = 1e-3       # |sample| below this is silence (float samples, full scale 1.0)


def jackd_path() -> str | None:
    """The jackd binary, or None when JACK is not installed (apt: jackd2)."""
    return shutil.which("jackd")


class JackServer:
    """``jackd -d dummy`` under a unique server name; a context manager.

    rate: Hz; period: frames per period (the block every client renders); realtime:
    ask for SCHED_FIFO (needs RLIMIT_RTPRIO; off by default so tests run anywhere).
    """

    def __init__(self, *, rate: int = 48000, period: int = 64, realtime: bool = False,
                 name: str | None = None) -> None:
        self.rate, self.period, self.realtime = int(rate), int(period), realtime
        self.name = name or f"station-test-{uuid.uuid4().hex[:8]}"
        self.log_path = Path(tempfile.gettempdir()) / f"{self.name}.log"
        self._proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 15.0) -> JackServer:
        binary = jackd_path()
        if binary is None:
            raise RuntimeError("jackd is not installed (sudo apt-get install jackd2)")
        args = [binary, "-R" if self.realtime else "--no-realtime", "-n", self.name,
                "-d", "dummy", "-r", str(self.rate), "-p", str(self.period)]
        env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
        with open(self.log_path, "wb") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env,
                                          start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"jackd exited at start: {self.log_text()[-500:]}")
            if self._answers():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"jackd did not answer within {timeout_s} s: {self.log_text()[-500:]}")

    def _answers(self) -> bool:
        import jack
        jack.set_error_function(lambda message: None)   # "cannot connect" while it starts
        try:
            client = jack.Client("probe", servername=self.name, no_start_server=True)
        except jack.JackError:
            return False
        finally:
            jack.set_error_function(None)
        client.close()
        return True

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def xruns(self) -> int:
        """XRuns the server logged so far (the dummy backend reports late cycles)."""
        return self.log_text().count("XRun")

    def stop(self) -> None:
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> JackServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Capture:
    """Record what a JACK client plays: its output ports into our inputs, stamped.

    ``source`` is a JACK client name (e.g. "station"): every output port whose name starts
    with ``source:`` is connected, in order, to one of our inputs. Up to ``seconds`` of
    audio are kept, as the mono mix (L + R) / 2 in float samples (full scale 1.0).
    """

    def __init__(self, server: str, source: str, *, seconds: float = 120.0,
                 name: str = "capture") -> None:
        import jack
        self._jack = jack
        self.client = jack.Client(name, servername=server, no_start_server=True)
        self.rate = self.client.samplerate
        self.block = self.client.blocksize
        self.source = source
        blocks = int(seconds * self.rate / self.block) + 1
        self._audio = np.zeros((blocks, self.block), dtype=np.float32)
        self._stamps = np.zeros(blocks, dtype=np.int64)
        self._n = 0
        self._lock = threading.Lock()
        self.inputs = [self.client.inports.register(f"in_{i}") for i in range(2)]
        self.client.set_process_callback(self._process)

    def _process(self, frames: int) -> None:
        stamp = time.monotonic_ns()
        n = self._n
        if n >= len(self._stamps):
            return
        left = self.inputs[0].get_array()
        right = self.inputs[1].get_array()
        np.add(left, right, out=self._audio[n, :frames])
        self._audio[n, :frames] *= 0.5
        self._stamps[n] = stamp
        self._n = n + 1

    def start(self, timeout_s: float = 5.0) -> Capture:
        self.client.activate()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            outs = list(self.client.get_ports(f"{self.source}:", is_audio=True,
                                              is_output=True))
            if len(outs) >= 1:
                for port, ours in zip(outs, self.inputs):
                    self.client.connect(port, ours)
                if len(outs) == 1:
                    self.client.connect(outs[0], self.inputs[1])
                return self
            time.sleep(0.02)
        raise RuntimeError(f"no JACK output ports of '{self.source}' appeared")

    def close(self) -> None:
        try:
            self.client.deactivate()
        finally:
            self.client.close()

    def __enter__(self) -> Capture:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    # -- after the fact ----------------------------------------------------------------------
    def blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(samples, monotonic ns of each block's first frame) captured so far: the
        compact form of ``recording()`` (one stamp per block, not per sample)."""
        n = self._n
        return self._audio[:n].reshape(-1).copy(), self._stamps[:n].copy()

    def recording(self) -> tuple[np.ndarray, np.ndarray]:
        """(samples, stamp of each sample in monotonic ns) of what was captured so far."""
        n = self._n
        audio = self._audio[:n].reshape(-1)
        offsets = (np.arange(self.block) * 1e9 / self.rate).astype(np.int64)
        stamps = (self._stamps[:n, None] + offsets[None, :]).reshape(-1)
        return audio, stamps

    def onsets(self, *, threshold: float = 0.01, gap_s: float = 0.05,
               after_ns: int = 0) -> list[int]:
        """Monotonic ns of every frame that rises above ``threshold`` after at least
        ``gap_s`` below ``SILENCE`` (an onset), at or after ``after_ns``."""
        audio, stamps = self.recording()
        level = np.abs(audio)
        active = np.flatnonzero(level > SILENCE)
        loud = np.flatnonzero(level > threshold)
        if not active.size or not loud.size:
            return []
        breaks = np.flatnonzero(np.diff(active) > int(gap_s * self.rate))
        starts = active[np.r_[0, breaks + 1]]          # first sound after each silence
        ends = active[np.r_[breaks, active.size - 1]]   # last sound before the next one
        first_loud = np.searchsorted(loud, starts)
        ok = first_loud < loud.size
        frames = loud[np.minimum(first_loud, loud.size - 1)]
        ok &= frames <= ends
        return [int(stamps[f]) for f in frames[ok] if stamps[f] >= after_ns]
