"""``station demo [--out DIR]``: the demo ``./run.sh demo`` plays, from any folder.

It plays the packaged demo scenarios on the simulator (the checkout's ``configs/`` or the
copy inside an installed wheel: ``station.core.paths``) and writes, per scenario,
``DIR/<name>/session.wav`` (what the room heard), ``DIR/<name>/station.db`` (the
journal) and ``DIR/<name>/report.html`` (the therapist's report), printing the plain
summary of each. After the tremor demo (a new client with a tremor and no filters yet)
it prints the ``touch:`` settings ``station profile tune`` proposes from that play.
"""

from __future__ import annotations

from pathlib import Path

# (folder under --out, scenario under configs/scenarios, what it shows)
DEMOS = (
    ("demo", "demo.yaml", "the demo session: a plan (welcome song on one switch, a drone, a "
                          "pulse that meets the client's tempo and slows, echo, goodbye), a "
                          "board fault, a refused profile, a swap"),
    ("group", "group.yaml", "the group demo: four players, round robin, then call and "
                            "response"),
    ("tremor", "tremor.yaml", "the tremor demo: a new client, Lee, plays with a tremor and no "
                              "motor filters yet; then the station proposes settings"),
)
TUNED = {"tremor": 1}     # demo folder -> the player whose play is tuned


def register(sub) -> None:
    p = sub.add_parser("demo", help="play the demo sessions on the simulator and write "
                       "their audio, journal and reports (works from any folder)")
    p.add_argument("--out", default="out", help="output folder (default: out): one "
                   "sub-folder per demo")
    p.set_defaults(func=main)


def main(args) -> int:
    from station.cli import main as station
    from station.core.paths import CONFIGS
    out = Path(args.out)
    for folder, scenario, what in DEMOS:
        print(f"== playing {what}", flush=True)
        target = out / folder
        code = station(["simulate", str(CONFIGS / "scenarios" / scenario), "--out",
                        str(target), "--text", *(["--loudness"] if folder == "demo" else [])])
        if code:
            return code
        code = station(["report", "--db", str(target / "station.db"), "-o",
                        str(target / "report.html")])
        if code:
            return code
        if folder in TUNED:
            print(f"== tuning from this play: station profile tune --db "
                  f"{target / 'station.db'} --session 1 --player {TUNED[folder]}", flush=True)
            code = station(["profile", "tune", "--db", str(target / "station.db"),
                            "--session", "1", "--player", str(TUNED[folder])])
            if code:
                return code
    print(f"== done: open {out / 'demo' / 'report.html'}, {out / 'group' / 'report.html'} "
          f"and {out / 'tremor' / 'report.html'}; listen to {out}/*/session.wav")
    return 0
