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

Consent: one gate (``config.consent_gate.ConsentGate``, the very first listener: it
follows the seatings) is asked by every output: the journal, the MIDI/OSC mirror (its
listeners are guarded here), the daemon's ``file`` recording (paused while a client
without audio consent is seated), the seat lines of the log; exports ask its policy.

Listeners run in this order: the consent gate, sessions (before the journal, so a touch
that opens a session is journaled inside it), the turn gate, consent → journal, the stuck
guard, the lights, then the session music (backing, echo, plan); the daemon adds the
panel's feed and MIDI/OSC out after them. Timers run in the order of ``Rooms.timers``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from station.access.stuck import StuckGuard
from station.config.consent_gate import ConsentGate
from station.engine.music import SessionMusic
from station.engine.swaps import Swaps
from station.interop.attach import Host
from station.journal.consent import ConsentJournal
from station.journal.sessions import Sessions
from station.sound.recording import Recording, records
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
    gate: ConsentGate | None = None
    recording: Recording | None = None


def compose(config, engine, *, hardware, journal, synth, clock, seat_of,
            use_client) -> Rooms:
    """Build the rooms around ``engine`` and register their listeners, buttons and timers.

    ``synth``: the FluidSynth itself (the session music's sequencer plays it);
    ``seat_of(player)``: (profile, role) for the consent journal; ``use_client(player,
    client)``: load and seat a client (``Station.use_client``).
    """
    timers: list = []
    # One consent gate for every output (station.config.consent_gate); the journal's
    # side of it stands between the engine and the journal (station.journal.consent).
    gate = ConsentGate(seat_of, engine._pseudonym)
    consent = ConsentJournal(journal, seat_of, gate)
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
    swaps = Swaps(engine, use_client, config.roster, who=gate.who)
    engine.register_control("next_client", "swaps", swaps.next_client)
    timers.append(swaps)
    # Session music: plans, backing, echo (engine.music); it owns the session button.
    music = SessionMusic(engine, synth=synth, clock=clock, sessions=sessions,
                         consent=consent, cue=lights.cue)
    timers += music.timers
    gate.follows = music.backing.follows
    recording = None
    if records(synth):          # audio.driver: file writes a WAV: a recording
        recording = Recording(synth)
        gate.watch(lambda: recording.pause(bool(gate.withheld("recording", engine.seats))))
    # The gate hears every seating first, before any output sees the seat's next event.
    engine.add_listener("consent_gate", gate.observe, first=True)
    return Rooms(consent, stuck, sessions, lights, swaps, music, timers, gate, recording)


GUARDED = {"midi_out": "midi_out", "osc_out": "osc_out"}   # listener owner -> output


class GatedSeats:
    """The seats as the MIDI mirror reads them: a seat whose client keeps MIDI out reads
    as empty (no program change of their instrument when the port opens)."""

    def __init__(self, view, gate: ConsentGate) -> None:
        self._view, self._gate = view, gate

    def __getattr__(self, name):
        return getattr(self._view, name)

    def seated(self, player: int) -> bool:
        return self._view.seated(player) and self._gate.allows(player, "midi_out")


def interop_host(engine, submit, clock, gate: ConsentGate | None = None) -> Host:
    """The interop room's port on this engine (``interop.attach.attach``): its MIDI and
    OSC out listeners hear only what the consent ``gate`` lets out."""
    def listen(owner, fn):
        output = GUARDED.get(owner, "midi_out")      # any mirror needs journal consent
        engine.add_listener(owner, fn if gate is None else gate.guard(output, fn))
    seats = engine.view if gate is None else GatedSeats(engine.view, gate)
    return Host(seats=seats, listen=listen,
                unlisten=engine.remove_listener, pad=engine.pad, submit=submit,
                now=clock.now_ns)
