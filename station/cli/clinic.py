"""``station clinic init | push | status``: the clinic database of many rooms (docs/clinic.md).

``init`` sets up (or updates) the clinic database's schema and roles, and is safe to run
again. ``push --db JOURNAL`` sends what that journal has not yet sent, then exits: for a
station that was offline, a journal copied from a card, and tests; running it twice sends
nothing twice. ``status`` says whether the database answers, how many rows wait, since
when, and the last error. Settings come from the station config's ``clinic:`` section.
"""

from __future__ import annotations

import time

from station.cli.clinic_shared import profile_main, settings_of

CONFIG_HELP = ("station config file with a clinic: section (default: $STATION_CONFIG, "
               "/etc/station, ~/.config/station, the example)")


def register(sub) -> None:
    p = sub.add_parser("clinic", help="the clinic database shared by many stations: set it "
                       "up, send a journal to it, see the replication state")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    i = verbs.add_parser("init", help="create or update the clinic database's schema and "
                         "roles (safe to run again)")
    i.add_argument("--config", help=CONFIG_HELP)
    i.add_argument("--database", metavar="CONNINFO", help="connect as the database's owner "
                   "with this libpq connection string (default: the config's "
                   "clinic.database)")
    i.add_argument("--station", action="append", default=[], metavar="ID",
                   help="also create the role of this station id (repeat for more rooms)")
    i.set_defaults(func=init_main)
    s = verbs.add_parser("push", help="send what a journal has not yet sent, then exit")
    s.add_argument("--db", required=True, metavar="JOURNAL", help="the journal file to send")
    s.add_argument("--config", help=CONFIG_HELP)
    s.set_defaults(func=push_main)
    t = verbs.add_parser("status", help="is the clinic database reachable, what waits to "
                         "be sent, the last error")
    t.add_argument("--db", metavar="JOURNAL", help="journal file (default: the config's)")
    t.add_argument("--config", help=CONFIG_HELP)
    t.set_defaults(func=status_main)
    for kind, whose in (("profile", "a client profile"), ("plan", "a session plan")):
        f = verbs.add_parser(kind, help=f"share {whose} with the clinic's other rooms "
                             f"(versions and history), or show the shared one")
        f.add_argument("op", choices=("publish", "show"))
        f.add_argument("name", metavar="CLIENT" if kind == "profile" else "PLAN",
                       help="the client's id (their profile file name without .yaml)"
                       if kind == "profile" else "the plan's id (its file name without .yaml)")
        f.add_argument("--base", type=int, metavar="VERSION", help="publish: the shared "
                       "version your edit started from (leave out for one not shared yet)")
        f.add_argument("--by", metavar="WHO", help="publish: who made the change (default: "
                       "this station's id)")
        f.add_argument("--config", help=CONFIG_HELP)
        f.set_defaults(func=profile_main, kind=kind)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def init_main(args) -> int:
    from station.clinic.roles import init
    from station.clinic.settings import (
        ClinicError,
        connect,
        conninfo,
        first_line,
        psycopg,
    )
    stations = list(args.station)
    params: dict = {}
    database = args.database
    if database is None or args.config:
        _config, settings = settings_of(args.config)
        stations.insert(0, settings.station_id)
        if database is None:
            database, params = settings.database, settings.params()
    pg = connect(conninfo(database), params)
    try:
        done = init(pg, stations)
    except ValueError as exc:
        raise ClinicError(str(exc)) from None
    except psycopg().Error as exc:
        raise ClinicError(f"the clinic database refused the set-up ({first_line(exc)}). "
                          f"Run 'station clinic init' as the database's owner (--database "
                          f"'... user=OWNER').") from None
    except RuntimeError as exc:
        raise ClinicError(str(exc)) from None
    finally:
        pg.close()
    if done["before"] == done["after"] and not done["roles"] and not done["stations"]:
        print(f"the clinic database is up to date (schema version {done['after']}); "
              f"nothing to do.")
    else:
        print(f"the clinic database is set up: schema version {done['before']} -> "
              f"{done['after']}" + (f"; roles made: {', '.join(done['roles'])}"
                                   if done["roles"] else "")
              + (f"; stations added: {', '.join(done['stations'])}"
                 if done["stations"] else "") + ".")
        print("Give each station's role a password (ALTER ROLE ... PASSWORD) or a "
              "certificate: see docs/clinic.md.")
    return 0


def push_main(args) -> int:
    from station.clinic.replicator import plain, push
    from station.clinic.settings import ClinicError, connect_settings, psycopg
    from station.journal.outbox import record_error
    from station.clinic.link import Link
    from station.clinic.names import client_ids, clinic_folder
    from station.journal.reader import open_journal
    config, settings = settings_of(args.config)
    jconn = open_journal(args.db)
    try:
        pg = connect_settings(settings)
        try:
            # clinic pseudonyms for the config's clients, and forgets that waited first
            link = Link(clinic_folder(config), lambda: client_ids(config.clients_dir))
            link.connected(pg)
            link.cycle(pg, jconn)
            done = push(jconn, pg, settings.station_id, settings.batch_rows, link=link)
        except psycopg().Error as exc:
            message = plain(exc)
            record_error(jconn, settings.station_id, message)
            raise ClinicError(f"{message}. What was acknowledged stays sent; run the same "
                              f"command again to send the rest.") from None
        finally:
            pg.close()
    finally:
        jconn.close()
    print(f"{args.db}: sent {done.rows} row(s) in {done.batches} batch(es)"
          + (f", {done.ends} session end(s)" if done.ends else "")
          + (f"; {done.skipped} row(s) kept on the station (consent)" if done.skipped else "")
          + (" - the clinic database already had everything." if not done.rows
             and not done.ends else "."))
    return 0


def status_main(args) -> int:
    from station.clinic.settings import ClinicError, connect_settings
    from station.journal.outbox import pending, read_state
    from station.journal.reader import open_journal
    config, settings = settings_of(args.config)
    jconn = open_journal(args.db or config.journal)
    try:
        state = read_state(jconn, settings.station_id)
        rows, oldest = pending(jconn, state["cursor"])
    finally:
        jconn.close()
    try:
        connect_settings(settings).close()
        connected, why = True, None
    except ClinicError as exc:
        connected, why = False, str(exc)
    print(f"clinic database: {'connected' if connected else 'not reachable'} "
          f"(station {settings.station_id})")
    if why:
        print(f"  {why}")
    age = "" if oldest is None else f", the oldest from {_ago(oldest)}"
    print(f"rows pending: {rows}{age}")
    if state.get("sent_unix_ns"):
        print(f"last acknowledged: {_ago(state['sent_unix_ns'])}")
    if state.get("error"):
        print(f"last error ({_ago(state['error_unix_ns'])}): {state['error']}")
    _shared_lines(config, settings)
    return 0 if connected else 1


def _shared_lines(config, settings) -> None:
    """The station's shared texts and waiting forget requests (its clinic folder)."""
    from station.clinic.cache import status
    from station.clinic.forget import queued
    from station.clinic.link import link_for
    link = link_for(config, settings)
    shared = status(link.sync.cache)
    print(f"shared profiles and plans kept here: {shared['shared']}")
    for key, c in shared["conflicts"].items():
        print(f"  NOT SHARED: {key} was changed in {c['by']} since (now version "
              f"{c['version']}); see docs/clinic.md")
    for key in shared["held"]:
        print(f"  kept apart: {key} (a local file the station did not make)")
    waiting = len(queued(link.folder))
    if waiting:
        print(f"forget requests waiting for the link: {waiting}")


def open_clinic(args):
    """The clinic database as one in-memory journal (``--clinic [CONNINFO]`` of report
    and export): station.clinic.gather."""
    from station.clinic.gather import clinic_journal
    from station.clinic.settings import (
        ClinicError,
        connect,
        conninfo,
        first_line,
        psycopg,
    )
    if args.clinic is True:
        _config, settings = settings_of(args.config)
        pg = connect(conninfo(settings.database), settings.params())
    else:
        pg = connect(conninfo(args.clinic), {"connect_timeout": 10})
    try:
        return clinic_journal(pg)
    except psycopg().Error as exc:
        raise ClinicError(f"the clinic database could not be read ({first_line(exc)}). Is "
                          f"it set up ('station clinic init') and may this role read it?"
                          ) from None
    finally:
        pg.close()


def _ago(unix_ns: int) -> str:
    s = max(0.0, (time.time_ns() - unix_ns) / 1e9)
    if s < 90:
        return f"{s:.0f} s ago"
    if s < 90 * 60:
        return f"{s / 60:.0f} min ago"
    if s < 48 * 3600:
        return f"{s / 3600:.1f} h ago"
    return f"{s / 86400:.1f} days ago"
