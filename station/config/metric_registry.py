"""The one declaration of every engagement metric: name, unit, rounding, words, uses.

Everything that names a metric derives from ``METRICS`` (in this order): the report's
words and rounding (``station.report.vocabulary.TERMS``), the metrics export's columns
(``EXPORT_COLUMNS``), the summary's measures (``KEY_METRICS``), the pulse table
(``SYNC``), the metrics a profile's goal may name (``station.config.goals.GOAL_METRICS``)
and the functions that compute them (``station.report.metrics``, which attaches one per
name; a test fails when a declaration has no function or a function no declaration).
The declarations live here, in ``config``, because goals are checked when a profile is
loaded and ``config`` may not import ``report``.

``decimals`` is the rounding to meaning: the precision the measurement supports (the
journal's clock is exact, but a touch's timing is not better than about a millisecond,
and a percentage of a few dozen windows is not better than 1 %). ``more``/``less`` word a
change for the summary ("steadier", "replied faster"), and ``min_change`` is the smallest
change worth words (smaller ones read "about the same"). No metric declares which way is
better: that depends on the client, so a goal's ``direction`` says it (docs/metrics.md).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    """One metric. ``name`` is its key everywhere (export column, goal ``metric:``)."""

    name: str
    label: str            # the report's row name
    unit: str             # "" for counts and ratios
    decimals: int         # rounding to meaning
    meaning: str          # the visible explanation under the name
    more: str = ""        # the summary's words when the value went up ...
    less: str = ""        # ... and down
    min_change: float = 0.0
    axis: str = ""        # a picture's y label when the unit alone says too little
    export: bool = True   # a column of the metrics export
    goal: str = ""        # a goal may name it: these words list it in the profile docs
    summary: int = 0      # its place among the summary's measures (1 first; 0: not there)
    pulse: bool = False   # timing against the pulse (the report's own table)

    @property
    def y_label(self) -> str:
        return self.axis or self.unit


M = MetricSpec
METRICS: tuple[MetricSpec, ...] = (
    M("seated_s", "Time seated", "s", 0, "seated at the player with the board online: "
      "every rate and share below is over this time"),
    M("touches", "Touches", "", 0, "raw touches, before any filter"),
    M("valid_touches", "Notes", "", 0, "touches that sounded"),
    M("valid_per_min", "Notes per minute", "per min", 1, "notes ÷ minutes seated",
      "played more notes a minute", "played fewer notes a minute", 2.0, summary=1,
      goal="notes (touches that sounded) per minute seated"),
    M("time_on_task_pct", "Time on task", "%", 0, "share of 6 s stretches of the seated "
      "time with a touch", "played longer", "played for less of the time", 10.0, summary=2,
      goal="% of 6 s windows with a touch"),
    M("longest_silence_s", "Longest silence", "s", 1, "longest seated time without a touch",
      "left longer silences", "left shorter silences", 5.0, summary=6,
      goal="longest time without a touch (s)"),
    M("hold_median_s", "Hold, median", "s", 2, "touch to release", "held notes longer",
      "held notes more briefly", 0.1, goal="median hold of a touch (s)"),
    M("ioi_median_s", "Time between notes, median", "s", 2, "within phrases (a phrase ends "
      "at a pause over twice the usual gap, 1 to 4 s, or at a turn change)",
      "played more slowly", "played faster", 0.1,
      goal="median time between notes within phrases (s)"),
    M("ioi_cv", "Unevenness of timing", "", 2, "within phrases: IQR ÷ median of the time "
      "between notes; 0 is perfectly even", "less steady", "steadier", 0.05, "IQR ÷ median",
      summary=3, goal="unevenness of the time between notes within phrases (0 = even)"),
    M("pads_used", "Pads used", "", 0, "distinct pads that sounded", "used more pads",
      "used fewer pads", 1.0, "pads", summary=7, goal="distinct pads that sounded"),
    M("suppressed_pct", "Touches held back", "%", 0, "by the motor filters or the turn, "
      "share of touches", "more touches held back", "fewer touches held back", 5.0,
      summary=8, goal="% of touches held back by the filters or the turn"),
    M("turn_response_rate", "Turns answered", "%", 0, "own turns in which they played, "
      "however late", "answered more turns", "answered fewer turns", 10.0, summary=4,
      goal="% of the client's turns in which they played"),
    M("response_latency_median_s", "Reply time, median", "s", 1, "turn start to the first "
      "note, over answered turns", "replied more slowly", "replied faster", 0.3, summary=5,
      goal="median time from turn start to the first note (s)"),
    M("out_of_turn_pct", "Out-of-turn touches", "%", 0, "share of touches outside their "
      "turn (held back or played quietly)", "played more out of turn",
      "played less out of turn", 5.0, export=False),
    M("initiations", "Phrases begun on their own", "", 0, "phrases started outside their "
      "turn, or with no partner's note in the 2 s before", export=False),
    M("responses", "Phrases in reply", "", 0, "phrases started in their own turn, or within "
      "2 s of a partner's note when there are no turns", export=False),
    M("vector_strength", "Closeness to the pulse", "", 2, "vector strength R: 0 no relation "
      "to the beat, 1 every touch at the same point of the beat", "closer to the pulse",
      "further from the pulse", 0.1, "R (0..1)", summary=9, pulse=True,
      goal="how closely touches follow the pulse (0..1)"),
    M("rayleigh_p", "Rayleigh p", "", 4, "chance of this much clustering at one point of "
      "the beat if touches ignored it; small means they follow the beat", pulse=True),
    M("mean_asynchrony_ms", "Ahead of / behind the beat", "ms", 0, "mean time of the "
      "touches against the beat; negative is ahead", "moved later against the beat",
      "moved earlier against the beat", 20.0, pulse=True,
      goal="mean time of touches before (−) or after the beat (ms)"),
)
del M

METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS)
BY_NAME: dict[str, MetricSpec] = {m.name: m for m in METRICS}
# The metrics export's first columns: which row a line is (docs/metrics.md).
ID_COLUMNS = ("session", "player", "client", "role", "phase")


def check(metrics: tuple[MetricSpec, ...] = METRICS) -> list[str]:
    """Mistakes in the declarations, in plain words (a test asserts there are none)."""
    problems = []
    names = [m.name for m in metrics]
    for name in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"the metric '{name}' is declared {names.count(name)} times in "
                        f"station/config/metric_registry.py; declare each metric once.")
    places = sorted(m.summary for m in metrics if m.summary)
    if places != list(range(1, len(places) + 1)):
        problems.append(f"the summary places ({places}) must be 1, 2, 3 ... without gaps "
                        f"or repeats.")
    for m in metrics:
        if m.name in ID_COLUMNS:
            problems.append(f"the metric '{m.name}' has the name of an export id column.")
        if (m.more or m.less or m.summary) and not (m.more and m.less):
            problems.append(f"the metric '{m.name}' needs both 'more' and 'less' words to "
                            f"be put in words by the summary.")
    return problems
