"""The Session screen's plan and goal routes: start and step a session plan, rate goals.

Both go through the daemon's ``plan`` and ``session`` commands (station.engine.music,
station.journal.ratings), like the CLI's ``station plan`` and ``station session rate``.
Before asking, the panel checks what the station's state allows, so a tap that cannot
work now gets a plain 409 saying what to do first (start a plan before stepping it, stop
the running plan before starting another, have a session before rating, a client without
journal consent is not rated) instead of the CLI's wording; bad input is a plain 400; a
station without the command a plain 409 (``Actions.command``). Never a 500 for any of
these.
"""

from __future__ import annotations

from station.panel.limits import BadRequest, field

PLAN_OPS = ("start", "next", "stop", "status")


class PlanRoutes:
    """``/api/plan``, ``/api/plans``, ``/api/goals``, ``/api/rate`` for ``actions``."""

    def __init__(self, actions) -> None:
        self.actions = actions

    def routes(self) -> dict:
        return {("GET", "/api/plan"): self.plan_status, ("GET", "/api/plans"): self.plan_list,
                ("POST", "/api/plan"): self.plan, ("GET", "/api/goals"): self.goals,
                ("POST", "/api/rate"): self.rate}

    # -- plans --------------------------------------------------------------------------------
    def plan_status(self, data=None) -> dict:
        return self.actions.command("plan", op="status")

    def plan_list(self, data=None) -> dict:
        return self.actions.command("plan", op="list")

    def plan(self, data: dict) -> dict:
        op = field(data, "op", str, choices=PLAN_OPS)
        name = field(data, "name", str, required=op == "start", what="a plan's name")
        now = self.plan_status()
        if op == "status":
            return now
        if op == "start" and now.get("plan"):
            raise BadRequest(f"the plan {now.get('title') or now['plan']} is running (phase "
                             f"{now.get('phase')}); tap Stop the plan first, or Next phase "
                             f"to go on with it.", 409)
        if op in ("next", "stop") and not now.get("plan"):
            raise BadRequest("no plan is running: choose a plan and tap Start the plan.", 409)
        return self.actions.command("plan", op=op, **({"name": name} if op == "start" else {}))

    # -- goal ratings ---------------------------------------------------------------------------
    def goals(self, data=None) -> dict:
        """The seated clients' goals (the daemon's ``session`` reply), the session a rating
        goes to (the running one, else the last), and the levels already given in it."""
        s = self.actions.command("session", op="status")
        if "goals" not in s:                 # a station older than goal ratings
            return {"players": [], "session": None, "active": bool(s.get("active"))}
        session = s.get("session") or s.get("last_session")
        rated = self.actions.reports.ratings(session) if session else {}
        players = self.actions.status().get("players") or {}
        out = []
        for p, seat in sorted((s.get("goals") or {}).items(), key=lambda kv: int(kv[0])):
            if not seat.get("goals"):
                continue
            mine = rated.get(seat["client"], {})
            name = (players.get(str(p)) or {}).get("name") or seat["client"]
            out.append({"player": int(p), "client": seat["client"], "name": name,
                        "ratable": bool(seat.get("ratable")),
                        "goals": [{**g, "level": mine.get(g["id"])} for g in seat["goals"]]})
        return {"players": out, "session": session, "active": bool(s.get("active"))}

    def rate(self, data: dict) -> dict:
        goal = field(data, "goal", str, what="a goal's id")
        level = field(data, "level", int, what="a whole number from -2 to 2")
        if not -2 <= level <= 2:
            raise BadRequest("'level' must be from -2 (much less than expected) to 2 (much "
                             "more than expected).")
        player = field(data, "player", int, required=False, what="a player number")
        if player is not None:
            self.actions.check_player(player)
        s = self.actions.command("session", op="status")
        if "goals" not in s:
            raise BadRequest("this station does not rate goals: it runs an older version; "
                             "update the station to use this.", 409)
        if not (s.get("session") or s.get("last_session")):
            raise BadRequest("there is no session to rate yet: start the session (or a "
                             "plan) first.", 409)
        goals = s.get("goals") or {}
        seat = goals.get(player, goals.get(str(player))) if player is not None else None
        if seat is not None and not seat.get("ratable"):
            name = ((self.actions.status().get("players") or {}).get(str(player)) or {}) \
                .get("name") or seat["client"]
            raise BadRequest(f"{name} did not consent to the journal, so the "
                             f"station keeps no ratings of theirs; keep the rating in your "
                             f"own notes.", 409)
        return self.actions.command("session", op="rate", goal=goal, level=level,
                                    **({"player": player} if player is not None else {}))
