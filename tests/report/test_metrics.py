"""Engagement metrics against values computed by hand on small real journals, and against
published test vectors (Rayleigh test: pingouin's documented example)."""

import math

import numpy as np
import pytest
from journal_fixtures import make_journal, touch

from station.journal.reader import open_journal, select_sessions
from station.report.columns import columns, unavailable
from station.report.data import load_session
from station.report.marks import marks
from station.report.metric_functions import compute
from station.report.metrics import (
    beat_phases,
    holds,
    phrase_breaks,
    rayleigh_p,
    synchronisation,
)
from station.report.subject import subject
from station.report.table import session_rows
from station.report.trend import nap_percent, trend

C1, C2 = "c-00000001", "c-00000002"


def one_session(tmp_path, events, end=60.0, latency_ms=0.0, players=((1, "client"),)):
    db = make_journal(tmp_path / "j.db", [{"end": end, "events": sorted(events,
                                                                        key=lambda e: e[0]),
                                           "latency_ms": latency_ms,
                                           "players": list(players)}])
    conn = open_journal(db)
    return load_session(conn, select_sessions(conn)[0])


def column(d, player, client=None):
    return next(c for c in columns(d) if c.player == player
                and (client is None or c.client == client))


def metrics_of(d, player, client=None, phase=None):
    return compute(subject(d, column(d, player, client), phase))


def seat(t, player, client):
    return (t, "profile", dict(player=player, client=client, detail="use:v1"))


def turns(player, spans, client=C1):
    out = []
    for a, b in spans:
        out += [(a, "turn_start", dict(player=player, client=client, detail="gap")),
                (b, "turn_end", dict(player=player, client=client, detail="gap"))]
    return out


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
    ev += touch(0.5, 0, .2, player=2, client=C2)
    ev += turns(1, [(19, 23), (30, 35), (45, 50)])
    d = one_session(tmp_path, ev, players=((1, "client"), (2, "client")))
    return d, compute(subject(d, column(d, 1)))


def test_counts_rates_and_time_on_task_by_hand(hand):
    _, m = hand
    assert m["seated_s"].value == pytest.approx(60.0)     # no seating rows: from the start
    assert m["touches"].value == 8 and m["valid_touches"].value == 7
    assert m["valid_per_min"].value == pytest.approx(7.0)          # 7 notes in 1 min seated
    assert m["time_on_task_pct"].value == pytest.approx(30.0)      # stretches 0, 3, 6 of 10
    assert m["longest_silence_s"].value == pytest.approx(20.0)     # 40 s to the end
    assert m["suppressed_pct"].value == pytest.approx(12.5)
    assert m["out_of_turn_pct"].value == pytest.approx(12.5)


def test_holds_and_intervals_within_phrases_by_hand(hand):
    d, m = hand
    assert sorted(holds(subject(d, column(d, 1)))) == pytest.approx(
        [.1, .2, .3, .4, .5, .6, .8, 1.0])
    assert m["hold_median_s"].value == pytest.approx(0.45)
    # intervals 1, 1.5, .5, 1 | 15 (crosses the turn start at 19) | 1.5: candidates
    # 1 1.5 .5 1 1.5, median 1, phrase gap 2 s: all five within. Median 1, IQR 1.5 - 1.
    assert m["ioi_median_s"].value == pytest.approx(1.0)
    assert m["ioi_cv"].value == pytest.approx(0.5)


def test_pads_turns_and_replies_by_hand(hand):
    _, m = hand
    assert m["pads_used"].value == 4                     # 0 1 2 3 sounded; 5 was held back
    assert m["turn_response_rate"].value == pytest.approx(100 / 3)   # only 19-23 answered
    assert m["response_latency_median_s"].value == pytest.approx(1.0)   # 19 -> 20
    # phrases start at 1 (outside every turn: begun on their own) and 20 (in their turn)
    assert m["initiations"].value == 1 and m["responses"].value == 1


def phrases(pause, n=4):
    """n phrases of 3 notes 0.4 s apart, ``pause`` s between phrases, from 1 s."""
    ev, t = [], 1.0
    for _ in range(n):
        for k in range(3):
            ev += touch(round(t + 0.4 * k, 3), k, 0.2)
        t += 0.8 + pause
    return ev


@pytest.mark.parametrize("pause", [8.0, 4.0, 1.5])
def test_pauses_between_phrases_are_not_unsteadiness(tmp_path, pause):
    # The case: notes inside every phrase exactly 0.4 s apart. Counting every
    # interval up to 6 s, the 4 s pauses made the CV 9 (IQR 3.6 / median 0.4); within
    # phrases it is 0 whatever the pause, and the median is the phrase's 0.4 s.
    d = one_session(tmp_path, phrases(pause))
    m = metrics_of(d, 1)
    assert m["ioi_median_s"].value == pytest.approx(0.4)
    assert m["ioi_cv"].value == pytest.approx(0.0, abs=1e-9)
    _, within, gap = phrase_breaks(subject(d, column(d, 1)))
    assert within.sum() == 8 and gap == pytest.approx(1.0)    # 2 x 0.4 s, at least 1 s
    assert m["initiations"].value == 4                         # four phrases, no partner


def test_in_call_and_response_a_late_reply_is_a_reply(tmp_path):
    # The therapist (player 2) calls, then the client's turn: first notes 3.5, 0.5, 0.4
    # and 2.5 s into the turn (two are later than the old 2 s window), three notes each.
    ev, t, starts = [], 0.0, []
    for delay in (3.5, 0.5, 0.4, 2.5):
        ev += turns(2, [(t, t + 2.0)], client="c-therapy")
        ev += touch(t + 0.5, 0, 0.2, player=2, client="c-therapy")
        starts.append(t + 2.0)
        ev += turns(1, [(t + 2.0, t + 2.0 + delay + 2.5)])
        for k in range(3):
            ev += touch(t + 2.0 + delay + 0.5 * k, k, 0.2)
        t += 2.0 + delay + 2.5
    d = one_session(tmp_path, ev, players=((1, "client"), (2, "therapist")))
    m = metrics_of(d, 1)
    assert m["turn_response_rate"].value == pytest.approx(100.0)
    assert m["response_latency_median_s"].value == pytest.approx(1.5)    # .4 .5 2.5 3.5
    assert m["responses"].value == 4 and m["initiations"].value == 0
    assert column(d, 2).partner and column(d, 2).who() == "partner (therapist)"


def test_time_unseated_or_with_the_board_offline_is_not_counted(tmp_path):
    # 120 s session; the client is seated at 34 s; the board is offline 60-66 s.
    ev = [seat(34.0, 1, C1), (60.0, "fault", dict(board=0x5A, detail="board_lost")),
          (66.0, "fault", dict(board=0x5A, detail="board_recovered"))]
    for t in (35.0, 50.0, 70.0, 100.0):
        ev += touch(t, 0, 0.2)
    d = one_session(tmp_path, ev, end=120.0)
    m = metrics_of(d, 1)
    assert m["seated_s"].value == pytest.approx(80.0)              # 86 s seated - 6 s offline
    assert m["valid_per_min"].value == pytest.approx(3.0)          # 4 notes / (80 / 60) min
    # stretches from 34 (26 s: 5 of them, 0 and 2 hit) and from 66 (54 s: 9, 0 and 5 hit)
    assert m["time_on_task_pct"].value == pytest.approx(100 * 4 / 14)
    # silences 34-35 1, 35-50 15, 50-60 10 | 66-70 4, 70-100 30, 100-120 20 (not 50-70)
    assert m["longest_silence_s"].value == pytest.approx(30.0)


def test_an_over_current_and_pads_out_of_range_are_time_the_client_could_not_play(tmp_path):
    # 120 s; over-current 20-25 s; pad 0 out of range 40-50 s (it is one of two pads
    # played: the other still plays, so that is not lost time); pads 0 and 2 both out of
    # range 80-90 s (every pad played: lost time).
    def fault(t, name, pin=None):
        return (t, "fault", dict(board=0x5A, electrode=pin, detail=name))

    ev = [seat(0.0, 1, C1), fault(20.0, "board_overcurrent"), fault(25.0, "board_recovered"),
          fault(40.0, "electrode_out_of_range", 0), fault(50.0, "electrode_in_range", 0),
          fault(80.0, "electrode_out_of_range", 0), fault(82.0, "electrode_out_of_range", 2),
          fault(90.0, "electrode_in_range", 2), fault(95.0, "electrode_in_range", 0)]
    for t, pad in ((5.0, 0), (30.0, 2), (60.0, 0), (100.0, 2)):
        ev += touch(t, pad, 0.2)
    d = one_session(tmp_path, ev, end=120.0)
    assert unavailable(d, 1) == [(20.0, 25.0), (82.0, 90.0)]
    assert metrics_of(d, 1)["seated_s"].value == pytest.approx(120 - 5 - 8)
    texts = [m.text for m in marks(d)]
    assert "board 0x5a (player 1) stopped by an over-current (a short at the board): its " \
        "pads cannot play" in texts
    assert "board 0x5a (player 1), electrode 2: out of range: it cannot sense" in texts


def test_swap_marks_name_clients_as_the_report_does(tmp_path):
    d = one_session(tmp_path, [seat(0.0, 2, C1), seat(34.0, 2, C2)],
                    players=((2, "client"),))
    names = {C1: "Jo (jo)", C2: "Sam (sam)"}
    texts = [m.text for m in marks(d, lambda c: names.get(c, c))]
    assert "player 2: Sam (sam) seated (was Jo (jo))" in texts
    assert "player 2: c-00000002 seated (was c-00000001)" in [m.text for m in marks(d)]


def test_a_swap_starts_a_new_column(tmp_path):
    ev = [seat(0.0, 2, C1), seat(34.0, 2, C2)]
    ev += [e for t in (5, 10, 15, 20) for e in touch(t, 1, 0.2, player=2, client=C1)]
    ev += [e for t in (40, 45, 50) for e in touch(t, 2, 0.2, player=2, client=C2)]
    d = one_session(tmp_path, ev, players=((2, "client"),))
    cols = columns(d)
    assert [(c.player, c.client) for c in cols] == [(2, C1), (2, C2)]
    assert [c.seated for c in cols] == [[(0.0, 34.0)], [(34.0, 60.0)]]
    a, b = metrics_of(d, 2, C1), metrics_of(d, 2, C2)
    assert (a["touches"].value, b["touches"].value) == (4, 3)
    assert a["valid_per_min"].value == pytest.approx(4 / (34 / 60))
    assert not b["valid_per_min"].ok and "less than 30 s" in b["valid_per_min"].why
    assert b["longest_silence_s"].value == pytest.approx(10.0)     # 50 -> 60; not 0 -> 40


def pulse(tmp_path, offsets_ms, phases=False):
    """A 0.5 s beat from 20 to 30 s; the client touches at the beat + offset (cycled);
    with ``phases``: warm-up from 0 (free touches at 2..10 s) and main from 20."""
    beats = np.arange(20, 30.01, 0.5)
    ev = [(float(b), "beat", dict(detail="pulse")) for b in beats]
    for k, b in enumerate(beats[1:]):        # 20 touches: equal clusters
        ev += touch(round(float(b) + offsets_ms[k % len(offsets_ms)] / 1000, 4), k % 4, 0.1)
    if phases:
        ev += [(0.0, "phase", dict(detail="warm-up")), (20.0, "phase", dict(detail="main"))]
        ev += [e for t in (2, 4, 6, 8, 10) for e in touch(t, 5, 0.2)]
    return one_session(tmp_path, ev, end=32.0, latency_ms=10.0)


def test_vector_strength_and_asynchrony_by_hand(tmp_path):
    d = pulse(tmp_path, [-20, -40])
    vs, p, asyn = synchronisation(subject(d, column(d, 1)))
    # two equal clusters at -20 ms and -40 ms of a 500 ms cycle: R = cos(pi * 20/500),
    # circular mean at -30 ms. Beat rows are stamped when the beat sounds: the configured
    # output latency (10 ms here) is not added again.
    assert vs.value == pytest.approx(math.cos(math.pi * 20 / 500), abs=1e-9)
    assert asyn.value == pytest.approx(-30.0, abs=1e-6)
    assert p.value < 1e-6


def test_synchronisation_per_phase_and_none_without_a_pulse(tmp_path):
    d = pulse(tmp_path, [-20, -40], phases=True)
    rows = {r.phase: r for r in session_rows(d)}
    assert set(rows) == {"all", "warm-up", "main"}
    assert rows["main"].value("vector_strength") == pytest.approx(math.cos(math.pi / 25))
    assert rows["all"].value("mean_asynchrony_ms") == pytest.approx(-30.0)
    assert rows["warm-up"].value("vector_strength") is None
    assert "no pulse" in rows["warm-up"].metrics["vector_strength"].why
    assert rows["warm-up"].value("valid_touches") == 5 and rows["main"].value(
        "valid_touches") == 20


def test_touches_spread_evenly_over_the_beat_show_no_synchronisation(tmp_path):
    d = pulse(tmp_path, [-187.5, -62.5, 62.5, 187.5])   # a quarter cycle apart
    s = subject(d, column(d, 1))
    phases, period = beat_phases(s.onsets, s.beats)
    assert period == pytest.approx(0.5)
    vs, p, _ = synchronisation(s)
    assert vs.value == pytest.approx(0.0, abs=1e-9) and p.value == pytest.approx(1.0)


def test_a_dwell_delayed_note_is_timed_at_its_touch(tmp_path):
    # The note sounds 150 ms after the contact (dwell_ms): rhythm uses the contact.
    ev = []
    for t in (1.0, 1.5, 2.0, 2.5, 3.0, 3.5):
        ev += [(t, "touch", dict(player=1, client=C1, pad=0, board=0x5A, electrode=0)),
               (t + 0.15, "note_on", dict(player=1, client=C1, pad=0, note=60)),
               (t + 0.3, "release", dict(player=1, client=C1, pad=0, board=0x5A,
                                         electrode=0))]
    d = one_session(tmp_path, ev)
    assert subject(d, column(d, 1)).onsets.tolist() == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]


def test_too_little_data_says_so_instead_of_a_number(tmp_path):
    d = one_session(tmp_path, touch(1, 0, .2) + touch(2, 1, .2), end=20)
    m = metrics_of(d, 1)
    assert not m["time_on_task_pct"].ok and "less than 30 s" in m["time_on_task_pct"].why
    assert not m["hold_median_s"].ok and "fewer than 5" in m["hold_median_s"].why
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
