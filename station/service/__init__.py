"""The station as a service on the Pi: the daemon and the ways to reach it.

``daemon`` runs the station in real time, ``opening`` opens its synth, hardware and
journal lock, ``control`` is its Unix socket, ``notify`` speaks systemd's sd_notify,
``startup`` plays the hands-off cue and ready chime, ``status`` describes the running
station, ``doctor`` checks the machine's set-up, ``resume`` (with ``live_snapshot``)
keeps the live session state and puts it back after a restart.

May import: core, access, turns, sound, config, journal, engine, report, interop, panel,
hardware, clinic.
"""
