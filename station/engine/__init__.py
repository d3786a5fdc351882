"""The live station: the touch-to-sound path and what composes it.

``pipeline`` is the engine (wiring lookup, access stage, turn gate, mapping, synth, then
the listeners), ``seat`` one player's position and what its pads sound, ``runtime``
composes engine, synth, journal, hardware, lights and timers and closes them safely,
``swaps`` seats clients (button, file edits, SIGHUP), ``wiring`` turns the station config
into the hardware layer's spec, ``music`` composes the session music: ``plans`` (the plan
runner), ``backing`` and ``echo`` (live, on the audio clock).

May import: core, access, turns, sound, config, journal, hardware.
"""
