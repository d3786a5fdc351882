"""``station clinic profile|plan publish|show`` and the clinic's part of ``station forget``.

``publish`` shares a checked profile or plan as the next version (``--base``: the version
the edit started from; a stale one is refused with what changed) and records it in the
station's shared cache, so the running station takes it as its own; ``show`` prints the
shared text and its history. ``forget_in_clinic`` is what ``station forget`` adds on a
station with a clinic (docs/clinic.md); ``settings_of`` reads the config's ``clinic:`` section
for every ``station clinic`` verb.
"""

from __future__ import annotations

import sqlite3


def profile_main(args) -> int:
    """Publish a checked profile as the next shared version, or show the shared one."""
    from station.clinic.settings import (
        ClinicError,
        connect_settings,
        first_line,
        psycopg,
    )
    from station.clinic.link import link_for
    config, settings = settings_of(args.config)
    body = None
    if args.op == "publish":           # only a valid text is shared
        if args.kind == "profile":
            from station.config.profile import load_profile
            load_profile(args.name, config.clients_dir)
            path = config.clients_dir / f"{args.name}.yaml"
        else:
            from station.config.plan import load_plan, plan_path, plans_folder
            load_plan(args.name, plans_folder(config))
            path = plan_path(args.name, plans_folder(config))
        body = path.read_text(encoding="utf-8")
    pg = connect_settings(settings)
    try:
        return _profile(args, pg, settings, body, link_for(config, settings).sync)
    except psycopg().Error as exc:
        raise ClinicError(f"the clinic database refused it ({first_line(exc)}).") from None
    finally:
        pg.close()


def _profile(args, pg, settings, body: str | None, sync) -> int:
    """publish or show (``profile_main``), on an open connection. A published text is
    recorded in the station's shared cache (``sync.track``), so the running station
    takes it as its own version and does not publish it again."""
    from station.clinic.settings import ClinicError
    from station.clinic.shared import Conflict, fetch, history, publish
    kind, name = args.kind, args.name
    if args.op == "publish":
        try:
            done = publish(pg, kind, name, body, args.base, args.by or settings.station_id)
        except Conflict as exc:
            raise ClinicError(f"{exc}\nWhat changed since:\n{exc.diff}") from None
        sync.track(kind, name, done.version, body)
        print(f"shared {name}'s {kind} as version {done.version}.")
        return 0
    shared = fetch(pg, kind, name)
    if shared is None:
        raise ClinicError(f"the clinic has no shared {kind} {name}; share it with: "
                          f"station clinic {kind} publish {name}")
    print(f"{name}: version {shared.version}, by {shared.changed_by} at "
          f"{shared.changed_at:%Y-%m-%d %H:%M} UTC")
    for version, who, at, room in history(pg, kind, name):
        print(f"  version {version}: {who} ({room or 'the owner'}) at {at:%Y-%m-%d %H:%M}")
    print(shared.body, end="" if shared.body.endswith("\n") else "\n")
    return 0


def forget_in_clinic(args):
    """For ``station forget``: None without a clinic, else a function that forgets the
    client in the clinic database too (or queues it) and returns the sentence to print.
    The journal's pseudonym of the client is taken now, before the journal forgets."""
    from station.clinic.forget import forget_in_clinic as forget
    from station.clinic.names import clinic_folder
    from station.clinic.settings import ClinicSettings, connect_settings
    from station.config.station import load_config
    from station.core.errors import StationError
    from station.journal.queries import open_read_only
    from station.journal.reader import journal_path
    from station.journal.retention import resolve_client
    try:
        config = load_config(args.config)
    except StationError:
        return None
    settings = ClinicSettings.from_config(config)
    if settings is None:
        return None
    own = None
    try:
        conn = open_read_only(journal_path(args.db, args.config))
        try:
            own = resolve_client(conn, args.client)
        finally:
            conn.close()
    except (StationError, OSError, sqlite3.Error):
        pass             # no journal here: the clinic's pseudonym still finds the rows
    return lambda: forget(settings, clinic_folder(config), args.client, own,
                          lambda: connect_settings(settings, quick=True))


def settings_of(config_path):
    """(station config, its ClinicSettings); StationError if it has no clinic: section."""
    from station.clinic.settings import ClinicSettings
    from station.config.station import load_config
    from station.core.errors import ConfigError
    config = load_config(config_path)
    settings = ClinicSettings.from_config(config)
    if settings is None:
        raise ConfigError(f"{config.path}: the station config has no clinic: section; add "
                          f"one with database: and station_id: (docs/clinic.md), or give "
                          f"the config that has it with --config.")
    return config, settings
