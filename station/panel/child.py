"""A low-priority child process for the panel's slow work: files and tuning proposals.

Making a report or a proposal can take seconds of CPU; the daemon's interpreter must not
spend them (the engine thread would wait for its lock). ``run`` starts the child at nice
19 (the engine comes first), waits at most ``timeout_s`` and answers in the panel's
terms: a child that took too long is a plain 503, and ``Done.message`` is the last line
the child wrote to stderr (the station's own one-line error) for a refusal in words.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from station.panel.limits import BadRequest


@dataclass(frozen=True)
class Done:
    """What a finished child left: its exit code, its output and its last error line."""

    returncode: int
    out: bytes
    message: str


def run(cmd: list[str], timeout_s: float, too_long: str, cwd: Path | None = None) -> Done:
    """Run ``cmd`` at nice 19 with stdin closed; ``BadRequest(too_long, 503)`` past
    ``timeout_s`` seconds (the child is killed)."""
    proc = subprocess.Popen(cmd, cwd=cwd, env=dict(os.environ, STATION_LOG="WARNING"),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        os.setpriority(os.PRIO_PROCESS, proc.pid, 19)    # the engine comes first
    except OSError:
        pass
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise BadRequest(too_long, 503) from None
    lines = err.decode("utf-8", "replace").strip().splitlines()
    message = lines[-1].removeprefix("station: ") if lines else "it failed"
    return Done(proc.returncode, out, message)
