"""Engagement metrics against values computed by hand on small real journals, and against
published test vectors (Rayleigh test: pingouin's documented example)."""

import math

import numpy as np
import pytest
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal, select_sessions
from station.report.data import load_session, subject
from station.report.metrics import (
    beat_phases,
    bouts,
    holds,
    rayleigh_p,
    session_metrics,
    synchronisation,
)
from station.report.trend import nap_percent, trend

C1 = "c-00000001"


def one_session(tmp_path, events, end=60.0, latency_ms=0.0, players=((1, "client"),)):
    db = make_journal(tmp_path / "j.db", [{"end": end, "events": events,
                                           "latency_ms": latency_ms,
                                           "players": list(players)}])
    conn = open_journal(db)
    return load_session(conn, select_sessions(conn)[0])


@pytest.fixture
def hand(tmp_path):
    """Player 1 over 60 s: touches at 1, 2, 3.5, 4, 5 (pads 0 1 0 2 0, holds .2 .4 .6 .8 1),
    20 and 21.5 (pad 3, holds .3 .5), 40 (pad 5, held back out of turn, hold .1).
    Turns of player 1: 19-23, 30-35, 45-50. Player 2 sounds a note at 0.5."""
    ev = []
    for t, pad, hold in [(1, 0, .2), (2, 1, .4), (3.5, 0, .6), (4, 2, .8), (5, 0, 1.0),
                         (20, 3, .3), (21.5, 3, .5)]:
        ev += touch(t, pad, hold)
    ev += touch(40, 5, .1, sounded=False, reason="out_of_turn")
    ev += touch(0.5, 0, .2, player=2, client="c-00000002")
    for a, b in [(19, 23), (30, 35), (45, 50)]:
        ev += [(a, "turn_start", dict(player=1, client=C1, detail="count")),
               (b, "turn_end", dict(player=1, client=C1, detail="count"))]
    ev.sort(key=lambda e: e[0])
    data = one_session(tmp_path, ev, players=((1, "client"), (2, "client")))
    return subject(data, 1)


def test_counts_rates_and_time_on_task_by_hand(hand):
    m = session_metrics(hand)
    assert m["touches"].value == 8 and m["valid_touches"].value == 7
    assert m["touches_per_active_minute"].value == pytest.approx(7.0)   # one active minute
    assert m["time_on_task"].value == pytest.approx(30.0)               # windows 0, 3, 6 of 10
    assert m["bouts"].value == 3
    assert [b[2] for b in bouts(hand)] == [5, 2, 1]
    assert m["longest_silence"].value == pytest.approx(20.0)            # 40 s to the end
    assert m["suppressed_ratio"].value == pytest.approx(12.5)
    assert m["out_of_turn_rate"].value == pytest.approx(12.5)


def test_holds_and_inter_onset_intervals_by_hand(hand):
    assert sorted(holds(hand)) == pytest.approx([.1, .2, .3, .4, .5, .6, .8, 1.0])
    m = session_metrics(hand)
    # sorted holds .1 .2 .3 .4 .5 .6 .8 1.0: median .45; q25 = .275, q75 = .65 (linear)
    assert m["hold_median"].value == pytest.approx(0.45)
    assert m["hold_iqr"].value == pytest.approx(0.375)
    # IOIs within bouts: 1, 1.5, .5, 1, 1.5 -> median 1, IQR 1.5 - 1 = .5, CV .5
    assert m["ioi_median"].value == pytest.approx(1.0)
    assert m["ioi_cv"].value == pytest.approx(0.5)


def test_pads_and_entropy_by_hand(hand):
    m = session_metrics(hand)
    assert m["pads_used"].value == 4                    # 0 1 2 3 sounded; 5 was held back
    p = np.array([3, 1, 1, 2, 1]) / 8                   # touches per pad 0 1 2 3 5
    assert m["pad_entropy"].value == pytest.approx(-(p * np.log2(p)).sum())
    assert m["pad_entropy"].value == pytest.approx(2.1556, abs=1e-4)


def test_turns_latency_initiations_and_responses_by_hand(hand):
    m = session_metrics(hand)
    assert m["turn_response_rate"].value == pytest.approx(100 / 3)   # only 19-23 answered
    assert m["turn_latency_median"].value == pytest.approx(1.0)      # 19 -> 20
    # bout at 1: player 2's note at 0.5 -> response; at 20: turn start 19 -> response;
    # at 40: last cue at 30 -> initiation
    assert m["responses"].value == 2 and m["initiations"].value == 1


def test_too_little_data_says_so_instead_of_a_number(tmp_path):
    data = one_session(tmp_path, touch(1, 0, .2) + touch(2, 1, .2), end=20)
    m = session_metrics(subject(data, 1))
    assert not m["time_on_task"].ok and "shorter than 30 s" in m["time_on_task"].why
    assert not m["hold_median"].ok and "fewer than 5" in m["hold_median"].why
    assert not m["turn_response_rate"].ok and m["turn_response_rate"].why == "no turns"
    assert not m["vector_strength"].ok and "no pulse" in m["vector_strength"].why
    assert m["touches"].value == 2


def test_rayleigh_p_matches_the_published_example():
    # pingouin.circ_rayleigh docs: x = [0.785, 1.570, 3.141, 0.839, 5.934] -> z 1.236,
    # p 0.304844 (Zar 1999 eq. 27.4, as in CircStat)
    x = np.array([0.785, 1.570, 3.141, 0.839, 5.934])
    r = abs(np.exp(1j * x).mean())
    assert len(x) * r * r == pytest.approx(1.236, abs=5e-4)
    assert rayleigh_p(len(x), r) == pytest.approx(0.304844, abs=1e-6)
    assert rayleigh_p(40, 0.0) == pytest.approx(1.0)           # uniform: no evidence
    assert rayleigh_p(40, 1.0) < 1e-15                          # all at one phase


def pulse_session(tmp_path, offsets_ms, latency_ms=10.0):
    """A 0.5 s beat from 0 to 10 s; player 1 touches at heard beat + offset (cycled)."""
    beats = np.arange(0, 10.01, 0.5)
    ev = [(float(b), "beat", dict(detail="pulse")) for b in beats]
    for k, b in enumerate(beats[1:]):       # 20 touches: equal clusters
        off = offsets_ms[k % len(offsets_ms)] / 1000
        ev += touch(float(b) + latency_ms / 1000 + off, k % 4, 0.1)
    ev.sort(key=lambda e: e[0])
    return subject(one_session(tmp_path, ev, end=12, latency_ms=latency_ms), 1)


def test_vector_strength_and_asynchrony_by_hand(tmp_path):
    s = pulse_session(tmp_path, [-20, -40])
    vs, p, asyn = synchronisation(s)
    # two equal clusters at -20 ms and -40 ms of a 500 ms cycle: R = cos(pi * 20/500),
    # circular mean at -30 ms
    assert vs.value == pytest.approx(math.cos(math.pi * 20 / 500), abs=1e-9)
    assert asyn.value == pytest.approx(-30.0, abs=1e-6)
    assert p.value < 1e-6


def test_touches_spread_evenly_over_the_beat_show_no_synchronisation(tmp_path):
    s = pulse_session(tmp_path, [-187.5, -62.5, 62.5, 187.5])   # a quarter cycle apart
    phases, period = beat_phases(s.onsets, s.beats, s.latency_s)
    assert period == pytest.approx(0.5)
    vs, p, _ = synchronisation(s)
    assert vs.value == pytest.approx(0.0, abs=1e-9) and p.value == pytest.approx(1.0)


def test_theil_sen_trend_ignores_one_odd_session_and_nap_counts_pairs():
    t = trend([1, 2, 3, 40, 5, 6])
    assert t.slope == pytest.approx(1.0)
    assert t.intercept == pytest.approx(4.0 - 1.0 * 2.5)    # median(y) - slope * median(x)
    # last 4 (3, 40, 5, 6) vs the first 2 (1, 2): every pair higher
    assert t.recent == pytest.approx(5.5) and t.baseline == pytest.approx(1.5)
    assert t.nap == pytest.approx(100.0)
    assert nap_percent(np.array([1.0, 1, 1, 1]), np.array([1.0])) == pytest.approx(50.0)
    # recent 2 3 vs baseline 1 3: pairs (2>1) (2<3) (3>1) (3=3) -> (1+0+1+.5)/4
    assert nap_percent(np.array([2.0, 3]), np.array([1.0, 3])) == pytest.approx(62.5)


def test_too_few_sessions_for_a_trend_says_so():
    t = trend([1.0, None, 2.0])
    assert t.slope is None and t.nap is None and "needs 4 sessions" in t.why
