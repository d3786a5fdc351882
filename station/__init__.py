"""The adaptive instrument station: pure logic plus the synth and journal edges.

Nothing in this package imports a Raspberry Pi library; those live in leaf modules
of ``hardware/`` so the station imports and runs on any Linux machine.

Rooms, lowest first (each subpackage's docstring says what it may import):
core → access, turns, sound → config → journal → engine → report, sim, service → cli.
``docs/architecture.md`` explains the cut and where each kind of change goes.
"""

__version__ = "0.1.0"
