"""A session's part of the report: local times, consent, the timeline with its marks, the
measures of every column, timing against a pulse, held-back touches and pads.

A mixin of ``station.report.build.Report``; see that module for the page as a whole.
"""

from __future__ import annotations

import numpy as np

from station.report import html as H
from station.report.columns import board_of, outages
from station.report.data import SessionData
from station.report.marks import marks
from station.report.numbers import minutes, plain, when, zone
from station.report.table import Row
from station.report.vocabulary import SYNC, TERMS

# The measures table: every declared metric but the pulse's (they have their own table).
DETAIL_KEYS = [k for k in TERMS if k not in SYNC]


class SessionPart:
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
        return f"player {c.player} · {self.who(c.client)}" + (f" (session {n})" if n else "")

    def head(self, r: Row) -> str:
        """A column's header (HTML): player, who, the client's session number."""
        c = r.column
        if c.partner or c.anonymous:
            return f"player {c.player}<br>{H.esc(c.who())}"
        n = self.numbers.get(c.client, {}).get(r.info.id)
        return (f"player {c.player}<br>{H.esc(self.who(c.client))}"
                + (f"<br><span class=\"small\">session {n}</span>" if n else ""))

    def timeline(self, d: SessionData, cols: list[Row], labels: dict) -> str:
        r = d.rows
        series = []
        for row in cols:
            c = row.column
            mine = (r.player == c.player) & (r.client == c.client) & (r.kind == "touch")
            series.append((f"P{c.player} "
                           f"{c.who() if (c.partner or c.anonymous) else self.who(c.client)}",
                           c.seated, r.t[mine]))
        down = []
        for p in sorted({row.column.player for row in cols}):
            spans = outages(d, board_of(d, p))
            if spans:
                down.append((f"player {p}'s board offline", spans))
        ms = marks(d, self.who)
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
