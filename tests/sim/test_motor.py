"""Motor patterns with ground truth, played through the real station: the evidence table."""

import random

import pytest

from station.sim.motor import MS, PATTERNS
from station.sim.motor_eval import (
    DOC,
    TABLE_END,
    TABLE_START,
    Score,
    evaluate,
    score,
    table,
)


@pytest.fixture(scope="module")
def results():
    return evaluate()          # 5 patterns x 3 seeds x (matching + no-filter) profiles


@pytest.mark.parametrize("name", list(PATTERNS))
def test_the_matching_profile_plays_the_intended_touches_and_little_else(results, name):
    matched, baseline = results[name]
    assert matched.intended == 180
    assert matched.hit_rate >= 0.98 and matched.spurious_rate <= 0.02, (name, matched)
    assert baseline.spurious_rate > 0.05        # the patterns are hard without filters


def test_the_table_in_docs_is_current(results):
    text = DOC.read_text()
    current = text[text.index(TABLE_START) + len(TABLE_START):text.index(TABLE_END)].strip()
    assert current == table(results), "run: python -m station.sim.motor_eval"


@pytest.mark.parametrize("name", list(PATTERNS))
def test_patterns_are_deterministic_physical_and_have_ground_truth(name):
    a, b = PATTERNS[name](random.Random(7), 30), PATTERNS[name](random.Random(7), 30)
    assert a.actions() == b.actions() and len(a.intended) == 30
    assert PATTERNS[name](random.Random(8), 30).actions() != a.actions()
    assert len(a.contacts) > len(a.intended)     # there is always something unintended
    for c in a.intended:       # an intended touch starts and ends with real contact
        assert any(k.pad == c.pad and c.t0 <= k.t0 <= c.t0 + 60 * MS for k in a.contacts)
        assert any(k.pad == c.pad and k.t1 == c.t1 for k in a.contacts)


def test_scoring_counts_each_intended_touch_once():
    pattern = PATTERNS["double_tap"](random.Random(1), 3)
    first = pattern.intended[0]
    starts = [(first.t0, first.pad), (first.t0 + 1, first.pad), (first.t1 + 10**9, 0)]
    assert score(pattern, starts) == Score(intended=3, hits=1, notes=3, spurious=2)
