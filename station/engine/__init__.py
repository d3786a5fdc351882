"""The live station: the touch-to-sound path and what composes it.

``pipeline`` is the engine (wiring lookup, access stage, turn gate, mapping, synth, then
the listeners), ``registry`` who listens and who owns each button (one owner each),
``seat`` one player's position and what its pads sound (and ``SeatsView``, the seats
read-only for the rooms below), ``compose`` the one place the rooms around the engine
are built and handed their ports, ``runtime`` the station: synth, journal, hardware,
engine and timers, run and closed safely, ``swaps`` seats clients (button, file edits,
SIGHUP), ``wiring`` turns the station config into the hardware layer's spec, ``music``
composes the session music: ``plans`` (the plan runner), ``backing`` and ``echo``
(live, on the audio clock).

No room below holds the engine: each sees it through the ports it defines (see
docs/architecture.md, "Ports").

May import: core, access, turns, sound, config, journal, interop, hardware.
"""
