"""Everything that makes or measures sound.

``synth`` drives FluidSynth (real time or offline render), ``soundfont`` finds the
soundfont, ``timbres`` names its instruments, ``theory`` knows notes, keys, scales and
chords, ``songs`` reads songs, ``mapping`` turns a pad into notes, ``wav`` writes what
the room heard, ``audio_guard`` keeps the audio device open, ``limiter`` holds every
output under the loudness ceiling (with ``limiter.c``), ``analysis`` measures
pitch, onsets and level in samples (tests, benchmarks, audio-test).

May import: core.
"""
