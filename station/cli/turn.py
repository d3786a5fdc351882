"""``station turn``: pass the turn, give it to a player, or change the turn mode, live.

    station turn                   who has the turn, the mode, the lights
    station turn next              pass the turn to the next player
    station turn set 3             give player 3 the turn
    station turn mode round_robin  free | round_robin | therapist | call_response
    station turn quiet             all quiet: fade out and pause the pads
    station turn resume            play again after all quiet

Talks to the running daemon over its control socket; the change is logged like a
button press (reason ``cli``).
"""

from __future__ import annotations

import json

from station.turns.schema import TURN_MODES


def register(sub) -> None:
    p = sub.add_parser("turn", help="pass the turn, give it to a player, or change the turn "
                       "mode on the running station")
    p.add_argument("op", nargs="?", default="show",
                   choices=("show", "next", "set", "mode", "quiet", "resume"),
                   help="show (default), next, set PLAYER, mode MODE, quiet, resume")
    p.add_argument("value", nargs="?", help="the player number (set) or the mode (mode: "
                   + ", ".join(TURN_MODES) + ")")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example); it names the control socket")
    p.add_argument("--socket", help="control socket path (overrides the config's)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(func=main)


def _arguments(args) -> dict:
    """The control request's arguments, or a plain-words UsageError."""
    from station.core.errors import StationError
    if args.op == "set":
        try:
            return {"op": "set", "player": int(args.value)}
        except (TypeError, ValueError):
            raise StationError("say which player gets the turn, e.g. 'station turn set 2'.") \
                from None
    if args.op == "mode":
        mode = (args.value or "").strip().lower().replace("-", "_")
        if mode not in TURN_MODES:
            raise StationError(f"'{args.value or ''}' is not a turn mode; use one of "
                               f"{', '.join(TURN_MODES)}, e.g. 'station turn mode "
                               f"round_robin'.")
        return {"op": "mode", "mode": mode}
    if args.value is not None:
        raise StationError(f"'station turn {args.op}' takes no value (got '{args.value}').")
    return {"op": args.op}


def turn_text(answer: dict) -> str:
    """Plain lines for the therapist: the mode, the turn, the lights."""
    t = answer.get("turns") or {}
    mode = t.get("mode", answer.get("turn_mode", "free"))
    lines = [f"Turn mode: {mode.replace('_', ' ')}"
             + (f" (out of turn: {t['out_of_turn']})" if t.get("out_of_turn") else "")]
    if mode != "free":
        who = t.get("turn")
        lines.append(f"Turn: player {who}" if who is not None else "Turn: nobody (no client "
                     "seated)")
        if t.get("next") is not None:
            lines.append(f"Next: player {t['next']}")
    if t.get("paused"):
        lines.append("All quiet: the pads are paused (press all_quiet again, or 'station "
                     "turn resume', to play again).")
    lights = answer.get("lights") or {}
    if lights:
        lines.append("Lights: " + ", ".join(f"{name} {li['pattern']}"
                                            for name, li in sorted(lights.items())))
    return "\n".join(lines)


def main(args) -> int:
    from station.cli.status import socket_path
    from station.service.control import request
    answer = request(socket_path(args), "turn", **_arguments(args))
    print(json.dumps(answer, indent=2, sort_keys=True, default=str) if args.json
          else turn_text(answer))
    return 0
