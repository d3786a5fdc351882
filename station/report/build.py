"""``station report``: the engagement report, one self-contained HTML file.

Per session: phases, notes, a touches-per-minute timeline, every metric per player,
suppressed touches by reason and the pad picture. Per client across the selected
sessions: each metric's Theil–Sen trend and the last 4 sessions against the first
(``station.report.trend``). Clients appear only as the journal's pseudonyms.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import numpy as np

from station.journal.reader import select_sessions
from station.report import html as H
from station.report import plots
from station.report.data import SessionData, load_session, subject
from station.report.metrics import session_metrics
from station.report.trend import trend

REPORT_MAGIC = b"<!DOCTYPE html>"   # an existing file is replaced only if it is a report
TREND_PLOTS = ("touches_per_active_minute", "time_on_task", "ioi_median",
               "turn_response_rate", "turn_latency_median", "vector_strength")


def write_report(conn: sqlite3.Connection, out: Path, *, session: int | None = None,
                 client: str | None = None) -> Path:
    """Write the report of the selected sessions to ``out`` (owner-only); return it."""
    from station.core.files import check_output, write_private
    check_output(out, "report", replace=REPORT_MAGIC)     # refuse before the work
    html = build_report(conn, session=session, client=client, source=str(out))
    return write_private(out, html, "report", replace=REPORT_MAGIC)


def build_report(conn: sqlite3.Connection, *, session: int | None = None,
                 client: str | None = None, source: str = "") -> str:
    infos = select_sessions(conn, session, client)
    data = [load_session(conn, info) for info in infos]
    what = (f"session {session}" if session is not None else
            f"client {client}" if client is not None else "all sessions")
    intro = (f"<p>{len(data)} session(s) of station {H.esc(infos[0].station)}, "
             f"{H.esc(infos[0].started_at[:10])} to {H.esc(infos[-1].started_at[:10])}; "
             f"selection: {H.esc(what)}.</p>")
    drafts = [session_section(d, client) for d in data]
    clients = [client] if client else sorted({c for d in data for c in d.clients()})
    trends = [client_section(c, data) for c in clients] if len(data) > 1 else []
    jobs = [args for _, args in drafts if args] + [args for _, args in trends if args]
    pngs = iter(render_all(jobs))
    sections = [html.replace(PLOT, next(pngs)) if args else html
                for html, args in drafts + trends]
    return H.page("Session report", intro, sections)


PLOT = "\x00plot\x00"      # where a picture goes once drawn


def _draw(job: tuple) -> str:
    kind, args = job
    return getattr(plots, kind)(*args)


def render_all(jobs: list[tuple]) -> list[str]:
    """Draw the report's pictures; on several cores in worker processes, because drawing
    is most of a long report's time (docs/metrics.md, benchmark)."""
    workers = min(len(jobs), os.cpu_count() or 1, 4)
    if workers < 2 or len(jobs) < 4:
        return [_draw(j) for j in jobs]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_draw, jobs, chunksize=max(1, len(jobs) // (4 * workers))))


def _players(d: SessionData, client: str | None) -> list[tuple[int, str | None]]:
    """(player, client filter) columns of a session's table."""
    out = []
    for p in d.players():
        if client is None or d.info.role(p) == "therapist":
            out.append((p, None))
        elif np.any((d.rows.player == p) & (d.rows.client == client)):
            out.append((p, client))
    return out


def _label(d: SessionData, p: int, client: str | None) -> str:
    seated = d.rows.client[(d.rows.player == p) & (d.rows.client != "")
                           & np.isin(d.rows.kind, ("touch", "note_on"))]
    who = client or ", ".join(dict.fromkeys(seated.tolist())) or "no client"
    return f"player {p} · {d.info.role(p)} · {who}"


def session_section(d: SessionData, client: str | None) -> tuple[str, tuple | None]:
    """The session's HTML with a ``PLOT`` mark, and the timeline job that fills it."""
    info = d.info
    minutes = d.span_s / 60.0
    parts = [f"<h2>Session {info.id}: {H.esc(info.started_at[:16].replace('T', ' '))} UTC, "
             f"{minutes:.1f} min</h2>",
             f"<p class=\"small\">started by {H.esc(info.started_by)}, ended by "
             f"{H.esc(info.ended_by or 'nothing (no end recorded)')}; output latency "
             f"{H.esc(f'{info.latency_ms:.1f} ms' if info.latency_ms else 'unknown')}.</p>"]
    if d.phases:
        parts.append(H.simple_table(["phase", "from (min)"], [
            [H.esc(name), f"{t / 60:.1f}"] for t, name in d.phases]))
    if d.notes:
        parts.append("<h3>Notes</h3><ul>" + "".join(
            f"<li>{t / 60:.1f} min: {H.esc(text)}</li>" for t, text in d.notes) + "</ul>")
    cols = _players(d, client)
    if not cols:
        parts.append('<p class="na">Nobody played in this session.</p>')
        return "".join(parts), None
    subjects = [subject(d, p, c) for p, c in cols]
    labels = [_label(d, p, c) for p, c in cols]
    job = ("timeline", (d.span_s, {l: s.touches for l, s in zip(labels, subjects)},
                        d.phases))
    parts.append(H.image(PLOT, "touches per minute over the session"))
    parts.append(H.metrics_table(labels, [session_metrics(s) for s in subjects]))
    reasons = sorted({r for s in subjects for r in s.suppressed})
    if reasons:
        parts.append("<h3>Suppressed touches by reason</h3>" + H.simple_table(
            ["reason"] + labels,
            [[H.esc(r)] + [str(s.suppressed.get(r, 0)) for s in subjects] for r in reasons]))
    pads = {l: dict(zip(*map(lambda a: a.tolist(), np.unique(s.touch_pads, return_counts=True))))
            for l, s in zip(labels, subjects) if len(s.touch_pads)}
    if pads:
        parts.append("<h3>Pads used</h3>" + H.pad_grid(pads))
    return "".join(parts), job


def client_metrics(client: str, data: list[SessionData]) -> list[tuple[int, dict]]:
    """(session id, metrics) for each session the client played, at their main position."""
    out = []
    for d in data:
        mine = (d.rows.client == client) & (d.rows.player >= 0)
        if not np.any(mine):
            continue
        players, counts = np.unique(d.rows.player[mine], return_counts=True)
        main = int(players[np.argmax(counts)])
        out.append((d.info.id, session_metrics(subject(d, main, client))))
    return out


def client_section(client: str, data: list[SessionData]) -> tuple[str, tuple | None]:
    per = client_metrics(client, data)
    parts = [f"<h2>Client {H.esc(client)} across {len(per)} session(s)</h2>"]
    if len(per) < 2:
        parts.append('<p class="na">Too few sessions for a trend.</p>')
        return "".join(parts), None
    rows, series = [], {}
    for key, (label, _hint) in H.LABELS.items():
        values = [m[key].value if m[key].ok else None for _, m in per]
        tr = trend(values)
        first = next((v for v in values if v is not None), None)
        last = next((v for v in reversed(values) if v is not None), None)
        slope = (H.number(tr.slope) + f' <span class="small">({H.number(tr.low)} to '
                 f'{H.number(tr.high)})</span>') if tr.slope is not None \
            else f'<span class="na">{H.esc(tr.why.split(";")[0])}</span>'
        rows.append([H.esc(label), str(tr.n), H.number(first), H.number(last), slope,
                     H.number(tr.baseline), H.number(tr.recent),
                     H.number(tr.nap, 3) + (" %" if tr.nap is not None else "")])
        if key in TREND_PLOTS:
            series[label] = (values, tr.slope, tr.intercept)
    parts.append(H.simple_table(["metric", "sessions", "first", "last",
                                 "Theil–Sen slope per session (95 % CI)", "baseline median",
                                 "last 4 median", "NAP: last 4 higher (indicator)"], rows))
    parts.append(H.image(PLOT, "key metrics per session with their Theil–Sen lines"))
    return "".join(parts), ("trends", (series, [str(s) for s, _ in per]))
