"""The one place the rooms of a running station are put together, each with its ports.

No room below the engine holds the engine: each is handed the few functions it needs
(the ports it defines itself), and plugs itself in through the engine's registries.

=============  ==================================  ========================================
Room's part    Its ports (defined by the room)     Handed here
=============  ==================================  ========================================
turns.gate     ``modes.Seating``, ``ports.Quiet``,  by the engine itself (``Engine`` builds
               ``ports.Hooks``                      its gate from the config)
turns.lights   ``Seating``, ``Quiet``, the gate     ``engine.view.seating()``, the engine,
                                                    ``hardware.set_light``
journal        ``sessions.Seats``, ``announce``     ``engine.view``, ``engine.announce``
access         ``stuck``: report, release;          ``engine.fault``, ``engine.handle``;
               ``chip``: the hardware               the hardware, at the engine's building
interop        ``attach.Host``                      ``interop_host`` (the daemon attaches)
=============  ==================================  ========================================

Listeners run in this order: sessions (first, so a touch that opens a session is
journaled inside it), the turn gate, consent → journal, the stuck guard, the lights,
then the session music (backing, echo, plan); the daemon adds the panel's feed and
MIDI/OSC out after them. Timers run in the order of ``Rooms.timers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from station.access.stuck import StuckGuard
from station.engine.music import SessionMusic
from station.engine.swaps import Swaps
from station.interop.attach import Host
from station.journal.consent import ConsentJournal
from station.journal.sessions import Sessions
from station.turns.lights import Lights


@dataclass
class Rooms:
    """What ``compose`` built around one engine; ``timers`` have ``next_deadline()`` and
    ``tick(now)`` and run with the engine's timers (the station adds its own later)."""

    consent: ConsentJournal
    stuck: StuckGuard
    sessions: Sessions
    lights: Lights
    swaps: Swaps
    music: SessionMusic
    timers: list = field(default_factory=list)


def compose(config, engine, *, hardware, journal, synth, clock, seat_of,
            use_client) -> Rooms:
    """Build the rooms around ``engine`` and register their listeners, buttons and timers.

    ``synth``: the FluidSynth itself (the session music's sequencer plays it);
    ``seat_of(player)``: (profile, role) for the consent journal; ``use_client(player,
    client)``: load and seat a client (``Station.use_client``).
    """
    timers: list = []
    # Consent is applied between the engine and the journal (station.journal.consent).
    consent = ConsentJournal(journal, seat_of)
    engine.add_listener("consent", consent.record)
    if hasattr(hardware, "next_deadline"):
        # First at any instant: the chips' samples (simulator) and the hardware's
        # settle reads and lifted-hand checks (hardware.upkeep) bring their events.
        timers.append(hardware)
    stuck = StuckGuard(config.raw.get("daemon", {}).get("stuck_limit_s", 0), hardware,
                       report=engine.fault, release=engine.handle,
                       players=engine.pad_owners())
    engine.add_listener("stuck", stuck.observe)
    timers.append(stuck)
    # Sessions: first listener, so a touch that opens a session is journaled inside it.
    sessions = Sessions(config, consent, engine.view, engine.announce)
    engine.add_listener("sessions", sessions.observe, first=True)
    timers.append(sessions)
    # Lights: one per player shows the turn, faults and refusals (station.turns.lights).
    lights = Lights(config.players, engine.gate, engine.view.seating(), engine,
                    hardware.set_light, [li.name for li in hardware.spec.lights],
                    idle_s=config.raw.get("turns", {}).get("idle_s", 60.0))
    engine.add_listener("lights", lights.observe)
    timers.append(lights)
    # Swaps: the next_client button, profile file edits (daemon), SIGHUP (engine.swaps).
    swaps = Swaps(engine, use_client, config.roster)
    engine.register_control("next_client", "swaps", swaps.next_client)
    timers.append(swaps)
    # Session music: plans, backing, echo (engine.music); it owns the session button.
    music = SessionMusic(engine, synth=synth, clock=clock, sessions=sessions,
                         consent=consent, cue=lights.cue)
    timers += music.timers
    return Rooms(consent, stuck, sessions, lights, swaps, music, timers)


def interop_host(engine, submit, clock) -> Host:
    """The interop room's port on this engine (``interop.attach.attach``)."""
    return Host(seats=engine.view, listen=engine.add_listener,
                unlisten=engine.remove_listener, pad=engine.pad, submit=submit,
                now=clock.now_ns)
