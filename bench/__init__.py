"""Benchmarks of the station: touch-to-sound latency, jitter, load and cost (``make bench``).

Run ``python -m bench`` (or ``make bench``): every measurement runs in one process, in
one go, prints a table with PASS/MISS per target and writes ``out/bench/results.json``.
``--quick`` runs every measurement with tiny sample counts (for the smoke test; its
figures mean nothing). One module per measurement:

* ``pipeline``  IRQ edge -> synth note-on through the real daemon (1, 48 pads; 1..4 players)
* ``polling``   the usual approach: scan every electrode every 10 ms, same chip and synth
* ``i2c``       bus transactions and bytes per touch, and their wire time at 100/400 kHz
* ``audio``     note-on -> first sound frames per timbre; buffer latency; render speed
* ``storm``     48 electrodes toggling at 20 Hz for 60 s of virtual time, real journal
* ``process``   a real ``station run --hardware sim`` subprocess: start-up, RSS, idle CPU
* ``noise``     how disturbed the machine was (a fixed task's timing, GC pauses)
* ``targets``   the issue's targets (PASS/MISS) and the modelled Pi latency budget

``rig`` holds the measuring parts (bench configs, the timed synth wrapper, IRQ edge
stamps, the real daemon run with a driver thread); ``stats`` the summaries; ``onsets``
finds where sound starts in ``e2e``'s JACK recordings.

Times are measured with ``time.perf_counter_ns`` (CLOCK_MONOTONIC on Linux) and reported
in milliseconds. Targets are checked here, never in unit tests (``targets``).
"""
