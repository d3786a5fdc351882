"""``station simulate SCENARIO``: play a scripted session on the simulated hardware."""

from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("simulate", help="play a scenario on the simulator; writes "
                       "DIR/session.wav and DIR/station.db, prints a JSON summary")
    p.add_argument("scenario", help="scenario file (YAML)")
    p.add_argument("--out", default="out/sim", help="output folder (default: out/sim)")
    p.add_argument("--realtime", action="store_true", help="run at wall-clock speed")
    p.add_argument("--text", action="store_true",
                   help="print the plain-text summary instead of JSON")
    p.set_defaults(func=main)


def main(args) -> int:
    from station.scenario import load_scenario
    from station.simulate import dumps, simulate, summary_text
    summary = simulate(load_scenario(args.scenario), Path(args.out), realtime=args.realtime)
    print(summary_text(summary) if args.text else dumps(summary))
    sys.stdout.flush()
    return 0
