"""``station export --format metrics``: the metrics table as CSV, for spreadsheets and R.

One row per session × player × client × phase, plus a row with phase ``all`` for the
whole session (``station.report.table``); exactly the columns of
``vocabulary.EXPORT_COLUMNS``, numbers rounded to their meaning, an empty cell where a
metric does not apply or the data are too thin. Definitions: docs/metrics.md.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import sys
from pathlib import Path
from collections.abc import Iterable

from station.journal.reader import SessionInfo
from station.report.data import load_session
from station.report.table import session_rows
from station.report.vocabulary import EXPORT_COLUMNS


def metric_rows(conn: sqlite3.Connection, sessions: Iterable[SessionInfo],
                client: str | None = None) -> Iterable[list[str]]:
    for info in sessions:
        for row in session_rows(load_session(conn, info), client):
            yield row.cells()


def metrics_csv(conn: sqlite3.Connection, sessions: Iterable[SessionInfo],
                client: str | None = None) -> tuple[str, int]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(EXPORT_COLUMNS)
    n = 0
    for cells in metric_rows(conn, sessions, client):
        w.writerow(cells)
        n += 1
    return buf.getvalue(), n


def write_metrics(conn: sqlite3.Connection, sessions: list[SessionInfo],
                  client: str | None, output: str | None) -> tuple[Path | None, int]:
    """Write the CSV to ``output`` (private, atomic) or to stdout; return (path, rows)."""
    from station.core.files import write_private
    text, n = metrics_csv(conn, sessions, client)
    if not output:
        sys.stdout.write(text)
        return None, n
    return write_private(Path(output), text, "metrics export"), n
