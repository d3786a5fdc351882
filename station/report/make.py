"""Making one file from the journal: the report, or a CSV, MIDI or metrics export.

``station export`` and ``station report`` write through these functions, and so does
the panel's Reports screen, which runs ``child`` in a process of its own at the lowest
CPU priority (drawing a report's plots takes a second or more of CPU; in a child it
never holds the daemon's interpreter lock). ``child`` prints a problem as one line
``station: ...`` on stderr and returns the exit code, as the ``station`` command does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

EXPORTS = ("csv", "midi", "metrics")
CSV_MAGIC = b"session,t,"     # an existing file is replaced only if it is a CSV export


def labels(conn, clients_dir: Path | None) -> dict[str, str]:
    """pseudonym -> "Name (id)" for the clients of ``clients_dir`` (best effort: a
    profile that cannot be read shows its id). Names never enter the journal: they are
    matched here, at report time, with the journal's own secret."""
    from station.config.profile import display_name
    from station.journal.consent import known_names
    if clients_dir is None:
        return {}
    out = {}
    for pseud, cid in known_names(conn, clients_dir).items():
        name = display_name(Path(clients_dir) / f"{cid}.yaml")
        out[pseud] = (cid if not name else name if name.lower() == cid.lower()
                      else f"{name} ({cid})")
    return out


def write_export(conn, sessions: list, fmt: str, output: str | None,
                 client: str | None = None, midi_layout: str = "players") -> list[str]:
    """Write the ``fmt`` export of ``sessions`` (consent already checked) to ``output``
    (CSV and metrics without one: to stdout); the lines saying what was written."""
    if fmt == "metrics":
        from station.report.export_metrics import write_metrics
        out, n = write_metrics(conn, sessions, client, output)
        return [] if out is None else [f"wrote {n} rows of {len(sessions)} session(s) to {out}"]
    if fmt == "midi":
        from station.report.export_midi import write_midi
        paths = write_midi(conn, sessions, Path(output or "midi"), client, layout=midi_layout)
        return [f"wrote {path}" for path in paths]
    from station.core.files import check_output, open_output
    from station.report.export_csv import csv_rows, write_csv
    if not output:
        write_csv(sys.stdout, csv_rows(conn, sessions, client))
        return []
    out = check_output(output, "CSV export", replace=CSV_MAGIC)
    with open_output(out, "CSV export", replace=CSV_MAGIC) as f:
        n = write_csv(f, csv_rows(conn, sessions, client))
    return [f"wrote {n} rows of {len(sessions)} session(s) to {out}"]


def make_file(kind: str, journal: Path, session: int, out: Path,
              clients_dir: Path | None) -> None:
    """One session's ``kind`` file (report, or one of ``EXPORTS``) at ``out``; the
    report names the clients of ``clients_dir``. Consent is honoured as by the CLI."""
    from station.journal.consent import check_export, known_names
    from station.journal.reader import open_journal, select_sessions
    conn = open_journal(journal)
    try:
        if kind == "report":
            from station.report.build import write_report
            write_report(conn, Path(out), session=session, client=None,
                         names=labels(conn, clients_dir))
            return
        if kind not in EXPORTS:
            raise ValueError(f"no such file: {kind}")
        sessions = select_sessions(conn, session, None)
        check_export(conn, sessions, None, f"the {kind} export",
                     names=known_names(conn, clients_dir) if clients_dir else {})
        write_export(conn, sessions, kind, str(out))
    finally:
        conn.close()


def child(argv: list[str]) -> int:
    """``KIND JOURNAL SESSION OUT [CLIENTS_DIR]``: ``make_file`` in a child process."""
    from station.core.errors import StationError
    from station.core.logs import setup_logging
    setup_logging(os.environ.get("STATION_LOG", "WARNING"))
    kind, journal, session, out, *clients = argv
    try:
        make_file(kind, Path(journal), int(session), Path(out),
                  Path(clients[0]) if clients else None)
    except StationError as exc:
        print(f"station: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:       # the last line of defence: one plain line
        print(f"station: internal error while making the {kind} ({type(exc).__name__}: "
              f"{exc}); please report it.", file=sys.stderr)
        return 70
    return 0
