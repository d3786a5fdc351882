"""``station plan``: session plans (docs/session-music.md).

* ``start NAME``  start plan NAME (its file name in the plans folder) on the running
                  station; ``next`` moves to the next phase, ``stop`` ends the plan (the
                  session goes on), ``status`` shows where the session is.
* ``check FILE``  every problem of every plan file (file:line, key, what is allowed);
                  exit 0 when all are valid, 1 otherwise.
* ``list``        the plans of the station's plans folder.
"""

from __future__ import annotations

from pathlib import Path

REFUSED = 1


def register(sub) -> None:
    p = sub.add_parser("plan", help="start, step through, stop or check session plans")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    s = verbs.add_parser("start", help="start a plan on the running station")
    s.add_argument("name", help="the plan's name (its file name without .yaml)")
    s.add_argument("--config", help="station config file (default: the packaged one)")
    s.set_defaults(func=control)
    for verb, text in (("next", "move to the next phase (after the last: end the session)"),
                       ("stop", "end the plan; the session goes on"),
                       ("status", "show the plan, its phase and the backing")):
        v = verbs.add_parser(verb, help=text)
        v.add_argument("--config", help="station config file (default: the packaged one)")
        v.set_defaults(func=control)
    c = verbs.add_parser("check", help="check plan files; exit 1 if any has a problem")
    c.add_argument("files", nargs="+", metavar="FILE", help="plan files")
    c.set_defaults(func=check)
    li = verbs.add_parser("list", help="list the plans of the station")
    li.add_argument("--config", help="station config file (default: the packaged one)")
    li.set_defaults(func=list_plans)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def control(args) -> int:
    from station.config.station import load_config
    from station.service.control import request
    config = load_config(args.config)
    extra = {"name": args.name} if args.verb == "start" else {}
    print(status_text(request(config.control_socket, "plan", op=args.verb, **extra)))
    return 0


def status_text(s: dict) -> str:
    """The plan status in plain words."""
    if not s.get("plan"):
        lines = ["No plan is running."]
    else:
        phases = s["phases"]
        lines = [f"Plan {s['plan']}: phase {s['index'] + 1} of {len(phases)}, {s['phase']} "
                 f"({_minutes(s['phase_elapsed_s'])}"
                 + (f" of {_minutes(s['suggested_s'])} suggested" if s.get("suggested_s")
                    else "") + ")."]
        lines.append("Phases: " + " -> ".join(f"[{n}]" if i == s["index"] else n
                                               for i, n in enumerate(phases)))
    b = s.get("backing")
    if b:
        tempo = f", {b['tempo_bpm']:g} BPM" if b.get("tempo_bpm") else ""
        ramp = (f" ramping to {b['ramp_to_bpm']:g} ({b['ramp_progress']:.0%}"
                + (", waiting for the client" if b.get("holding") else "") + ")") \
            if b.get("ramp_to_bpm") else ""
        lines.append(f"Backing: {b['style']} in {b['key']} ({b['timbre']}){tempo}{ramp}, "
                     f"{b['beats']} beats so far.")
    return "\n".join(lines)


def _minutes(seconds: float | None) -> str:
    seconds = int(seconds or 0)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def check(args) -> int:
    from station.config.plan import load_plan_file
    from station.core.errors import PlanError
    bad = 0
    for item in args.files:
        try:
            plan = load_plan_file(Path(item))
        except PlanError as exc:
            bad += 1
            print(str(exc))
            continue
        print(f"{plan.path}: OK ({plan.name}: {' -> '.join(plan.phase_names)})")
    if len(args.files) > 1:
        print(f"{len(args.files) - bad} of {len(args.files)} plan(s) valid.")
    return REFUSED if bad else 0


def list_plans(args) -> int:
    from station.config.plan import plan_catalogue, plans_folder
    from station.config.station import load_config
    folder = plans_folder(load_config(args.config))
    plans = plan_catalogue(folder)
    if not plans:
        print(f"No plans in {folder}. Copy configs/plans/standard.yaml there and edit it.")
        return 0
    for p in plans:
        if "error" in p:
            print(f"{p['name']:<20} INVALID: station plan check {folder / (p['name'] + '.yaml')}")
        else:
            print(f"{p['name']:<20} {p['title']}: {' -> '.join(p['phases'])}")
    return 0
