"""Therapy goals and consent in a client profile: their definitions and checks.

A profile may name 2 to 4 **goals** (goal attainment scaling, Kiresuk & Sherman): each
has a short ``id`` that ratings refer to across sessions (``station session rate ID
LEVEL``, the panel), a ``text``, optionally a metric of the report (``GOAL_METRICS``)
with the ``direction`` that is better, and the GAS ``levels`` −2..+2 in words.

**Consent** records what the client (or their representative) agreed to, and on which
date; the station honours it (docs/privacy.md): ``journal`` (per-touch journal rows
under a pseudonym; without it only anonymous counts), ``audio`` (recordings such as the
simulator's session.wav) and ``research_export`` (CSV, MIDI and metrics exports).
"""

from __future__ import annotations

import re

from station.config.metric_registry import METRICS
from station.core.schema import REQUIRED, Field

# The metrics a goal may name, with their words: declared in metric_registry (the report
# computes each; a test checks every declaration has its function).
GOAL_METRICS: dict[str, str] = {m.name: m.goal for m in METRICS if m.goal}
GOAL_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,23}$")


def _goal_id(value: str) -> str | None:
    if not GOAL_ID.match(value):
        return (f"'{value}' cannot be a goal id: use 1 to 24 lower-case letters, digits, "
                f"'-' or '_' (e.g. reach, turn-taking); ratings refer to it.")
    return None


def _goal_check(goal: dict) -> str | None:
    if goal.get("metric") and not goal.get("direction"):
        return (f"the goal '{goal.get('id')}' names the metric {goal['metric']} but not "
                f"which way is better: add 'direction: higher' or 'direction: lower'.")
    if goal.get("direction") and not goal.get("metric"):
        return (f"the goal '{goal.get('id')}' has a direction but no metric: add "
                f"'metric:' (one of {', '.join(GOAL_METRICS)}) or remove 'direction'.")
    return None


def _unique_ids(goals: list) -> str | None:
    seen: dict[str, int] = {}
    for i, goal in enumerate(goals):
        gid = (goal or {}).get("id")
        if gid in seen:
            return (f"the id '{gid}' is used by goal {seen[gid] + 1} and goal {i + 1}; "
                    f"each goal needs its own id.")
        if gid:
            seen[gid] = i
    return None


GOAL = Field("section", "One goal.", fields={
    "id": Field("string", "Short name of the goal, used by ratings (station session rate "
                "ID LEVEL) and the report. Keep it when you reword the text: ratings of "
                "earlier sessions refer to it.", default=REQUIRED, check=_goal_id,
                example="reach"),
    "text": Field("string", "The goal in words, as agreed with the client and team.",
                  default=REQUIRED, example="Reaches for a pad without a prompt"),
    "metric": Field("choice", "A metric of the report that shows this goal (charted beside "
                    "the ratings): " + "; ".join(f"{k}: {v}" for k, v in
                                                 GOAL_METRICS.items()) + ".",
                    default=None, choices=tuple(GOAL_METRICS)),
    "direction": Field("choice", "Which way of the metric is better for this goal.",
                       default=None, choices=("higher", "lower")),
    "levels": Field("map", "The goal attainment levels in words, by level -2..2 (0: the "
                    "expected outcome; -2 much less, +2 much more than expected).",
                    default=dict, key=Field("integer", min=-2, max=2),
                    item=Field("string")),
}, check=_goal_check)

GOALS = Field("list", "Two to four therapy goals, each rated per session from -2 to +2 "
              "(goal attainment scaling) and charted in the report.", default=list,
              item=GOAL, min=2, max=4, check=_unique_ids)

CONSENT = Field("section", "What the client (or their representative) consented to. "
                "Left out: 'not recorded' (the report says so; the station journals as "
                "before). Written: every value not set to true is not consented. "
                "docs/privacy.md says what each value does.", fields={
    "date": Field("date", "The day consent was given or last reviewed. Required when the "
                  "consent section is written.", default=None, example="2024-03-01"),
    "journal": Field("boolean", "true: the journal keeps every touch under the client's "
                     "pseudonym (the report's metrics). false: the station plays as usual "
                     "but keeps only anonymous counts for the seat.", default=False),
    "audio": Field("boolean", "true: recordings of the session's sound (the simulator's "
                   "session.wav) may be made. false: they are refused.", default=False),
    "research_export": Field("boolean", "true: the client's data may leave the station as "
                             "CSV, MIDI or metrics exports. false: station export refuses.",
                             default=False),
})
