"""The panel's clinic files, made in its low-priority child: the report or metrics across rooms.

The Reports screen offers the clinic's report and metrics (``station.panel.clinic_reports``).
Making them means reading the clinic database (``station.clinic.gather``) and running the
report room's code on what it gathered, the same as ``station report --clinic`` and
``station export --clinic --format metrics``. The panel's room may reach neither the clinic
room nor the CLI, so the daemon, which builds both, hands the panel this module's child
command (``CHILD``): the panel runs it at nice 19 with its deadline, as it makes one
station's files.

``child([kind, config, database, out])``: ``kind`` report | metrics; ``database`` the
report role's connection string, or empty for the station's own role (its room only).
Exit 0 with the file written, or 1 with one line in plain words on stderr.

``attach(config, panel)``: the daemon's clinic (config ``clinic:``, off by default): the
replicator thread, and for the panel this child and the publishing of shared profiles.
"""

from __future__ import annotations

import sys
from pathlib import Path


def child(argv: list[str]) -> int:
    from station.clinic.gather import clinic_journal
    from station.clinic.settings import (
        ClinicError,
        ClinicSettings,
        connect,
        connect_settings,
        conninfo,
        first_line,
        psycopg,
    )
    from station.config.station import load_config
    from station.core.errors import StationError
    kind, config_path, database, out = argv
    try:
        settings = ClinicSettings.from_config(load_config(config_path))
        if settings is None:
            raise ClinicError("the station config has no clinic: section.")
        pg = connect(conninfo(database), {"connect_timeout": 10}) if database \
            else connect_settings(settings)
        try:
            conn = clinic_journal(pg)
        except psycopg().Error as exc:
            raise ClinicError(f"the clinic database could not be read ({first_line(exc)})"
                              ) from None
        finally:
            pg.close()
        _write(conn, kind, Path(out))
    except StationError as exc:
        print(f"station: {exc}", file=sys.stderr)
        return 1
    return 0


def _write(conn, kind: str, out: Path) -> None:
    """The report (pseudonyms: the clinic holds no names) or the metrics CSV."""
    from station.journal.consent import check_export
    from station.journal.reader import select_sessions
    if kind == "report":
        from station.report.build import write_report
        write_report(conn, out, names={})
        return
    from station.report.make import write_export
    sessions = select_sessions(conn)
    check_export(conn, sessions, None, "the clinic's metrics export")
    write_export(conn, sessions, "metrics", str(out))


CHILD = f"import sys; from {child.__module__} import {child.__name__} as run; " \
        f"sys.exit(run(sys.argv[1:]))"


def attach(config, panel):
    """The replicator for ``config`` (None without ``clinic:``); with a panel, a panel edit
    of a shared profile is published and the Reports screen makes the clinic's files."""
    if not config.raw.get("clinic"):
        return None
    from station.clinic.replicator import replicator_for     # loaded only when used
    clinic = replicator_for(config)
    if panel is not None:
        panel.actions.clients.shared = clinic.link.sync.publish_edit
        panel.actions.clinic_files.child = CHILD
    return clinic
