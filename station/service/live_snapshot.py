"""The live session state of a running station, as data, and put back after a restart.

``snapshot(station)`` reads (in the engine thread) what a restart must not lose:

* ``session``: the journal session's id, its start (station ns) and phase mark;
* ``plan``: the plan's id, the phase's index and when the phase began (station ns), and
  the turn mode the plan will give back when it ends;
* ``seats``: per player the client's id and the profile file it was seated from
  (``path``; null: nobody sits there, even where the config names a client);
* ``turns``: the turn mode and whose turn it is;
* ``backing``: its settings, its tempo now (BPM) and how far its ramp has come, the
  followed player, the key and the timbre;
* ``quiet``: all-quiet on or off; ``master_volume``: 0..1.

``restore(station, state, gap_start_ns, now)`` puts everything but the session and the
seats back (those are put back before the station starts: ``station.service.resume``):
the plan in the same phase with its elapsed time (the gap not counted, no new phase
mark), the turn mode and turn, the backing at the tempo it had (the rest of its ramp
still to come), the master volume and all-quiet. What cannot be put back (a plan file
removed meanwhile) is logged and left out: the station always starts.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from station.sound.backing import BackingSpec
from station.turns.gate import Turns

log = logging.getLogger("station")
VOLATILE = ("saved_ns", "saved_unix_ns")    # change all the time: not a reason to write


def snapshot(station) -> dict:
    """The live state of ``station`` (JSON-safe; see the module docstring)."""
    engine, sessions, music = station.engine, station.sessions, station.music
    plan = music.plan
    seats = {}
    for n, seat in sorted(engine.seats.items()):
        p = seat.profile
        seats[str(n)] = None if p is None else {
            "client": p.client_id, "path": None if p.path is None else str(p.path)}
    gate = engine.gate
    return {
        "session": None if not sessions.active else {
            "id": station.journal.session, "started_ns": sessions.started_ns,
            "phase": sessions.phase_name},
        "plan": None if plan.plan is None else {
            "id": plan.plan.plan_id, "index": plan.index,
            "phase_started_ns": plan.phase_started_ns, "mode_before": plan.mode_before},
        "seats": seats,
        "turns": {"mode": gate.mode, "turn": gate.current()},
        "backing": _backing(music.backing),
        "quiet": bool(engine.paused),
        "master_volume": engine.master_volume,
    }


def _backing(backing) -> dict | None:
    if not backing.running:
        return None
    spec = dataclasses.asdict(backing.spec)
    spec["pattern"] = list(spec["pattern"]) if spec["pattern"] else None
    ramp = backing.ramp
    return {"spec": spec, "by": backing.by, "player": backing.player,
            "key": backing.music.key, "timbre": backing.timbre.name,
            "bpm": None if ramp is None else round(ramp.bpm(), 2),
            "ramp_left_s": None if ramp is None or ramp.done
            else round(ramp.seconds - ramp.progress_s, 2)}


def same(a: dict | None, b: dict | None) -> bool:
    """Do two states differ only in what changes all the time (times, the ramp)?"""
    if a is None or b is None:
        return a is b

    def steady(s: dict) -> dict:
        out = {k: v for k, v in s.items() if k not in VOLATILE}
        if out.get("backing"):
            out["backing"] = {k: v for k, v in out["backing"].items()
                              if k not in ("bpm", "ramp_left_s")}
        return out
    return steady(a) == steady(b)


def seats_to_use(state: dict, players) -> dict[int, str | None]:
    """player -> what ``Station.start`` seats (a profile path, else the client id; None:
    nobody) for every player of the config the state names."""
    out: dict[int, str | None] = {}
    for p in players:
        seat = (state.get("seats") or {}).get(str(p.player), "absent")
        if seat == "absent":
            continue                       # a player the state does not know: the config's
        if seat is None:
            out[p.player] = None
        else:
            path = seat.get("path")
            out[p.player] = path if path and Path(path).is_file() else seat.get("client")
    return out


def restore(station, state: dict, gap_start_ns: int, now: int) -> list[str]:
    """Put the plan, turns, backing, volume and all-quiet back; return what was put back
    (words for the log and status)."""
    done: list[str] = []
    engine, music = station.engine, station.music
    steps = (("plan", lambda: _plan(music.plan, state.get("plan"), gap_start_ns, now)),
             ("turns", lambda: _turns(engine.gate, state.get("turns"), now)),
             ("backing", lambda: _restart_backing(music.backing, state.get("backing"), now)),
             ("master volume", lambda: _volume(engine, state.get("master_volume"))),
             ("all quiet", lambda: _quiet(engine.gate, state.get("quiet"), now)))
    for what, step in steps:
        try:
            if step():
                done.append(what)
        except Exception as exc:    # a plan removed, a timbre renamed: start without it
            log.warning("resume: the %s could not be put back (%s); the station goes on "
                        "without it.", what, str(exc).splitlines()[0])
    return done


def _plan(runner, plan: dict | None, gap_start_ns: int, now: int) -> bool:
    if not plan:
        return False
    elapsed_ns = max(0, gap_start_ns - int(plan["phase_started_ns"]))
    runner.resume(plan["id"], int(plan["index"]), elapsed_ns, plan.get("mode_before"), now)
    return True


def _turns(gate, turns: dict | None, now: int) -> bool:
    if not turns or not isinstance(gate, Turns):
        return False
    if gate.mode != turns["mode"]:
        gate.set_mode(turns["mode"], now, "resume")
    turn = turns.get("turn")
    if turn is not None and gate.mode != "free" and gate.current() != turn:
        gate.set_turn(int(turn), now, "resume")
    return True


def _restart_backing(backing, saved: dict | None, now: int) -> bool:
    """The backing again, from its tempo at the restart (a ramp goes on from there)."""
    if not saved:
        backing.stop(now, "resume")     # a plan phase's own backing is replaced by nothing
        return False
    values = dict(saved["spec"])
    values["pattern"] = tuple(values["pattern"]) if values.get("pattern") else None
    left = saved.get("ramp_left_s")
    spec = BackingSpec(**values)
    spec = dataclasses.replace(
        spec, follow=False, follow_player=saved.get("player"), key=saved.get("key"),
        timbre=saved.get("timbre"),
        tempo_bpm=saved.get("bpm") if saved.get("bpm") else spec.tempo_bpm,
        ramp_to_bpm=spec.ramp_to_bpm if left else None, ramp_s=left if left else None)
    backing.start(spec, now, by=saved.get("by") or "resume")
    return True


def _volume(engine, master) -> bool:
    if master is None or not 0.0 <= float(master) <= 1.0:
        return False
    engine.master_volume = float(master)
    return True


def _quiet(gate, quiet, now: int) -> bool:
    if not quiet or not isinstance(gate, Turns):
        return False
    gate.quiet.start(now)
    return True
