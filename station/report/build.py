"""``station report``: the report a therapist reads in two minutes, one HTML file.

Client first: for each client a summary in words, their goals (ratings beside the
linked measure, per session) and their measures across sessions; then each session:
its times in the station's local time, a timeline with numbered marks (outages, swaps,
refusals, turn modes, phases, notes), and the measures of every client column (the
therapist's position as the partner). All numbers come from ``station.report.table``,
the rows the metrics export writes. Clients appear only as the journal's pseudonyms.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np

from station.journal.consent import latest_consents
from station.journal.reader import SessionInfo, ratings, select_sessions
from station.report import html as H
from station.report import plots
from station.report.columns import board_of, outages
from station.report.data import SessionData, load_session
from station.report.marks import marks
from station.report.numbers import minutes, plain, rounded, signed, with_unit
from station.report.summary import summary
from station.report.table import Row, Visit, client_history, client_numbers, session_rows
from station.report.trend import trend
from station.report.vocabulary import KEY_METRICS, SYNC, TERMS

PLOT = "\x00plot{}\x00"      # where a picture goes once drawn
DETAIL_KEYS = ["seated_s", "touches", "valid_touches", "valid_per_min", "time_on_task_pct",
               "longest_silence_s", "hold_median_s", "ioi_median_s", "ioi_cv", "pads_used",
               "suppressed_pct", "turn_response_rate", "response_latency_median_s",
               "out_of_turn_pct", "initiations", "responses"]


def write_report(conn: sqlite3.Connection, out: Path, *, session: int | None = None,
                 client: str | None = None) -> Path:
    """Write the report of the selected sessions to ``out`` (owner-only); return it."""
    from station.core.files import check_output, write_private
    check_output(out, "report")
    return write_private(out, build_report(conn, session=session, client=client), "report")


# -- times ---------------------------------------------------------------------------------
def when(info: SessionInfo, after_s: float = 0.0, fmt: str = "%a %d %b %Y, %H:%M") -> str:
    return info.local(after_s).strftime(fmt)


def zone(info: SessionInfo) -> str:
    t = info.local()
    name = t.tzname() or ""
    if name and not name.startswith("UTC"):
        return name
    offset = t.utcoffset()
    return "UTC" if not offset else t.strftime("UTC%z")


# -- the page --------------------------------------------------------------------------------
class Report:
    def __init__(self, conn: sqlite3.Connection, session: int | None, client: str | None):
        self.conn = conn
        self.client = client
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
        nav = ("<nav>Clients: " + ", ".join(f'<a href="#client-{H.esc(c)}">{H.esc(c)}</a>'
                                            for c in self.clients)
               + (" · " if self.clients else "") + '<a href="#sessions">Sessions</a></nav>')
        sections = [self.client_section(c) for c in self.clients]
        sections.append('<h2 id="sessions">Sessions</h2>')
        sections += [self.session_section(d) for d in self.data]
        page = H.page("Session report", intro + nav, sections)
        for i, figure in enumerate(render_all(self.jobs)):
            page = page.replace(PLOT.format(i), figure)
        return page

    # -- a client --------------------------------------------------------------------------
    def client_section(self, client: str) -> str:
        all_rows = [r for rows in self.rows.values() for r in rows]
        history = sorted(client_history(self.numbers[client], all_rows, client),
                         key=lambda v: v.number)
        goals = self.goals(client)
        rated = self.rated.get(client, {})
        parts = [f'<section class="client" id="client-{H.esc(client)}">'
                 f"<h2>Client {H.esc(client)}</h2>", self.consent_line(client)]
        items = summary(history, goals, rated, lambda v: when(v.row.info, 0, "%a %d %b %Y"))
        parts.append('<div class="summary"><b>Summary</b><ul>'
                     + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>")
        parts.append(self.goals_part(goals, history, rated))
        parts.append(self.trend_part(history, goals))
        return "".join(parts) + "</section>"

    def goals(self, client: str) -> list[dict]:
        row = self.conn.execute("SELECT detail FROM events WHERE kind='goals' AND client=? "
                                "ORDER BY id DESC LIMIT 1", (client,)).fetchone()
        try:
            return json.loads(row[0]) if row else []
        except ValueError:
            return []

    def consent_line(self, client: str) -> str:
        c = self.consents.get(client)
        if c is None:
            return ('<p class="consent unknown">Consent: not in the journal (sessions '
                    'before consent was recorded).</p>')
        cls = "unknown" if not c.recorded else ("" if c.research_export and c.audio
                                                else "no")
        words = c.words()
        return f'<p class="consent {cls}">{H.esc(words[0].upper() + words[1:])}.</p>'

    def goals_part(self, goals: list[dict], history: list[Visit],
                   rated: dict[int, dict[str, int]]) -> str:
        if not goals:
            return ('<h3>Goals</h3><p class="na">No goals in this client\'s profile (add '
                    '2 to 4 under goals:, see docs/profiles.md).</p>')
        last = history[-1] if history else None
        rows = []
        for g in goals:
            levels = "<br>".join(f"{signed(int(k))}: {H.esc(v)}" for k, v in
                                 sorted((g.get("levels") or {}).items(),
                                        key=lambda kv: int(kv[0])))
            key = g.get("metric")
            measure = value = '<span class="na">none linked</span>'
            if key in TERMS and last is not None:
                measure = f"{H.esc(TERMS[key].label.lower())}, {H.esc(g['direction'])} is better"
                value = H.cell(key, last.row.metrics.get(key))
            done = [(v.number, rated.get(v.row.info.id, {}).get(g["id"])) for v in history]
            done = [(n, lv) for n, lv in done if lv is not None]
            rating = (f"{signed(done[-1][1])} <span class=\"small\">(session {done[-1][0]})"
                      f"</span>" if done else '<span class="na">not rated yet</span>')
            rows.append([f"<b>‘{H.esc(g['id'])}’</b><br>{H.esc(g['text'])}",
                         f'<span class="small">{levels}</span>' if levels else "—",
                         measure, value, rating])
        n = last.number if last is not None else "—"
        parts = ["<h3>Goals</h3>", H.simple_table(
            ["goal", "levels (goal attainment scaling)", "measure", f"session {n}",
             "latest rating"], rows),
            '<p class="small">Rate a goal after a session: <code>station session rate ID '
            'LEVEL</code> (−2..+2), or on the panel.</p>']
        if len(history) >= 2:
            numbers = [v.number for v in history]
            for g in goals:
                levels = [rated.get(v.row.info.id, {}).get(g["id"]) for v in history]
                metric = None
                if g.get("metric") in TERMS:
                    term = TERMS[g["metric"]]
                    metric = (term.label, term.y_label,
                              [rounded(v.row.value(g["metric"]), term.decimals)
                               for v in history], g["direction"])
                parts.append(self.plot("goal", (numbers, levels, g.get("levels") or {},
                                                metric),
                                       f"goal {g['id']}: ratings and measure per session",
                                       f"‘{g['id']}’: your ratings per session"
                                       + (" beside its measure." if metric else ".")))
        return "".join(parts)

    def trend_part(self, history: list[Visit], goals: list[dict]) -> str:
        if len(history) < 2:
            return ""          # the summary says so; the session's section has the measures
        parts = ["<h3>Across sessions</h3>"]
        numbers = [v.number for v in history]
        linked = [g["metric"] for g in goals if g.get("metric") in TERMS]
        keys = list(dict.fromkeys(linked + list(KEY_METRICS)))
        series, rows, empty = [], [], []
        for key in keys:
            term = TERMS[key]
            values = [rounded(v.row.value(key), term.decimals) for v in history]
            if all(v is None for v in values):
                empty.append(term.label.lower())
                continue
            tr = trend(values)
            title = term.label + (f" ({term.unit})" if term.unit else "")
            series.append((title, term.y_label, numbers, values, tr.slope, tr.intercept))
            known = [v for v in values if v is not None]
            slope = ('<span class="na">needs 4 sessions</span>' if tr.slope is None
                     else "no change" if rounded(tr.slope, term.decimals + 1) == 0
                     else f"{'+' if tr.slope > 0 else ''}{plain(tr.slope, term.decimals + 1)}"
                          f"{' ' + term.unit if term.unit else ''} per session")
            nap = (f"{plain(tr.nap, 0)} %" if tr.nap is not None
                   else '<span class="na">needs 5 sessions</span>')
            rows.append([H.esc(term.label), f'<span class="small">{H.esc(term.meaning)}</span>',
                         H.esc(with_unit(key, known[0])), H.esc(with_unit(key, known[-1])),
                         H.esc(with_unit(key, tr.baseline)) or "—",
                         H.esc(with_unit(key, tr.recent)) or "—", slope, nap])
        parts.append(self.plot("trends", (series,), "measures per session",
                               "Each measure per session; dashed: its Theil–Sen trend."))
        if empty:
            parts.append(f'<p class="na">No data in these sessions: {H.esc(", ".join(empty))}.'
                         f"</p>")
        parts.append(H.simple_table(
            ["measure", "what it is", "first", "latest", "first sessions (median)",
             "last 4 (median)", "trend", "last 4 higher than first (NAP, indicator)"], rows))
        return "".join(parts)

    # -- a session -------------------------------------------------------------------------
    def session_section(self, d: SessionData) -> str:
        info = d.info
        rows = self.rows[info.id]
        cols = [r for r in rows if r.phase == "all"]
        parts = [f'<section class="session" id="session-{info.id}">'
                 f"<h3 style=\"font-size:1.15em\">Session {info.id} of the journal · "
                 f"{H.esc(when(info))}–{H.esc(when(info, d.span_s, '%H:%M'))} "
                 f"({H.esc(zone(info))}), {H.esc(minutes(d.span_s))}</h3>",
                 f'<p class="small">Started by {H.esc(info.started_by)}, ended by '
                 f"{H.esc(info.ended_by or 'nothing (no end recorded)')}; output latency "
                 f"{H.esc(plain(info.latency_ms, 1) + ' ms' if info.latency_ms else 'unknown')}."
                 f"</p>"]
        if not cols:
            parts.append('<p class="na">Nobody was seated in this session.</p></section>')
            return "".join(parts)
        labels = {id(r): self.label(r) for r in cols}
        played = [r for r in cols if (r.value("touches") or 0) > 0 or r.column.anonymous]
        quiet = [r for r in cols if r not in played]
        consent = [f"<li>{H.esc(labels[id(r)])}: {H.esc(r.column.consent.words())}</li>"
                   for r in cols if r.column.consent is not None and not r.column.partner]
        if consent:
            parts.append(f'<ul class="consent">{"".join(consent)}</ul>')
        parts.append(self.timeline(d, cols, labels))
        for r in quiet:
            parts.append(f"<p>{H.esc(labels[id(r)])} was seated "
                         f"{H.esc(minutes(r.column.seated_s))} and did not play.</p>")
        if played:
            parts.append("<h3>Measures</h3>" + H.metrics_table(
                [self.head(r) for r in played], [r.metrics for r in played], DETAIL_KEYS))
            parts.append(self.sync_part(d, rows, labels))
            parts.append(self.held_back(played, labels))
            parts.append(self.pads(d, played, labels))
        return "".join(parts) + "</section>"

    def label(self, r: Row) -> str:
        c = r.column
        if c.partner or c.anonymous:
            return f"player {c.player} · {c.who()}"
        n = self.numbers.get(c.client, {}).get(r.info.id)
        return f"player {c.player} · {c.client}" + (f" (session {n})" if n else "")

    def head(self, r: Row) -> str:
        """A column's header (HTML): player, who, the client's session number."""
        c = r.column
        if c.partner or c.anonymous:
            return f"player {c.player}<br>{H.esc(c.who())}"
        n = self.numbers.get(c.client, {}).get(r.info.id)
        return (f"player {c.player}<br>{H.esc(c.client)}"
                + (f"<br><span class=\"small\">session {n}</span>" if n else ""))

    def timeline(self, d: SessionData, cols: list[Row], labels: dict) -> str:
        r = d.rows
        series = []
        for row in cols:
            c = row.column
            mine = (r.player == c.player) & (r.client == c.client) & (r.kind == "touch")
            series.append((f"P{c.player} {c.who() if (c.partner or c.anonymous) else c.client}",
                           c.seated, r.t[mine]))
        down = []
        for p in sorted({row.column.player for row in cols}):
            spans = outages(d, board_of(d, p))
            if spans:
                down.append((f"player {p}'s board offline", spans))
        ms = marks(d)
        out = [self.plot("timeline", (d.span_s, series, d.phases, down, [m.t for m in ms]),
                         "touches per minute over the session",
                         "Touches per minute of each client while seated; shaded: phases; "
                         "hatched: a board offline; numbers: the marks below.")]
        if ms:
            out.append(H.simple_table(["#", "at", "clock", "what"], [
                [str(i), f"{int(m.t // 60)}:{int(m.t % 60):02d}",
                 H.esc(when(d.info, m.t, "%H:%M:%S")), H.esc(m.text)]
                for i, m in enumerate(ms, 1)]))
        return "".join(out)

    def sync_part(self, d: SessionData, rows: list[Row], labels: dict) -> str:
        if not np.any(d.rows.kind == "beat"):
            return ""          # no pulse in this session: nothing to say about timing to it
        lines = []
        for r in rows:
            if r.column.partner or r.column.anonymous or not (r.value("touches") or 0):
                continue
            who = self.label(r)
            cells = [H.cell(k, r.metrics.get(k)) for k in SYNC]
            lines.append([H.esc(who), H.esc(r.phase)] + cells)
        return ("<h3>Timing against the pulse, per phase</h3>"
                f'<p class="small">{H.esc(TERMS["vector_strength"].meaning)}. '
                f'{H.esc(TERMS["mean_asynchrony_ms"].meaning)}.</p>'
                + H.simple_table(["client", "phase", TERMS["vector_strength"].label,
                                  TERMS["rayleigh_p"].label,
                                  TERMS["mean_asynchrony_ms"].label + " (ms)"], lines))

    def held_back(self, played: list[Row], labels: dict) -> str:
        reasons: dict[str, dict[int, int]] = {}
        for r in played:
            for reason, n in r.reasons.items():
                reasons.setdefault(reason, {})[id(r)] = n
        if not reasons:
            return ""
        return ("<h3>Touches held back, by reason</h3>" + H.simple_table(
            ["reason"] + [labels[id(r)] for r in played],
            [[H.esc(reason.replace("_", " "))] + [str(by.get(id(r), 0)) for r in played]
             for reason, by in sorted(reasons.items())]))

    def pads(self, d: SessionData, played: list[Row], labels: dict) -> str:
        r = d.rows
        grids = {}
        for row in played:
            c = row.column
            if c.anonymous:
                continue
            mine = (r.player == c.player) & (r.client == c.client) & (r.kind == "touch")
            pads, counts = np.unique(r.pad[mine], return_counts=True)
            if len(pads):
                grids[labels[id(row)]] = dict(zip(pads.tolist(), counts.tolist()))
        return ("<h3>Pads touched</h3>" + H.pad_grid(grids)) if grids else ""


def build_report(conn: sqlite3.Connection, *, session: int | None = None,
                 client: str | None = None, source: str = "") -> str:
    return Report(conn, session, client).html()


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

