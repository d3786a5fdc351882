"""``station session``, ``export``, ``report`` and ``forget``: the journal for therapists.

``session`` talks to the running station (its control socket). The other three read the
station config's journal, or the file given with ``--db`` (e.g. ``out/demo/station.db``
that ``station simulate`` wrote); they work whether or not the station is running.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _journal_args(p, *, select: bool = True) -> None:
    p.add_argument("--db", metavar="FILE", help="journal file (default: the station "
                   "config's journal)")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    if select:
        p.add_argument("--clinic", nargs="?", const=True, metavar="CONNINFO",
                       help="read the clinic database of many rooms instead of a journal "
                       "(docs/clinic.md): as the role of CONNINFO (the report role "
                       "clinic_reader reads every room), default the config's clinic:")
        g = p.add_mutually_exclusive_group()
        g.add_argument("--session", type=int, metavar="ID", help="only this session")
        g.add_argument("--client", metavar="ID", help="only this client (id like alex, or "
                       "the journal's pseudonym c-...)")


def register(sub) -> None:
    p = sub.add_parser("session", help="start or stop a session, mark a phase, add a note, "
                       "rate a goal")
    p.add_argument("op", choices=("start", "stop", "phase", "note", "rate", "status",
                                  "close-previous"))
    p.add_argument("text", nargs="*", help="the phase name (warm-up, main, reflection), "
                   "the note's text, or for rate: GOAL LEVEL (a goal id of a seated "
                   "client, or CLIENT:GOAL; level -2..2)")
    p.add_argument("--player", type=int, help="rate: the player whose client's goal it is")
    p.add_argument("--session", type=int, metavar="ID", help="note: the session the note "
                   "belongs to (default: the running one, else the last, within 24 h)")
    p.add_argument("--config", help="station config file (default: $STATION_CONFIG, /etc/station, "
                                    "~/.config/station, the example)")
    p.set_defaults(func=session_main)

    p = sub.add_parser("export", help="export sessions as CSV (events or metrics) or MIDI")
    p.add_argument("--format", choices=("csv", "midi", "metrics"), default="csv",
                   help="csv: one row per event; metrics: one row per session, player, "
                   "client and phase (docs/metrics.md); midi: a MIDI file per session")
    p.add_argument("-o", "--output", metavar="FILE", help="CSV file (default: print) or, "
                   "for midi, a .mid file or a folder (default: midi/)")
    p.add_argument("--midi-layout", choices=("players", "toolbox"), default="players",
                   help="midi: a track per player and client on the player's channel "
                   "(players), or client and therapist tracks (toolbox: Music Therapy "
                   "Toolbox)")
    _journal_args(p)
    p.set_defaults(func=export_main)

    p = sub.add_parser("report", help="write the engagement report (one HTML file)")
    p.add_argument("-o", "--output", metavar="FILE", default="report.html")
    p.add_argument("--clients", metavar="DIR", help="client profiles whose names the report "
                   "shows (default: the config's clients folder)")
    p.add_argument("--pseudonyms", action="store_true", help="show clients only as the "
                   "journal's pseudonyms (c-...), e.g. for a report to share")
    _journal_args(p)
    p.set_defaults(func=report_main)

    p = sub.add_parser("forget", help="delete all journal data of one client")
    p.add_argument("client", help="the client's id (like alex) or pseudonym (c-...)")
    _journal_args(p, select=False)
    p.set_defaults(func=forget_main)


def session_main(args) -> int:
    from station.config.station import load_config
    from station.core.errors import StationError
    from station.service.control import request
    if args.op == "rate":
        return _rate(args)
    if args.op == "close-previous":      # a fresh start after a resume (service.resume)
        return _close_previous(args)
    text = " ".join(args.text).strip()
    if args.op in ("phase", "note") and not text:
        raise StationError(f"'station session {args.op}' needs "
                           + ("a phase name, like: station session phase warm-up"
                              if args.op == "phase" else
                              "the note's text, like: station session note \"calm today\""))
    if args.op not in ("phase", "note") and text:
        raise StationError(f"'station session {args.op}' takes no text (got '{text}').")
    config = load_config(args.config)
    words: dict[str, Any] = ({"name": text} if args.op == "phase" else
                             {"text": text} if args.op == "note" else {})
    if args.op == "note" and args.session is not None:
        words["session"] = args.session
    status = request(config.control_socket, "session", op=args.op, **words)
    if args.op == "note" and status.get("noted") != status.get("session"):
        print(f"note added to session {status['noted']} (it has ended).")
        return 0
    if args.op == "note":
        print(f"note added to session {status['noted']}.")
    if status["active"]:
        phase = f", phase {status['phase']}" if status.get("phase") else ""
        print(f"session {status['session']} is running{phase}.")
    else:
        print("no session is running" + (" (the next touch starts one)."
                                         if status.get("auto_start") else "."))
    return 0


def _rate(args) -> int:
    from station.config.station import load_config
    from station.core.errors import StationError
    from station.service.control import request
    if len(args.text) != 2:
        raise StationError("'station session rate' needs the goal and the level, like: "
                           "station session rate reach +1  (levels -2..2; 0 = as expected)")
    goal, level = args.text
    config = load_config(args.config)
    status = request(config.control_socket, "session", op="rate", goal=goal, level=level,
                     **({"player": args.player} if args.player is not None else {}))
    r = status["rated"]
    words = f" ({r['level_text']})" if r.get("level_text") else ""
    print(f"rated {r['client']}'s goal '{r['goal']}' ({r['text']}) at {r['level']:+d}{words} "
          f"in session {r['session']}.")
    return 0


def _close_previous(args) -> int:
    """``station session close-previous``: after a resume, close that session and start
    a new one (station.service.resume)."""
    from station.config.station import load_config
    from station.core.errors import StationError
    from station.service.control import request
    if args.text:
        raise StationError("'station session close-previous' takes no text.")
    status = request(load_config(args.config).control_socket, "resume", op="close_previous")
    print(f"session {status['closed']} (resumed after the restart) is closed; a new "
          f"session has started.")
    return 0


def client_names(conn, args) -> dict[str, str]:
    """pseudonym -> client id from the station config's clients folder (best effort)."""
    from station.core.errors import StationError
    from station.journal.consent import known_names
    try:
        from station.config.station import load_config
        return known_names(conn, load_config(args.config).clients_dir)
    except StationError:
        return {}


def client_labels(conn, args) -> dict[str, str]:
    """pseudonym -> "Name (id)" for the report, from the client profiles on this station.

    Names never enter the journal: they are matched here, at report time, by computing
    each profile's pseudonym with the journal's own secret (best effort: a profile that
    cannot be read shows its id)."""
    from station.report.make import labels
    if getattr(args, "clients", None):
        return labels(conn, Path(args.clients))
    if not client_names(conn, args):
        return {}
    from station.config.station import load_config
    return labels(conn, load_config(args.config).clients_dir)


def _open(args):
    from station.journal.reader import client_pseudonym, journal_path, open_journal
    if getattr(args, "clinic", None):
        from station.cli.clinic import open_clinic
        conn = open_clinic(args)
        return conn, client_pseudonym(conn, getattr(args, "client", None))
    conn = open_journal(journal_path(args.db, args.config))
    return conn, client_pseudonym(conn, getattr(args, "client", None))


def export_main(args) -> int:
    from station.journal.consent import check_export
    from station.journal.reader import select_sessions
    conn, client = _open(args)
    try:
        sessions = select_sessions(conn, args.session, client)
        check_export(conn, sessions, client, f"the {args.format} export",
                     names=client_names(conn, args))
        from station.report.make import write_export
        for line in write_export(conn, sessions, args.format, args.output, client,
                                 midi_layout=args.midi_layout):
            print(line)
        return 0
    finally:
        conn.close()


def report_main(args) -> int:
    from station.report.build import write_report
    conn, client = _open(args)
    try:
        names = {} if args.pseudonyms else client_labels(conn, args)
        path = write_report(conn, Path(args.output), session=args.session, client=client,
                            names=names)
    finally:
        conn.close()
    print(f"wrote the report {path}")
    return 0


def forget_main(args) -> int:
    from station.core.files import flock_holder
    from station.journal.reader import journal_path
    from station.journal.retention import forget_client
    import os
    # the lock beside the journal's real path, as the station takes it (links resolved)
    holder = flock_holder(f"{os.path.realpath(journal_path(args.db, args.config))}.lock")
    from station.cli.clinic_shared import forget_in_clinic
    clinic = forget_in_clinic(args)        # ready before the journal forgets (its pseudonym)
    if holder is not None:                 # a station writes this journal: ask it
        deleted = _forget_through_station(args, holder)
    else:
        conn, _ = _open(args)
        try:
            deleted = forget_client(conn, args.client)
        finally:
            conn.close()
    if deleted.events == 0:
        print(f"the journal holds no data of client {args.client}; nothing was deleted.")
    else:
        print(f"forgot client {args.client}: deleted {deleted.words()}.")
    if clinic is not None:
        print(clinic())
    return 0


def _forget_through_station(args, holder: int):
    """The running station ends the client's session if it is running, then its own
    journal writer deletes (a second writer would leave it writing into deleted rows)."""
    from station.config.station import load_config
    from station.core.errors import StationError
    from station.journal.reader import journal_path
    from station.journal.retention import Deleted
    from station.service.control import request
    path = journal_path(args.db, args.config)
    config = load_config(args.config)
    if Path(config.journal).resolve() != path.resolve():
        raise StationError(f"a station (process {holder or '?'}) is running on the journal "
                           f"{path}; 'forget' must go through it so that nothing it writes "
                           f"is lost. Give that station's config with --config, or stop it "
                           f"first.")
    result = request(config.control_socket, "forget", client=args.client, timeout=130)
    return Deleted(**result)
