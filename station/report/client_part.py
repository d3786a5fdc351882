"""The client's part of the report: consent, summary, goals, measures across sessions.

A mixin of ``station.report.build.Report`` (it uses the report's rows, ratings, session
numbers and ``plot``); see that module for the page as a whole.
"""

from __future__ import annotations

from station.journal.queries import latest_goals
from station.report import html as H
from station.report.numbers import plain, rounded, signed, when, with_unit
from station.report.summary import summary
from station.report.table import Visit, client_history
from station.report.trend import trend
from station.report.vocabulary import KEY_METRICS, TERMS


class ClientPart:
    def client_section(self, client: str) -> str:
        all_rows = [r for rows in self.rows.values() for r in rows]
        history = sorted(client_history(self.numbers[client], all_rows, client),
                         key=lambda v: v.number)
        goals = self.goals(client)
        rated = self.rated.get(client, {})
        parts = [f'<section class="client" id="client-{H.esc(client)}">'
                 f"<h2>Client {H.esc(self.who(client))}</h2>", self.consent_line(client)]
        items = summary(history, goals, rated, lambda v: when(v.row.info, 0, "%a %d %b %Y"))
        parts.append('<div class="summary"><b>Summary</b><ul>'
                     + "".join(f"<li>{i}</li>" for i in items) + "</ul></div>")
        parts.append(self.goals_part(goals, history, rated))
        parts.append(self.trend_part(history, goals))
        return "".join(parts) + "</section>"

    def goals(self, client: str) -> list[dict]:
        return latest_goals(self.conn, client)

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
                rated_levels = [rated.get(v.row.info.id, {}).get(g["id"]) for v in history]
                metric = None
                if g.get("metric") in TERMS:
                    term = TERMS[g["metric"]]
                    metric = (term.label, term.y_label,
                              [rounded(v.row.value(g["metric"]), term.decimals)
                               for v in history], g["direction"])
                parts.append(self.plot("goal", (numbers, rated_levels, g.get("levels") or {},
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
