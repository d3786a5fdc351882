"""The adaptive instrument station: pure logic plus the synth and journal edges.

Nothing in this package imports a Raspberry Pi library; those live in leaf modules
of ``hardware/`` so the station imports and runs on any Linux machine.
"""

__version__ = "0.1.0"
