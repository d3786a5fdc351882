"""``station report``: the report a therapist reads in two minutes, one HTML file.

Client first: for each client a summary in words, their goals (ratings beside the
linked measure, per session) and their measures across sessions; then each session:
its times in the station's local time, a timeline with numbered marks (outages, swaps,
refusals, turn modes, phases, notes), and the measures of every client column (the
therapist's position as the partner). All numbers come from ``station.report.table``,
the rows the metrics export writes. The journal knows clients only by pseudonym; the
report shows the names given in ``names`` (matched at report time from this station's
profiles, ``station report`` does it unless ``--pseudonyms``), else the pseudonyms.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from station.journal.consent import latest_consents
from station.journal.reader import ratings, select_sessions
from station.report import html as H
from station.report import plots
from station.report.client_part import ClientPart
from station.report.data import load_session
from station.report.numbers import when, zone
from station.report.session_part import SessionPart
from station.report.table import client_numbers, session_rows

PLOT = "\x00plot{}\x00"      # where a picture goes once drawn
REPORT_MAGIC = b"<!DOCTYPE html>"   # an existing file is replaced only if it is a report


def write_report(conn: sqlite3.Connection, out: Path, *, session: int | None = None,
                 client: str | None = None, names: dict[str, str] | None = None) -> Path:
    """Write the report of the selected sessions to ``out`` (owner-only); return it.

    ``names``: pseudonym -> how to show that client (e.g. "Alex (alex)")."""
    from station.core.files import check_output, write_private
    check_output(out, "report", replace=REPORT_MAGIC)     # refuse before the work
    page = build_report(conn, session=session, client=client, names=names)
    return write_private(out, page, "report", replace=REPORT_MAGIC)


# -- times ---------------------------------------------------------------------------------
# -- the page --------------------------------------------------------------------------------
class Report(ClientPart, SessionPart):
    def __init__(self, conn: sqlite3.Connection, session: int | None, client: str | None,
                 names: dict[str, str] | None = None):
        self.conn = conn
        self.client = client
        self.names = dict(names or {})
        self.infos = select_sessions(conn, session, client)
        self.data = [load_session(conn, info) for info in self.infos]
        self.rows = {d.info.id: session_rows(d, client) for d in self.data}
        self.jobs: list[tuple] = []
        self.consents = latest_consents(conn)
        self.rated: dict[str, dict[int, dict[str, int]]] = {}
        for sid, who, gid, level in ratings(conn, client):
            self.rated.setdefault(who, {}).setdefault(sid, {})[gid] = level
        seen: dict[str, None] = {}
        for d in self.data:
            for r in self.rows[d.info.id]:
                c = r.column
                if r.phase == "all" and c.client and not c.partner:
                    seen.setdefault(c.client)
        self.clients = list(seen)
        self.numbers = {c: client_numbers(conn, c) for c in self.clients}

    def who(self, client: str) -> str:
        """How the page names a client: their name where known, else the pseudonym."""
        return self.names.get(client, client)

    def plot(self, kind: str, args: tuple, alt: str, caption: str = "") -> str:
        self.jobs.append((kind, args, alt, caption))
        return PLOT.format(len(self.jobs) - 1)

    def html(self) -> str:
        first, last = self.infos[0], self.infos[-1]
        what = ("one session" if len(self.infos) == 1 else
                f"{len(self.infos)} sessions")
        intro = (f"<p>{what} of station {H.esc(first.station)}, "
                 f"{H.esc(when(first, 0, '%d %b %Y'))}"
                 + (f" to {H.esc(when(last, 0, '%d %b %Y'))}" if last is not first else "")
                 + f". Times are the station's local time ({H.esc(zone(first))}).</p>"
                 + H.HOWTO)
        nav = ("<nav>Clients: " + ", ".join(f'<a href="#client-{H.esc(c)}">'
                                            f'{H.esc(self.who(c))}</a>'
                                            for c in self.clients)
               + (" · " if self.clients else "") + '<a href="#sessions">Sessions</a></nav>')
        sections = [self.client_section(c) for c in self.clients]
        sections.append('<h2 id="sessions">Sessions</h2>')
        sections += [self.session_section(d) for d in self.data]
        page = H.page("Session report", intro + nav, sections)
        for i, figure in enumerate(render_all(self.jobs)):
            page = page.replace(PLOT.format(i), figure)
        return page

def build_report(conn: sqlite3.Connection, *, session: int | None = None,
                 client: str | None = None, names: dict[str, str] | None = None) -> str:
    return Report(conn, session, client, names).html()


# -- drawing -------------------------------------------------------------------------------
def _draw(job: tuple) -> str:
    kind, args, alt, caption = job
    src, width = getattr(plots, kind)(*args)
    return H.figure(src, width, alt, caption)


def render_all(jobs: list[tuple]) -> list[str]:
    """Draw the report's pictures; on several cores in worker processes, because drawing
    is most of a long report's time (docs/metrics.md, benchmark)."""
    from matplotlib.figure import Figure  # noqa: F401  imported once, shared by the workers
    workers = min(len(jobs), os.cpu_count() or 1, 4)
    if workers < 2 or len(jobs) < 4:
        return [_draw(j) for j in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_draw, jobs, chunksize=max(1, len(jobs) // (4 * workers))))

