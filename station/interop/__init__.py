"""Interop: the station speaking the studio's languages, live.

``midi_out`` mirrors every note the station plays to a MIDI port (each player on their
own channel); ``midi_in`` turns the notes of a MIDI port (a therapist's keyboard, a
switch interface) into one player's pad touches; ``osc`` sends events (touch, note,
turn, phase, beat) over UDP and takes control commands (seat, phase, quiet, turn)
through the daemon's one command path. ``attach`` wires them into a running station
from the config's ``midi:`` and ``osc:`` sections (both off by default).

None of this is on the touch-to-sound path: the outputs are engine listeners (they run
after the synth has started the note) and the inputs hand their work to the engine
thread. This room sees the station through its own port, ``attach.Host`` (a read-only
view of the seats, listener registration, ``pad``, ``submit``, the clock) and the
daemon's ``call``, so it needs nothing above the core. python-rtmidi and python-osc are
imported only when a section is enabled.

May import: core.
"""
