"""One declaration per metric (station.config.metric_registry): every list of metric names
derives from it in its order, each declared metric has its function and each function its
declaration, and docs/metrics.md's tables name the declared metrics."""

import re
from pathlib import Path

from journal_fixtures import make_journal, touch

from station.config.goals import GOAL, GOAL_METRICS
from station.config.metric_registry import ID_COLUMNS, METRIC_NAMES, METRICS, MetricSpec, check
from station.journal.reader import open_journal, select_sessions
from station.report.columns import columns
from station.report.data import load_session
from station.report.metric_functions import FUNCTIONS, check_functions, compute
from station.report.session_part import DETAIL_KEYS
from station.report.subject import subject
from station.report.vocabulary import EXPORT_COLUMNS, KEY_METRICS, SYNC, TERMS

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_declarations_are_consistent():
    assert check() == []
    assert len(METRICS) == len(set(METRIC_NAMES)) == 19


def test_a_metric_declared_twice_or_with_half_its_words_is_named():
    twice = METRICS + (MetricSpec("touches", "Touches again", "", 0, "a copy"),)
    assert check(twice) == ["the metric 'touches' is declared 2 times in "
                            "station/config/metric_registry.py; declare each metric once."]
    half = (MetricSpec("reach", "Reach", "", 0, "reaches", more="reached more", summary=1),)
    assert check(half) == ["the metric 'reach' needs both 'more' and 'less' words to be put "
                           "in words by the summary."]


def test_every_declared_metric_has_one_function_and_every_function_a_declaration():
    assert check_functions() == []
    computed = [name for names, _ in FUNCTIONS for name in names]
    assert sorted(computed) == sorted(METRIC_NAMES)


def test_a_declaration_without_its_function_fails_with_a_plain_message():
    declared = METRIC_NAMES + ("reach_count",)
    assert check_functions(declared=declared) == [
        "the metric 'reach_count' is declared in station/config/metric_registry.py but no "
        "function computes it: add one to FUNCTIONS in station/report/metric_functions.py."]
    extra = FUNCTIONS + ((("reach_count",), lambda s: (None,)),)
    assert check_functions(functions=extra) == [
        "station/report/metric_functions.py computes 'reach_count', which "
        "station/config/metric_registry.py does not declare: declare it there (name, unit, "
        "words) or remove the function."]
    twice = FUNCTIONS + FUNCTIONS[:1]
    assert "the metric 'seated_s' is computed by 2 functions" in check_functions(twice)[0]


def test_every_consumer_shows_the_declared_names_in_the_declared_order(tmp_path):
    exported = [m.name for m in METRICS if m.export]
    assert list(TERMS) == list(METRIC_NAMES)
    assert EXPORT_COLUMNS == ID_COLUMNS + tuple(exported)
    assert list(GOAL_METRICS) == [m.name for m in METRICS if m.goal]
    assert GOAL.fields["metric"].choices == tuple(GOAL_METRICS)
    assert set(KEY_METRICS) <= set(METRIC_NAMES) and len(KEY_METRICS) == 9
    assert SYNC == ("vector_strength", "rayleigh_p", "mean_asynchrony_ms")
    assert DETAIL_KEYS + list(SYNC) == list(METRIC_NAMES)      # the session's two tables
    # and what the report computes, from a real journal (one client, a few touches)
    events = [e for t in (1, 2, 3, 4, 5, 6) for e in touch(t, t % 3, 0.2)]
    db = make_journal(tmp_path / "j.db", [{"end": 60.0, "events": events,
                                           "players": [(1, "client")]}])
    conn = open_journal(db)
    d = load_session(conn, select_sessions(conn)[0])
    col = next(c for c in columns(d) if c.player == 1)
    got = compute(subject(d, col, None))
    assert list(got) == list(METRIC_NAMES)
    assert got["touches"].value == 6 and got["pads_used"].value == 3


def test_docs_metrics_tables_name_the_declared_metrics_in_order():
    text = (DOCS / "metrics.md").read_text()
    table = text.split("## Per column and phase")[1].split("\n\n")[1]
    named = [n for line in table.splitlines()[2:]
             for n in re.findall(r"`([a-z_]+)`", line.split("|")[1])]
    assert named == [m.name for m in METRICS if m.export], (
        "docs/metrics.md's table of export columns does not match the declarations in "
        "station/config/metric_registry.py: list the exported metrics in their order")
    extra = text.split("The report adds")[1].split("\n\n")[1]
    for m in METRICS:
        if not m.export:
            assert m.label.split(" ")[0] in extra, f"docs/metrics.md does not explain {m.name}"
