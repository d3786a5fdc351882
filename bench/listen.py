"""The listener: ``bench.jack.Capture`` in a process of its own (``python -m bench.listen``).

The end-to-end benchmark runs the daemon in the bench process (so edge stamps and
note-on stamps are read directly); the capture client must not share that process:
its JACK callback is Python, and in the daemon's process it would wait for the GIL
behind the engine (making the JACK cycle late: xruns that are the bench's, not the
station's) and the engine would wait behind it. Here it has a process and a GIL of
its own. Stamps are ``time.monotonic_ns()`` = CLOCK_MONOTONIC, the clock of
``time.perf_counter_ns()`` in the bench process, so they compare directly.

Protocol: start it with ``Listener(server, source, seconds)``; it prints ``ready`` once
connected to the source's ports; ``stop()`` closes its stdin, and it writes the
recording (mono float32 samples and the monotonic ns of each block's first frame) to
an ``.npz`` file that ``stop()`` loads and returns.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


class Recording:
    """What the listener heard: ``audio`` (float32, mono, full scale 1.0), ``stamps``
    (int64 monotonic ns of each block's first frame), ``block`` frames, ``rate`` Hz, and
    ``frame_times`` (each block's JACK frame time: a step other than one block is an
    xrun; None if not recorded)."""

    def __init__(self, audio: np.ndarray, stamps: np.ndarray, block: int, rate: int,
                 frame_times: np.ndarray | None = None) -> None:
        self.audio, self.stamps, self.block, self.rate = audio, stamps, int(block), int(rate)
        self.frame_times = frame_times

    def xrun_free(self, start_ns: int, end_ns: int) -> bool:
        """True if no block from ``start_ns`` to ``end_ns`` followed an xrun (JACK's
        frame time advanced by exactly one block each cycle)."""
        if self.frame_times is None:
            return False
        first = max(0, int(np.searchsorted(self.stamps, start_ns)) - 1)
        last = min(len(self.frame_times), int(np.searchsorted(self.stamps, end_ns)) + 1)
        return bool(np.all(np.diff(self.frame_times[first:last]) == self.block))

    def frame_ns(self, frame: int) -> int:
        """Monotonic ns of one frame: its block's stamp plus its offset at the rate."""
        b, offset = divmod(int(frame), self.block)
        return int(self.stamps[b]) + offset * 1_000_000_000 // self.rate

    def frame_at(self, t_ns: int) -> int:
        """Index of the first frame of the first block stamped at or after ``t_ns``."""
        return int(np.searchsorted(self.stamps, t_ns)) * self.block

    def block_after(self, t_ns: int) -> int:
        """Index of the first block stamped after ``t_ns``."""
        return int(np.searchsorted(self.stamps, t_ns, side="right"))


class Listener:
    """A ``python -m bench.listen`` child recording the JACK client ``source``."""

    def __init__(self, server: str, source: str, seconds: float) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="station-listen-")
        self.path = Path(self._dir.name) / "rec.npz"
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "bench.listen", server, source, str(seconds), str(self.path)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self._proc.stdout.readline().strip()
        if line != "ready":
            err = self._proc.communicate(timeout=10)[1]
            raise RuntimeError(f"the listener did not start: {line} {err[-800:]}")

    def stop(self, timeout: float = 60.0) -> Recording:
        try:
            _, err = self._proc.communicate(timeout=timeout)
            if self._proc.returncode != 0:
                raise RuntimeError(f"the listener failed: {err[-800:]}")
            with np.load(self.path) as data:
                return Recording(data["audio"], data["stamps"], int(data["block"]),
                                 int(data["rate"]), data["frame_times"])
        finally:
            if self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait()
            self._dir.cleanup()


def main(argv: list[str]) -> int:
    from bench.pulse import FrameCapture

    server, source, seconds, out = argv[0], argv[1], float(argv[2]), argv[3]
    with FrameCapture(server, source, seconds=seconds, name="listener") as cap:
        print("ready", flush=True)
        sys.stdin.read()                     # until the bench closes our stdin
        audio, stamps = cap.blocks()
        frame_times = cap.frame_times[:len(stamps)].copy()
    np.savez(out, audio=audio, stamps=stamps, block=cap.block, rate=cap.rate,
             frame_times=frame_times)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
