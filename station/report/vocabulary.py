"""What each metric is called, how it is rounded, and how its changes are put in words.

One entry per metric of ``station.report.metrics``; the keys are the metrics export's
column names (docs/metrics.md), so the CSV, the report and a profile's ``goals.metric``
use one vocabulary. ``decimals`` is the rounding to meaning: the precision the
measurement supports (the journal's clock is exact, but a touch's timing is not better
than about a millisecond, and a percentage of a few dozen windows is not better than 1 %).

``more``/``less`` word a change for the summary ("steadier", "replied faster"), and
``min_change`` is the smallest change worth words (smaller ones read "about the same").
The words say which way a number moved, never that it is better: a goal's ``direction``
says that.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    label: str            # the report's row name
    unit: str             # "" for counts and ratios
    decimals: int         # rounding to meaning
    meaning: str          # the visible explanation under the name
    more: str = ""        # the summary's words when the value went up ...
    less: str = ""        # ... and down
    min_change: float = 0.0
    axis: str = ""        # a picture's y label when the unit alone says too little

    @property
    def y_label(self) -> str:
        return self.axis or self.unit


TERMS: dict[str, Term] = {
    "seated_s": Term("Time seated", "s", 0, "seated at the player with the board online: "
                     "every rate and share below is over this time"),
    "touches": Term("Touches", "", 0, "raw touches, before any filter"),
    "valid_touches": Term("Notes", "", 0, "touches that sounded"),
    "valid_per_min": Term("Notes per minute", "per min", 1, "notes ÷ minutes seated",
                          "played more notes a minute", "played fewer notes a minute", 2.0),
    "time_on_task_pct": Term("Time on task", "%", 0, "share of 6 s stretches of the seated "
                             "time with a touch", "played longer", "played for less of the "
                             "time", 10.0),
    "longest_silence_s": Term("Longest silence", "s", 1, "longest seated time without a "
                              "touch", "left longer silences", "left shorter silences", 5.0),
    "hold_median_s": Term("Hold, median", "s", 2, "touch to release", "held notes longer",
                          "held notes more briefly", 0.1),
    "ioi_median_s": Term("Time between notes, median", "s", 2, "within phrases (a phrase "
                         "ends at a pause over twice the usual gap, 1 to 4 s, or at a turn "
                         "change)", "played more slowly", "played faster", 0.1),
    "ioi_cv": Term("Unevenness of timing", "", 2, "within phrases: IQR ÷ median of the time "
                   "between notes; 0 is perfectly even", "less steady", "steadier", 0.05,
                   "IQR ÷ median"),
    "pads_used": Term("Pads used", "", 0, "distinct pads that sounded", "used more pads",
                      "used fewer pads", 1.0, "pads"),
    "suppressed_pct": Term("Touches held back", "%", 0, "by the motor filters or the turn, "
                           "share of touches", "more touches held back",
                           "fewer touches held back", 5.0),
    "turn_response_rate": Term("Turns answered", "%", 0, "own turns in which they played, "
                               "however late", "answered more turns", "answered fewer turns",
                               10.0),
    "response_latency_median_s": Term("Reply time, median", "s", 1, "turn start to the "
                                      "first note, over answered turns",
                                      "replied more slowly", "replied faster", 0.3),
    "out_of_turn_pct": Term("Out-of-turn touches", "%", 0, "share of touches outside their "
                            "turn (held back or played quietly)", "played more out of turn",
                            "played less out of turn", 5.0),
    "initiations": Term("Phrases begun on their own", "", 0, "phrases started outside their "
                        "turn, or with no partner's note in the 2 s before"),
    "responses": Term("Phrases in reply", "", 0, "phrases started in their own turn, or "
                      "within 2 s of a partner's note when there are no turns"),
    "vector_strength": Term("Closeness to the pulse", "", 2, "vector strength R: 0 no relation "
                            "to the beat, 1 every touch at the same point of the beat",
                            "closer to the pulse", "further from the pulse", 0.1, "R (0..1)"),
    "rayleigh_p": Term("Rayleigh p", "", 4, "chance of this much clustering at one point of "
                       "the beat if touches ignored it; small means they follow the beat"),
    "mean_asynchrony_ms": Term("Ahead of / behind the beat", "ms", 0, "mean time of the "
                               "touches against the beat; negative is ahead",
                               "moved later against the beat", "moved earlier against the "
                               "beat", 20.0),
}

SYNC = ("vector_strength", "rayleigh_p", "mean_asynchrony_ms")

# What the summary and the across-sessions pictures look at, in this order.
KEY_METRICS = ("valid_per_min", "time_on_task_pct", "ioi_cv", "turn_response_rate",
               "response_latency_median_s", "longest_silence_s", "pads_used",
               "suppressed_pct", "vector_strength")

# The metrics export's columns (docs/metrics.md), exactly in this order.
EXPORT_COLUMNS = ("session", "player", "client", "role", "phase", "seated_s", "touches",
                  "valid_touches", "valid_per_min", "time_on_task_pct", "longest_silence_s",
                  "hold_median_s", "ioi_median_s", "ioi_cv", "pads_used", "suppressed_pct",
                  "turn_response_rate", "response_latency_median_s", "vector_strength",
                  "rayleigh_p", "mean_asynchrony_ms")


def plural(n: int, word: str) -> str:
    """``1 phrase``, ``2 phrases`` (never "1 bouts")."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
