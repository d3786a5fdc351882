"""The station on the simulator, faster than real time.

``scenario`` reads scripted sessions, ``runner`` plays them through the real engine and
FluidSynth and writes the WAV and journal, ``summary`` counts what they did and says it
in words, ``motor`` generates the touch patterns of tremor, brushing, resting hands and
spasticity, ``motor_eval`` measures how each profile plays them.

May import: core, access, turns, sound, config, journal, engine, hardware.
"""
