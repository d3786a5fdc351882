"""The report's half of the metric registry: the function that computes each metric.

``station.config.metric_registry.METRICS`` declares every metric (name, unit, words,
export column, goal use); here each declared name gets the function of
``station.report.metrics`` that computes it. Some functions yield several metrics at once
(the intervals' median and unevenness come from one pass), so an entry is (the names it
yields, in order; a function of the subject returning one ``Metric`` per name).
``check_functions`` says in plain words when a declaration has no function or a function
no declaration; a test asserts it finds nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from station.config.metric_registry import METRIC_NAMES
from station.report import metrics as m
from station.report.metrics import MIN_SEATED_S, NO_CONSENT, Metric, none
from station.report.subject import Subject

Function = Callable[[Subject], tuple[Metric, ...]]


def _one(f: Callable[[Subject], Metric]) -> Function:
    return lambda s: (f(s),)


def _counts(s: Subject) -> tuple[Metric, Metric, Metric]:
    return Metric(s.seated_s), Metric(float(len(s.touches))), Metric(float(len(s.onsets)))


FUNCTIONS: tuple[tuple[tuple[str, ...], Function], ...] = (
    (("seated_s", "touches", "valid_touches"), _counts),
    (("valid_per_min",), _one(m.valid_per_min)),
    (("time_on_task_pct",), _one(m.time_on_task)),
    (("longest_silence_s",), _one(m.longest_silence)),
    (("hold_median_s",), _one(m.hold_median)),
    (("ioi_median_s", "ioi_cv"), m.ioi_median_cv),
    (("pads_used",), _one(m.pads_used)),
    (("suppressed_pct",), _one(m.suppressed_pct)),
    (("turn_response_rate", "response_latency_median_s"), lambda s: m.turn_responses(s)[:2]),
    (("out_of_turn_pct",), _one(m.out_of_turn_pct)),
    (("initiations", "responses"), m.initiations_responses),
    (("vector_strength", "rayleigh_p", "mean_asynchrony_ms"), m.synchronisation),
)


def compute(s: Subject) -> dict[str, Metric]:
    """Every declared metric of one subject, by name, in the declarations' order."""
    if s.anonymous:
        return _anonymous(s)
    out: dict[str, Metric] = {}
    for names, function in FUNCTIONS:
        out.update(zip(names, function(s), strict=True))
    return {name: out[name] for name in METRIC_NAMES}


def _anonymous(s: Subject) -> dict[str, Metric]:
    """A client without journal consent: only the anonymous counts of the whole seating
    (none per phase)."""
    out = {name: none(NO_CONSENT) for name in METRIC_NAMES}
    out["seated_s"] = Metric(s.seated_s)
    if not s.counts:
        return out
    touches = float(s.counts.get("touches", 0))
    out["touches"] = Metric(touches)
    out["valid_touches"] = Metric(float(s.counts.get("valid_touches", 0)))
    if s.seated_s >= MIN_SEATED_S:
        out["valid_per_min"] = Metric(out["valid_touches"].value / (s.seated_s / 60.0))
    if touches:
        out["suppressed_pct"] = Metric(100.0 * s.counts.get("suppressed", 0) / touches)
    return out


def check_functions(functions=FUNCTIONS, declared=METRIC_NAMES) -> list[str]:
    """Plain-words mismatches between the declarations and ``functions``."""
    computed = [name for names, _ in functions for name in names]
    problems = []
    for name in declared:
        if name not in computed:
            problems.append(f"the metric '{name}' is declared in "
                            f"station/config/metric_registry.py but no function computes "
                            f"it: add one to FUNCTIONS in station/report/metric_functions.py.")
    for name in dict.fromkeys(computed):
        if name not in declared:
            problems.append(f"station/report/metric_functions.py computes '{name}', which "
                            f"station/config/metric_registry.py does not declare: declare "
                            f"it there (name, unit, words) or remove the function.")
        elif computed.count(name) > 1:
            problems.append(f"the metric '{name}' is computed by {computed.count(name)} "
                            f"functions in station/report/metric_functions.py; keep one.")
    return problems
