"""Each motor filter as a state machine: property tests over random touch sequences."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from station.access.pad import PadFilter
from station.access.rules import MS, PadRules, check_touch, resolve_touch

# Every filter off (a note as long as the touch): the tests below turn on one at a time.
OFF = PadRules(dwell_ns=0, grace_ns=0, retrigger_ns=0, hold="momentary", note_ns=500 * MS,
               min_ns=0, max_ns=None, long_ns=None, sensitivity=0.5)


def only(**rules) -> PadRules:
    return replace(OFF, **rules)


# A contact sequence: (gap before the touch, contact length) pairs in ms, plus tick times.
contacts = st.lists(st.tuples(st.integers(0, 600), st.integers(1, 900)), min_size=1,
                    max_size=40)
rules = st.builds(
    PadRules,
    dwell_ns=st.sampled_from([0, 30, 80, 200]).map(lambda ms: ms * MS),
    grace_ns=st.sampled_from([0, 40, 120]).map(lambda ms: ms * MS),
    retrigger_ns=st.sampled_from([0, 50, 150, 400]).map(lambda ms: ms * MS),
    hold=st.sampled_from(["momentary", "latch", "fixed"]),
    note_ns=st.sampled_from([100, 300, 700]).map(lambda ms: ms * MS),
    min_ns=st.sampled_from([0, 150, 400]).map(lambda ms: ms * MS),
    max_ns=st.sampled_from([None, 800, 2000]).map(lambda ms: ms and ms * MS),
    long_ns=st.sampled_from([None, 1500]).map(lambda ms: ms and ms * MS),
    sensitivity=st.just(0.5),
)


def run(r: PadRules, seq, tick_every_ms: int = 0):
    """Feed contacts; return (all actions, list of (touch_t, release_t) contacts)."""
    f, out, t, spans = PadFilter(r), [], 0, []
    for gap, length in seq:
        t += gap * MS
        out += f.touch(t)
        if tick_every_ms:
            for k in range(1, length // tick_every_ms):
                out += f.tick(t + k * tick_every_ms * MS)
        spans.append((t, t + length * MS))
        t += length * MS
        out += f.release(t)
    out += f.tick(t + 10**12)
    out += f.reset(t + 10**12)      # a latched note still on ends at the swap
    return out, spans


def notes(actions):
    """(on_t, off_t, why) per note; a restart ends the previous note."""
    result, on = [], None
    for action, t, why in actions:
        if action == "on":
            if on is not None:
                result.append((on, t, "restart"))
            on = t
        elif action == "off":
            assert on is not None, "off without on"
            result.append((on, t, why))
            on = None
    assert on is None, "a note never ended"
    return result


@settings(max_examples=300, deadline=None)
@given(rules, contacts, st.sampled_from([0, 7, 50]))
def test_actions_are_in_time_order_and_notes_balance(r, seq, tick_ms):
    actions, _ = run(r, seq, tick_ms)
    times = [t for _, t, _ in actions]
    assert times == sorted(times)
    notes(actions)


@settings(max_examples=300, deadline=None)
@given(rules, contacts, st.sampled_from([0, 13]))
def test_retrigger_no_two_note_starts_on_a_pad_closer_than_r(r, seq, tick_ms):
    ons = [t for a, t, _ in run(r, seq, tick_ms)[0] if a == "on"]
    assert all(b - a >= r.retrigger_ns for a, b in zip(ons, ons[1:]))


@settings(max_examples=300, deadline=None)
@given(rules, contacts)
def test_dwell_a_note_starts_only_after_the_contact_lasted_dwell(r, seq):
    actions, spans = run(r.__class__(**{**_fields(r), "grace_ns": 0}), seq)
    for a, t, _ in actions:
        if a == "on":
            assert any(t0 + r.dwell_ns <= t <= t1 for t0, t1 in spans), (t, spans)


@settings(max_examples=300, deadline=None)
@given(rules, contacts)
def test_min_and_max_note_length(r, seq):
    for on, off, why in notes(run(r, seq)[0]):
        if why not in ("restart", "long_touch", "reset"):
            assert off - on >= r.min_ns
        if r.max_ns is not None:
            assert off - on <= r.max_ns


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([100, 300, 700]), contacts)
def test_fixed_notes_last_exactly_note_ms(note_ms, seq):
    r = only(hold="fixed", note_ns=note_ms * MS)
    for on, off, why in notes(run(r, seq)[0]):
        assert off - on == note_ms * MS or why == "restart"


@settings(max_examples=200, deadline=None)
@given(st.integers(20, 200), st.lists(st.integers(1, 400), min_size=2, max_size=30))
def test_grace_lifts_shorter_than_grace_keep_one_note(grace_ms, holds):
    # One held touch broken by lifts of grace-1 ms (a tremor): exactly one note.
    r = only(grace_ns=grace_ms * MS)
    seq = [(0, holds[0])] + [(grace_ms - 1, h) for h in holds[1:]]
    actions, spans = run(r, seq)
    assert [a for a, _, _ in actions].count("on") == 1
    assert [a for a, _, _ in actions].count("suppress") == len(holds) - 1
    assert notes(actions)[0][1] == spans[-1][1] + grace_ms * MS


def test_latch_toggles_and_momentary_follows_the_hand():
    latch = PadFilter(only(hold="latch"))
    acts = latch.touch(0) + latch.release(100) + latch.touch(500) + latch.release(600)
    assert [(a, t) for a, t, _ in acts] == [("on", 0), ("off", 500)]
    mom = PadFilter(only(min_ns=200))
    acts = mom.touch(0) + mom.release(50) + mom.tick(10**9)
    assert [(a, t) for a, t, _ in acts] == [("on", 0), ("off", 200)]


def test_long_touch_ends_the_note_and_asks_for_recalibration():
    f = PadFilter(only(long_ns=1000))
    acts = f.touch(0) + f.tick(5000)
    assert [(a, t, d) for a, t, d in acts] == [("on", 0, None), ("off", 1000, "long_touch"),
                                                ("suppress", 1000, "long_touch"),
                                                ("recalibrate", 1000, "long_touch")]
    assert f.release(6000) == [] and f.touch(7000)[0][0] == "on"


def test_resting_contact_is_ignored_until_lifted():
    f = PadFilter(only(retrigger_ns=100, grace_ns=50))
    assert f.resting(0) == [("suppress", 0, "resting_hand")]
    assert f.release(300) == [] and f.touch(320)[0][2] == "release_grace"   # a wobble
    assert f.touch(10) == [] and f.release(500) == []
    assert f.touch(550)[0][2] == "retrigger" and f.release(560) == []
    assert f.touch(700)[0][0] == "on"


def test_per_pad_rules_override_the_client():
    touch = {"dwell_ms": 100, "release_grace_ms": 0, "retrigger_ms": 0, "hold": "momentary",
             "note_ms": 500, "min_note_ms": 0, "max_note_ms": None, "sensitivity": 0.5,
             "long_touch_s": None, "pads": "all", "groups": [],
             "per_pad": {3: {"dwell_ms": 0, "sensitivity": 0.9, "hold": None}}}
    rules = resolve_touch(touch)
    assert rules.of(0).dwell_ns == 100 * MS and rules.of(0) is rules.client
    assert rules.of(3).dwell_ns == 0 and rules.of(3).sensitivity == 0.9
    assert rules.of(3).hold == "momentary" and rules.enabled is None


def test_cross_checks_name_the_key():
    problems = check_touch({"groups": [[0, 1], [1, 2]], "pads": [0, 0], "min_note_ms": 900,
                            "max_note_ms": 500, "hold": "momentary", "per_pad": {}})
    text = " ".join(m for _, m in problems)
    assert "pad 1 is already in group 0" in text and "lists a pad twice" in text
    assert "min_note_ms (900) is longer than max_note_ms (500)" in text


def _fields(r):
    return {k: getattr(r, k) for k in r.__slots__}
