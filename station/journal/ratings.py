"""Goal ratings: the therapist rates a client's goal per session (goal attainment scaling).

``station session rate GOAL LEVEL`` and the panel call the control command ``session``
with ``op: rate, goal, level`` (and optionally ``player``). ``GOAL`` is a goal id of a
seated client's profile (``reach``), or ``CLIENT:GOAL`` (``alex:reach``) for a client who
has left the seat. ``LEVEL`` is −2..+2: 0 the expected outcome, −2 much less, +2 much
more than expected (Kiresuk & Sherman). The rating goes to the running session, or, when
none runs, to the last one (therapists often rate right after the session). A rating
again for the same goal and session replaces the earlier one in the report.

A client without journal consent cannot be rated: the station keeps nothing of theirs.
"""

from __future__ import annotations

from collections.abc import Callable

from station.config.consent import consent_of
from station.core.errors import ConsentError, StationError

LEVELS = (-2, -1, 0, 1, 2)


def parse_level(level) -> int:
    """-2..2 from an int or text like '+1' or '-2'; StationError in plain words."""
    try:
        value = int(str(level).strip())
    except ValueError:
        value = None
    if value not in LEVELS or isinstance(level, bool) or isinstance(level, float):
        raise StationError(f"a goal level is -2, -1, 0, +1 or +2 (0: as expected; -2 much "
                           f"less, +2 much more than expected); got '{level}'.")
    return value


def rate_goal(journal, seats: dict[int, tuple], goal: str, level, now: int,
              player: int | None = None, load: Callable | None = None) -> dict:
    """Journal a rating; return what was rated. ``seats``: player -> (profile, role).

    ``load(client_id)`` loads a profile that is not seated (for ``CLIENT:GOAL``).
    """
    value = parse_level(level)
    goal = str(goal or "").strip()
    if not goal:
        raise StationError("name the goal to rate, like: station session rate reach +1")
    if ":" in goal:
        client_id, gid = goal.split(":", 1)
        if load is None:
            raise StationError("rating a client who is not seated needs the station's "
                               "clients folder; seat the client or use the panel.")
        profile = load(client_id)
        seat = next((p for p, (prof, _role) in seats.items()
                     if prof is not None and prof.client_id == profile.client_id), None)
        found = [(seat, profile)] if profile.goal(gid) else []
        if not found:
            raise StationError(f"client {profile.client_id} has no goal '{gid}'; their "
                               f"goals: {_ids(profile) or 'none (add goals: to the profile)'}.")
    else:
        gid = goal
        found = [(p, prof) for p, (prof, role) in sorted(seats.items())
                 if prof is not None and role != "therapist" and prof.goal(gid)
                 and (player is None or p == player)]
        if not found:
            now_goals = "; ".join(f"{prof.client_id} (player {p}): {_ids(prof) or 'none'}"
                                  for p, (prof, role) in sorted(seats.items())
                                  if prof is not None and role != "therapist")
            raise StationError(f"no seated client has the goal '{gid}'"
                               + (f" at player {player}" if player is not None else "")
                               + f". Goals now: {now_goals or 'nobody is seated'}. For a "
                               f"client who left, write CLIENT:GOAL (e.g. alex:{gid}).")
        if len(found) > 1:
            who = " and ".join(f"{prof.client_id} (player {p})" for p, prof in found)
            raise StationError(f"the goal '{gid}' belongs to {who}; say whose, like "
                               f"{found[0][1].client_id}:{gid}.")
    seat, profile = found[0]
    consent = consent_of(profile)
    if not consent.journal:
        raise ConsentError(f"refused: client {profile.client_id} did not consent to the "
                           f"journal ({consent.words()}), so the station keeps no ratings "
                           f"of theirs. Keep the rating in your own notes.")
    session = journal.last_session
    if session is None:
        raise StationError("there is no session to rate yet: start one with 'station "
                           "session start' (or the session button).")
    journal.rate(session, now, seat, journal.pseudonym(profile.client_id), gid, value)
    g = profile.goal(gid)
    return {"goal": gid, "client": profile.client_id, "player": seat, "level": value,
            "session": session, "text": g["text"],
            "level_text": (g.get("levels") or {}).get(value)}


def _ids(profile) -> str:
    return ", ".join(g["id"] for g in profile.goals)


def seated_goals(seats: dict[int, tuple]) -> dict[int, dict]:
    """What a front end offers for rating: player -> {client, goals: [{id, text, levels}],
    ratable} for each seated client (not the therapist). ``ratable`` is False without
    journal consent (the station keeps no ratings of theirs)."""
    out = {}
    for p, (profile, role) in sorted(seats.items()):
        if profile is None or role == "therapist":
            continue
        out[p] = {"client": profile.client_id, "ratable": consent_of(profile).journal,
                  "goals": [{"id": g["id"], "text": g["text"],
                             "levels": {str(k): v for k, v in (g.get("levels") or {}).items()}}
                            for g in profile.goals]}
    return out
