"""Consent before a simulation records: the simulator writes ``session.wav``, a recording
of the session's sound, so every client the scenario seats must allow recordings.

A client whose profile says ``consent.audio: false`` makes ``station simulate`` refuse
before anything is written (exit 1, ``ConsentError`` naming the client and their
consent). Profiles without a consent section (not recorded) and therapist positions
are not asked; a profile that does not load is refused later by the run itself, as on
the station.
"""

from __future__ import annotations

from station.config.consent import refuse_beyond
from station.config.profile import load_profile
from station.core.errors import ProfileError


def seated_clients(config, scenario) -> list[str]:
    """Every client id or profile path the scenario seats at a client position."""
    roles = {p.player: p.role for p in config.players}
    seated = {p.player: p.client for p in config.players if p.client}
    seated.update(scenario.clients)
    out = [c for n, c in seated.items() if roles.get(n) != "therapist"]
    out += [str(s.args["client"]) for s in scenario.steps
            if s.action == "use_client" and roles.get(s.args.get("player")) != "therapist"]
    return list(dict.fromkeys(out))


def check_recording(config, scenario, wav: str) -> None:
    """Raise ConsentError if a seated client did not consent to recordings."""
    for client in seated_clients(config, scenario):
        try:
            profile = load_profile(client, config.clients_dir)
        except ProfileError:
            continue
        refuse_beyond(profile, "audio", f"the simulator records the session's sound to "
                      f"{wav}. Play the scenario with another client", profile.client_id)
