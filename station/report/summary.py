"""A client's summary in plain words: the top of their part of the report.

Three lines, each short: what the latest session looked like; what changed since the
session before ("steadier", "replied faster", "played longer"); what changed since the
baseline (the median of the client's first sessions: up to 4, and never the latest).
A change is put in words only when the rounded values differ by at least the metric's
``min_change`` (``station.report.vocabulary``); the words say which way the number
moved. Where a goal names the metric, its direction says whether that is toward the
goal. The goals' latest ratings close the summary.
"""

from __future__ import annotations

from collections.abc import Callable
from statistics import median

from station.report.html import esc
from station.report.numbers import rounded, signed, with_unit
from station.report.table import Visit
from station.report.vocabulary import KEY_METRICS, TERMS, plural

BASELINE = 4


def _value(v: Visit, key: str) -> float | None:
    return rounded(v.row.value(key), TERMS[key].decimals)


def changes(before: dict[str, float | None], after: dict[str, float | None],
            goals: list[dict]) -> list[str]:
    """The changes worth words, as HTML phrases, in ``KEY_METRICS`` order."""
    toward = {g["metric"]: (g["direction"], g["id"]) for g in goals if g.get("metric")}
    out = []
    for key in KEY_METRICS:
        a, b = before.get(key), after.get(key)
        term = TERMS[key]
        if a is None or b is None or abs(b - a) < term.min_change or not term.more:
            continue
        words = term.more if b > a else term.less
        text = (f"<b>{esc(words)}</b> ({esc(term.label.lower())} {esc(with_unit(key, a))} "
                f"→ {esc(with_unit(key, b))}")
        if key in toward:
            direction, gid = toward[key]
            good = (b > a) == (direction == "higher")
            text += f"; {'toward' if good else 'away from'} goal ‘{esc(gid)}’"
        out.append(text + ")")
    return out


def describe(v: Visit) -> str:
    """The latest session in words: time, notes, shares, turns."""
    m = v.row
    parts = [f"seated {with_unit('seated_s', m.value('seated_s')) or '0 s'}"]
    notes = m.value("valid_touches")
    if m.column.anonymous:
        if notes is not None:
            parts.append(f"{plural(int(notes), 'note')} (counts only: no journal consent)")
        return ", ".join(parts)
    if not notes:
        return ", ".join(parts) + ", did not play"
    rate = m.value("valid_per_min")
    parts.append(plural(int(notes), "note") +
                 (f" ({esc(with_unit('valid_per_min', rate))})" if rate is not None else ""))
    tot = m.value("time_on_task_pct")
    if tot is not None:
        parts.append(f"played in {esc(with_unit('time_on_task_pct', tot))} of the time")
    answered = m.value("turn_response_rate")
    if answered is not None:
        lat = m.value("response_latency_median_s")
        parts.append(f"answered {esc(with_unit('turn_response_rate', answered))} of their "
                     f"turns" + (f", replying in {esc(with_unit('response_latency_median_s', lat))}"
                                 if lat is not None else ""))
    cv = m.value("ioi_cv")
    if cv is not None:
        parts.append(f"timing unevenness {esc(with_unit('ioi_cv', cv))} (0 is even)")
    return ", ".join(parts)


def summary(history: list[Visit], goals: list[dict], rated: dict[int, dict[str, int]],
            when: Callable[[Visit], str]) -> list[str]:
    """HTML list items. ``rated``: session id -> {goal id: level}; ``when(visit)``: the
    session's local date in words."""
    if not history:
        return []
    last = history[-1]
    items = [f"<b>Session {last.number}</b> ({esc(when(last))}): {describe(last)}."]
    now = {k: _value(last, k) for k in KEY_METRICS}
    if len(history) >= 2:
        prev = history[-2]
        said = changes({k: _value(prev, k) for k in KEY_METRICS}, now, goals)
        items.append(f"Since session {prev.number}: " + ("; ".join(said) if said else
                                                        "about the same on every measure")
                     + ".")
    else:
        items.append("No earlier session of this client in this report to compare with.")
    if len(history) >= 3:
        base = history[:min(BASELINE, len(history) - 1)]
        mid = {}
        for k in KEY_METRICS:
            vals = [x for x in (_value(v, k) for v in base) if x is not None]
            mid[k] = rounded(median(vals), TERMS[k].decimals) if vals else None
        said = changes(mid, now, goals)
        span = f"session {base[0].number}" if len(base) == 1 else \
            f"sessions {base[0].number}–{base[-1].number}"
        items.append(f"Since the baseline ({span}, median): " +
                     ("; ".join(said) if said else "about the same on every measure") + ".")
    if goals:
        items.append("Goals: " + "; ".join(_goal_words(g, history, rated) for g in goals)
                     + ".")
    return items


def _goal_words(g: dict, history: list[Visit], rated: dict[int, dict[str, int]]) -> str:
    levels = [(v.number, rated.get(v.row.info.id, {}).get(g["id"])) for v in history]
    done = [(n, lv) for n, lv in levels if lv is not None]
    name = f"‘{esc(g['id'])}’"
    if not done:
        return f"{name} not rated yet"
    n, lv = done[-1]
    words = (g.get("levels") or {}).get(str(lv))
    text = f"{name} {signed(lv)}" + (f" ({esc(words)})" if words else "")
    text += f" in session {n}" if n != history[-1].number else ""
    if len(done) >= 2:
        text += f", was {signed(done[-2][1])} in session {done[-2][0]}"
    return text
