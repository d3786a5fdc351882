"""Everything that makes or measures sound.

``synth`` drives FluidSynth (real time or offline render), ``fluid_settings`` sets it up
(the real-time output's driver, device and buffer), ``soundfont`` finds the soundfont,
``timbres`` names its instruments, ``theory`` knows notes, keys, scales and chords,
``songs`` reads songs, ``mapping`` turns a pad into notes, ``wav`` writes what the room
heard, ``backing`` says what a drone, pulse or ostinato plays, ``tempo`` the iso
principle's tempos (the client's own, ramps, "with the beat"), ``echo`` phrases and
their echo, ``scheduler`` places timed notes on the audio clock (FluidSynth's sequencer
in real time, exact blocks offline), ``audio_guard`` keeps the audio device open,
``limiter`` holds every output under the loudness ceiling (with ``limiter.c``),
``recording`` pauses a ``file`` driver's recording while consent says so,
``analysis`` measures pitch, onsets and level in samples (tests, benchmarks, audio-test).

May import: core.
"""
