"""The therapist's web panel: run a session from a tablet or phone, safely.

``app`` builds it for the daemon and describes it for ``station status``, ``server`` is the
HTTP server (its own threads, a bounded number of connections, optional TLS), ``api`` the
checks every request passes (sign-in, CSRF) and the live stream, ``actions`` what each
route does, ``plans`` the session plan and goal-rating routes, ``auth`` the PIN sign-in,
sessions, CSRF tokens and the lock-out, ``keep`` the sign-ins kept across a restart,
``pin`` the stored PIN hash, ``feed`` the live pad feed (an engine listener that only
appends to a bounded buffer) and the stream's heartbeat, ``limits`` what a request
may carry (size, JSON depth) and the plain 400 answer, ``clients`` the roster and profile
edits, ``tuning`` "Tune from this session" (a proposal made by ``station profile tune``
in a child, and its Accept), ``child`` the low-priority child both run in,
``reports`` the journal's sessions, their ratings and their
report, CSV, MIDI and metrics, ``static/`` the page itself (every asset served by the
station; ``live.js`` the banner when the station stops answering, and the reconnect).

The panel changes nothing itself: every action goes through the daemon's one command path
(``ControlServer.call``), handed to it by ``station.service.daemon``, which runs it in
the engine thread. Profile edits are file edits (``station.config.profile_edit``).

May import: core, sound, config, journal, report (the Reports screen makes its files
through station.report.make, in a child process).
"""
