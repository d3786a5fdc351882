"""What ``station status`` shows: the running daemon's health in one dict (JSON-safe).

Built in the engine thread (a control handler), so every value is consistent. On top of
``Station.status()`` (players, turns, lights, ...) it adds what a technician asks first:
which boards answer, the audio state, the journal's health, the session, the last
touch and the uptime. Times are seconds; board addresses are hex strings.
"""

from __future__ import annotations

import os

from station.sound.limiter import ceiling_words


def daemon_status(daemon) -> dict:
    station = daemon.station
    now = daemon.clock.now_ns()
    engine = station.engine
    s = station.status()
    hw = station.hardware
    last = engine.boards
    s["boards"] = {f"{a:#x}": {"online": hw.online(a), "last_fault": last.get(a),
                               "out_of_range": board_pads(daemon.config, a,
                                                          hw.out_of_range(a))}
                   for a in hw.boards}
    s["players"] = {str(n): p for n, p in s["players"].items()}
    gate = getattr(station, "gate", None)       # what the journal keeps of each seat
    if gate is not None:
        for n, p in s["players"].items():
            p["journal"] = gate.allows(int(n), "journal")
    s["station"] = daemon.config.name
    s["pid"] = os.getpid()
    s["hardware"] = "sim" if daemon.sim else "pi"
    s["uptime_s"] = round((now - daemon.started_ns) / 1e9, 1)
    s["startup"] = daemon.startup.phase
    touch = engine.last_touch_ns
    s["last_touch_s_ago"] = None if touch is None else round((now - touch) / 1e9, 1)
    sessions = getattr(station, "sessions", None)
    if sessions is not None:
        s["session"] = sessions.status()
        if sessions.started_ns is not None:
            s["session"]["elapsed_s"] = round((now - sessions.started_ns) / 1e9, 1)
    s["journal"] = station.journal.health()
    s["plan"] = station.music.status()          # the plan, its phase and the backing
    resume = getattr(daemon, "resume", None)    # what the last restart resumed (service.resume)
    s["resume"] = resume.status() if resume is not None else None
    if daemon.audio is not None:
        s["audio"] = daemon.audio.status()
        recording = getattr(station, "recording", None)     # audio.driver: file
        if recording is not None:
            s["audio"]["recording_paused"] = recording.paused
    else:
        s["audio"] = {"state": "off", "error": "started with --no-audio: nothing is heard"}
    limiter = getattr(station.synth, "limiter", None)
    s["ceiling"] = limiter.status() if limiter is not None else {"active": False,
                                                                  "error": "no limiter"}
    s["stuck_electrodes"] = station.stuck.count
    s["config"] = str(daemon.config.path)
    panel = getattr(daemon, "panel", None)
    s["panel"] = panel.status() if panel is not None else {"enabled": False, "running": False}
    clinic = getattr(daemon, "clinic", None)
    s["clinic"] = clinic.state() if clinic is not None else None
    return s


def board_pads(config, address: int, electrodes: list[int]) -> list[dict]:
    """[{electrode, player, pad}] for electrodes of board ``address`` (player and pad
    are None for an electrode no player uses)."""
    owners = {(p.board, e): (p.player, pad) for p in config.players
              for pad, e in enumerate(p.electrodes)}
    return [dict(zip(("electrode", "player", "pad"), (e, *owners.get((address, e), (None, None)))))
            for e in electrodes]


def _board_problems(addr: str, b: dict) -> tuple[str, list[str]]:
    """(how the board reads in the Boards line, problems to fix)."""
    problems = []
    if b["online"]:
        text = f"{addr} online"
    elif b.get("last_fault") == "board_overcurrent":
        text = f"{addr} STOPPED (over-current)"
        problems.append(f"board {addr} stopped on an over-current at its REXT pin: a short "
                        f"on the board or in its wiring. It is retried every second and "
                        f"starts by itself once the short is gone; if not, unplug it and "
                        f"check the board and its pad wires.")
    else:
        text = f"{addr} NOT ANSWERING ({b.get('last_fault') or 'unknown'})"
        problems.append(f"board {addr} does not answer: check its cable; it is retried "
                        f"every second and comes back by itself.")
    for pad in b.get("out_of_range") or []:
        who = (f"pad {pad['pad'] + 1} of player {pad['player']}" if pad.get("player")
               else "an unused electrode")
        problems.append(f"{who} (board {addr}, electrode {pad['electrode']}) cannot be "
                        f"measured (out of range): check that pad's wire for a break or a "
                        f"short to ground. The board is checked again every 10 s.")
    if b.get("out_of_range"):
        text += f", {len(b['out_of_range'])} pad(s) out of range"
    return text, problems


def _ago(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    return _duration(seconds) + " ago"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m} min"


def _clinic(c: dict | None) -> str | None:
    """The replication line (None when the station has no clinic: section)."""
    if not c:
        return None
    pending = "?" if c.get("pending") is None else c["pending"]
    since = ""
    if c.get("oldest_pending_unix_ns") and pending:
        import time
        since = f", the oldest {_ago((time.time_ns() - c['oldest_pending_unix_ns']) / 1e9)}"
    state = "connected" if c.get("connected") else \
        f"NOT CONNECTED: {c.get('error') or 'not yet'}"
    line = f"Clinic ({c.get('station_id')}): {state}; {pending} rows pending{since} (the " \
           f"station plays on; the journal keeps them)"
    if c.get("conflicts"):        # station.clinic.sync: an edit here met a newer version
        line += (f"; NOT SHARED, changed in another room since: {', '.join(c['conflicts'])} "
                 f"(station clinic profile show NAME, then publish --base VERSION)")
    if c.get("held"):
        line += f"; local files kept apart from the shared ones: {', '.join(c['held'])}"
    if c.get("forget_waiting"):
        line += f"; {c['forget_waiting']} forget request(s) wait for the link"
    return line


def status_text(s: dict) -> str:
    """The plain-words form for a therapist or technician (``station status``)."""
    problems = []
    lines = [f"Station {s.get('station', '?')} ({s.get('hardware', '?')}): up "
             f"{_duration(s.get('uptime_s', 0))}, start-up {s.get('startup', '?')}."]
    boards = s.get("boards", {})
    parts = []
    for addr, b in boards.items():
        text, board_problems = _board_problems(addr, b)
        parts.append(text)
        problems += board_problems
    lines.append("Boards: " + (", ".join(parts) if parts else "none configured"))
    lines.append("Players:")
    for n, p in s.get("players", {}).items():
        who = p.get("client") or "(nobody seated)"
        if p.get("client") and p.get("journal") is False:
            who += " (no journal consent: the journal keeps counts only)"
        sounding = p.get("sounding") or []
        extra = f", sounding pads {sounding}" if sounding else ""
        lines.append(f"  {n} ({p.get('role', '?')}): {who}{extra}")
    session = s.get("session")
    if isinstance(session, dict):
        if session.get("active"):
            phase = f", phase {session['phase']}" if session.get("phase") else ""
            lines.append(f"Session: {session.get('session')} running{phase}")
        else:
            auto = " (starts at the first touch)" if session.get("auto_start") else ""
            lines.append(f"Session: none running{auto}")
    plan = s.get("plan") or {}
    if plan.get("plan"):
        lines.append(f"Plan: {plan['plan']}, phase {plan['index'] + 1} of "
                     f"{len(plan['phases'])} ({plan['phase']})")
    backing = plan.get("backing")
    if backing:
        tempo = f" at {backing['tempo_bpm']:g} BPM" if backing.get("tempo_bpm") else ""
        lines.append(f"Backing: {backing['style']} in {backing['key']}{tempo}")
    lines.append(f"Last touch: {_ago(s.get('last_touch_s_ago'))}")
    j = s.get("journal", {})
    if j.get("ok"):
        lines.append(f"Journal: ok, {j.get('written', 0)} events written ({j.get('path')})")
    else:
        lines.append(f"Journal: PROBLEM: {j.get('error') or ''} lost {j.get('lost', 0)} "
                     f"events ({j.get('path')})")
        problems.append("the journal is not writing: check the disk space and the folder's "
                        "permissions.")
    if j.get("retention"):
        lines.append(f"Journal: {j['retention']}")
    if j.get("crashed_sessions_closed"):
        lines.append(f"Journal: at start, closed session(s) "
                     f"{', '.join(map(str, j['crashed_sessions_closed']))} left open by a "
                     f"crash or power cut (at their last event).")
    lines += resume_lines(s.get("resume"))
    a = s.get("audio", {})
    if a.get("state") == "playing":
        lines.append(f"Audio: playing ({a.get('driver')} {a.get('device')}, "
                     f"{a.get('latency_ms')} ms buffer)")
        if a.get("recording_paused"):
            lines.append("Recording: paused (silence) while a client without consent to "
                         "recordings is seated.")
    elif a.get("state") == "off":
        lines.append(f"Audio: off ({a.get('error')})")
    else:
        lines.append(f"Audio: NOT PLAYING: {a.get('error')}; retrying "
                     f"({a.get('attempts', 0)} attempts so far)")
        problems.append("no sound: check the speaker/USB sound card; the station reopens it "
                        "by itself when it is back.")
    ceiling = s.get("ceiling")
    if ceiling is not None:
        lines.append(ceiling_words(ceiling))
        if not ceiling.get("active"):
            problems.append("the loudness ceiling is off: restart the station (it refuses to "
                            "play without it); 'station doctor' says what is missing.")
    if s.get("turn_mode"):
        lines.append(f"Turns: {s['turn_mode']}" + (f", player {s['turn']}'s turn"
                                                   if s.get("turn") else ""))
    panel = s.get("panel") or {}
    if panel.get("running"):
        lines.append(f"Panel: {panel['url']}" + ("" if panel.get("pin_set") is not False else
                                                  " (no PIN yet: station panel pin --new)"))
        if panel.get("warning"):
            lines.append(f"Panel warning: {panel['warning']}")
    elif panel.get("error"):
        lines.append(f"Panel: OFF: {panel['error']}")
        problems.append("the panel is off: " + panel["error"])
    clinic_line = _clinic(s.get("clinic"))
    if clinic_line:
        lines.append(clinic_line)
    if s.get("stuck_electrodes"):
        lines.append(f"Stuck pads recalibrated: {s['stuck_electrodes']}")
    lines.append("All is well." if not problems else "To fix:\n  - " + "\n  - ".join(problems))
    return "\n".join(lines)


def resume_lines(r: dict | None) -> list[str]:
    """What the last start did with the session the station was running (service.resume)."""
    if not r:
        return []
    if r.get("resumed"):
        x = r["resumed"]
        return [f"Session: {x['session']} went on after the restart ({x['gap_s']:.0f} s "
                f"off); 'station session close-previous' closes it and starts a new one."]
    if r.get("closed") and r.get("decision") == "fresh":
        return [f"Session: {r['closed']} was closed at its last event at start "
                f"({r.get('reason')})."]
    return []
