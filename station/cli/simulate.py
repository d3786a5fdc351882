"""``station simulate SCENARIO``: play a scripted session on the simulated hardware."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("simulate", help="play a scenario on the simulator; writes "
                       "DIR/session.wav and DIR/station.db, prints a JSON summary")
    p.add_argument("scenario", help="scenario file (YAML)")
    p.add_argument("--out", default="out/sim", help="output folder (default: out/sim)")
    p.add_argument("--realtime", action="store_true", help="run at wall-clock speed")
    p.add_argument("--loudness", action="store_true", help="measure each player's and the "
                   "backing's loudness (LUFS) in the summary (about 2.5x the CPU time)")
    p.add_argument("--text", action="store_true",
                   help="print the plain-text summary instead of JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    from station.sim.runner import simulate
    from station.sim.scenario import load_scenario
    from station.sim.summary import dumps, summary_text
    scenario = load_scenario(args.scenario)
    with _stdout_to_stderr():     # stdout carries only the summary, for scripts reading JSON
        summary = simulate(scenario, Path(args.out), realtime=args.realtime,
                           loudness=args.loudness)
    print(summary_text(summary) if args.text else dumps(summary))
    sys.stdout.flush()
    return 0


@contextlib.contextmanager
def _stdout_to_stderr():
    """Send file descriptor 1 to stderr meanwhile: C libraries (FluidSynth) may print."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
