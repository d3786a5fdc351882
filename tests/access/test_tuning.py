"""Proposals from raw contacts (access.tuning) and their replay through the real filters
(access.replay), on contact lists built by hand and from the simulator's motor patterns."""

import random

import pytest

from station.access import replay, tuning
from station.access.tuning import MS, Contact
from station.config.profile_schema import TOUCH, defaults, touch_bounds
from station.sim import motor

# the replay takes a touch: section as a loaded profile holds it (every key, the schema's
# defaults for what was left out): no filter at all is the defaults less the guards
NO_FILTER = {**defaults(TOUCH), "resting_guard": False, "long_touch_s": None}


def full(touch: dict) -> dict:
    """A touch: section with the schema's defaults for what ``touch`` leaves out."""
    return {**defaults(TOUCH), **touch}
S = 1_000_000_000


def edges(contacts):
    out = [(c.t0, "touch", c.pad) for c in contacts] + [(c.t1, "release", c.pad)
                                                         for c in contacts]
    return sorted(out, key=lambda e: (e[0], e[1] == "touch"))


def clean(rng, seconds=120):
    """Ordinary taps of 250-700 ms, 400-900 ms apart, on random pads."""
    out, t = [], S // 2
    while t < seconds * S:
        length = int(rng.uniform(250, 700) * MS)
        out.append(Contact(rng.randrange(8), t, t + length))
        t += length + int(rng.uniform(400, 900) * MS)
    return out


def propose(contacts, current=NO_FILTER, held=(), span_s=None):
    start = min(c.t0 for c in contacts)
    span = span_s or (max(c.t1 for c in contacts) - start) / S
    return tuning.propose(tuning.analyse(contacts, span, held), current, touch_bounds())


def test_clean_touches_get_no_change_and_every_setting_has_a_reason():
    p = propose(clean(random.Random(3)))
    assert p.changes == {}
    keys = [r.split(":")[0] for r in p.reasons]
    assert keys == ["release_grace_ms", "retrigger_ms", "dwell_ms", "hold", "sensitivity"]


def test_too_little_play_says_how_much_is_needed():
    with pytest.raises(tuning.TooShort, match=r"at least 60 s of play with 30 contacts"):
        propose(clean(random.Random(1), seconds=20))


@pytest.mark.parametrize("name, keys", [("tremor", {"release_grace_ms", "retrigger_ms"}),
                                        ("brushing", {"dwell_ms"}),
                                        ("double_tap", {"retrigger_ms"}),
                                        ("spastic", {"release_grace_ms", "retrigger_ms"})])
def test_each_pattern_gets_the_settings_that_act_on_its_trouble(name, keys):
    pattern = motor.PATTERNS[name](random.Random(5), 70)
    p = propose([Contact(c.pad, c.t0, c.t1) for c in pattern.contacts])
    assert set(p.changes) == keys
    for key in keys:
        reason = next(r for r in p.reasons if r.startswith(key))
        assert f"-> {p.changes[key]}." in reason and "ms" in reason


def test_a_resting_hand_at_seating_asks_for_the_guard_and_never_counts_as_lost():
    pattern = motor.resting(random.Random(2), 140)
    start = pattern.swap_ns
    held = [c.pad for c in pattern.contacts if c.t0 < start <= c.t1]
    contacts = tuning.contacts_from(edges(pattern.contacts), start, pattern.end_ns, held)
    p = propose(contacts, held=held)
    assert p.changes["resting_guard"] is True and p.analysis.resting
    cur = replay.replay(edges(pattern.contacts), NO_FILTER, start, pattern.end_ns, held)
    new = replay.replay(edges(pattern.contacts), {**NO_FILTER, **p.changes}, start,
                        pattern.end_ns, held)
    assert new.notes < cur.notes
    assert new.ignored.get("resting_hand") == 1
    assert replay.lost(cur, new, contacts) and not replay.lost(cur, new, contacts,
                                                               p.analysis.resting)


def test_proposals_stay_inside_the_schema_bounds():
    # bounces, brushes and breaks that ask for more than the bounds given allow: each
    # proposal is clamped; the real bounds are the schema's own
    contacts, t = [], 0
    for k in range(40):
        contacts.append(Contact(k % 8, t, t + 300 * MS))
        t += 700 * MS
    bounds = {"retrigger_ms": (0, 100), "release_grace_ms": (0, 30), "dwell_ms": (0, 50)}
    for k in range(12):              # bounces and brushes galore
        base = k * 5 * S + 100 * S
        contacts += [Contact(20, base, base + 300 * MS), Contact(20, base + 450 * MS,
                                                                 base + 400 * MS),
                     Contact(30, base + S, base + S + 100 * MS),
                     Contact(31, base + S + 120 * MS, base + S + 800 * MS),
                     Contact(40, base + 2 * S, base + 2 * S + 300 * MS),
                     Contact(40, base + 2 * S + 340 * MS, base + 2 * S + 600 * MS)]
    a = tuning.analyse(sorted(contacts, key=lambda c: c.t0), 200.0)
    p = tuning.propose(a, NO_FILTER, bounds)
    assert p.changes == {"retrigger_ms": 100, "release_grace_ms": 30, "dwell_ms": 50}
    real = touch_bounds()
    assert real["dwell_ms"] == (TOUCH.fields["dwell_ms"].min, TOUCH.fields["dwell_ms"].max)


def test_a_value_that_already_covers_what_was_seen_stays():
    pattern = motor.tremor(random.Random(4), 70)
    contacts = [Contact(c.pad, c.t0, c.t1) for c in pattern.contacts]
    strong = {**NO_FILTER, "release_grace_ms": 200, "retrigger_ms": 400}
    p = propose(contacts, strong)
    assert p.changes == {}
    assert any(r.startswith("release_grace_ms: stays 200") for r in p.reasons)


def test_replay_counts_what_the_filters_decide():
    # a 400 ms hold broken by a 30 ms lift, a bounce 100 ms after its end, a brush of 60 ms
    cs = [Contact(0, 0, 200 * MS), Contact(0, 230 * MS, 400 * MS),
          Contact(0, 500 * MS, 540 * MS), Contact(1, 1000 * MS, 1060 * MS),
          Contact(2, 1080 * MS, 1600 * MS)]
    ev = edges(cs)
    none = replay.replay(ev, full({}), 0, 2 * S)
    assert (none.notes, none.joined, none.ignored_total, none.longest_wait_ns) == (5, 0, 0, 0)
    tuned = replay.replay(ev, full({"release_grace_ms": 50, "retrigger_ms": 200,
                                        "dwell_ms": 100}),
                          0, 2 * S)
    assert tuned.notes == 2 and tuned.joined == 1
    assert tuned.ignored == {"retrigger": 1, "dwell": 1}
    assert tuned.longest_wait_ns == 100 * MS          # the dwell, on both sounded touches
    assert tuned.starts == [(100 * MS, 0), (1180 * MS, 2)]
    assert replay.lost(none, tuned, cs) == []
    strict = replay.replay(ev, full({"dwell_ms": 600}), 0, 2 * S)    # longer than every touch
    assert replay.lost(none, strict, cs) == [Contact(2, 1080 * MS, 1600 * MS)]
    assert "notes that sound" in "\n".join(replay.table(none, tuned))
