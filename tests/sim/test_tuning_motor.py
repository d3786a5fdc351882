"""Tuning from two minutes of unfiltered play, judged against the motor patterns' ground
truth (issue 27).

Each motor pattern is played for two minutes on the simulated station (the real engine,
the real MPR121 driver on the simulated chip with noise and drift, a real journal) by a
client with no filters. The proposal read from that journal (``station.cli.tune.assess``,
what ``station profile tune`` prints) is then judged on ten new minutes of the same
pattern with another seed: through the real filters fed with the pattern's contacts, and
for the tremor, on the simulated station itself. The replay's counts are checked against
a real session played with the proposed settings.
"""

import random
from pathlib import Path

import pytest

from station.cli.tune import assess
from station.config.profile import load_profile
from station.core.events import NOTE_ON
from station.journal.reader import open_journal, select_sessions
from station.journal.stretch import seated_stretch
from station.sim import motor, motor_eval
from station.sim.motor import MS, Contact, Pattern

S = 1_000_000_000
NO_FILTER = motor_eval.CLIENTS / "ex-no-filter.yaml"


def minutes(pattern: Pattern, m: float) -> Pattern:
    """The first ``m`` minutes of play after the client is seated."""
    cut = pattern.swap_ns + int(m * 60 * S)
    out = Pattern(pattern.name, swap_ns=pattern.swap_ns)
    out.contacts = [c for c in pattern.contacts if c.t0 < cut]
    out.intended = [c for c in pattern.intended if c.t0 < cut]
    out.end_ns = max(c.t1 for c in out.contacts) + S
    return out


def mixed(rng: random.Random, n: int = 60) -> Pattern:
    """Tremor and brushing by turns, eight touches each (a client with both)."""
    out, t = Pattern("mixed"), 0
    for k in range(0, n, 8):
        part = (motor.tremor if k // 8 % 2 == 0 else motor.brushing)(rng, 8)
        shift = t - 500 * MS
        out.contacts += [Contact(c.pad, c.t0 + shift, c.t1 + shift, c.strength)
                         for c in part.contacts]
        out.intended += [Contact(c.pad, c.t0 + shift, c.t1 + shift, c.strength)
                         for c in part.intended]
        t = part.end_ns + shift
    out.end_ns = t
    return out


PATTERNS = {**motor.PATTERNS, "mixed": mixed}


@pytest.fixture(scope="module")
def tuned(tmp_path_factory):
    """name -> (pattern, score, assessment, stretch) of two unfiltered minutes (seed 11),
    played once for all the tests of this file."""
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = played_and_tuned(tmp_path_factory.mktemp(name), name, 11)
        return cache[name]
    return get


def played_and_tuned(tmp: Path, name: str, seed: int, client: Path = NO_FILTER):
    """Two minutes of ``name`` played by ``client``: (pattern, score, assessment, stretch)."""
    pattern = minutes(PATTERNS[name](random.Random(seed), 200), 2)
    score = motor_eval.play(pattern, str(client), tmp, seed)
    conn = open_journal(tmp / "station.db")
    try:
        stretch = seated_stretch(conn, select_sessions(conn, 1)[0], motor_eval.PLAYER)
    finally:
        conn.close()
    return pattern, score, assess(stretch, load_profile(client).touch), stretch


def held_out(pattern: Pattern, touch: dict):
    """Score ``touch`` on ``pattern`` through the real filters (contacts as the pattern has
    them), seated at ``swap_ns`` with the pads held then."""
    from station.access.replay import replay
    edges = sorted([(c.t0, "touch", c.pad) for c in pattern.contacts]
                   + [(c.t1, "release", c.pad) for c in pattern.contacts],
                   key=lambda e: (e[0], e[1] == "touch"))
    held = [c.pad for c in pattern.contacts if c.t0 < pattern.swap_ns <= c.t1]
    out = replay(edges, touch, pattern.swap_ns, pattern.end_ns, held)
    return motor_eval.score(pattern, sorted(out.starts))


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_two_minutes_without_filters_tune_ten_new_minutes(tuned, name):
    _, raw, a, _ = tuned(name)
    assert raw.spurious > 0, "the unfiltered play has the pattern's trouble"
    assert a.offered, "\n".join(a.proposal.reasons)
    assert a.proposed.notes < a.current.notes
    new = minutes(PATTERNS[name](random.Random(12), 400), 10)
    score = held_out(new, a.touch)
    assert score.intended >= 180
    assert score.hit_rate >= 0.98 and score.spurious_rate <= 0.02, (a.touch, score)


def tuned_profile(path: Path, changes: dict) -> Path:
    """The no-filter profile with ``changes`` in its touch: block (the tune --out edit)."""
    from station.config.profile_edit import edited
    new, _ = edited(NO_FILTER.read_bytes(), path, {("touch", k): v for k, v in changes.items()})
    path.write_bytes(new)
    return path


def test_tremor_tuned_plays_ten_new_minutes_on_the_station(tuned, tmp_path):
    _, _, a, _ = tuned("tremor")
    client = tuned_profile(tmp_path / "tuned.yaml", a.proposal.changes)
    score = motor_eval.play(minutes(motor.tremor(random.Random(22), 400), 10), str(client),
                            tmp_path / "play", 22)
    assert score.intended >= 300
    assert score.hit_rate >= 0.98 and score.spurious_rate <= 0.02, (a.touch, score)


def test_clean_touches_get_no_change(tmp_path):
    pattern = motor.brushing(random.Random(31), 200)
    pattern.contacts = list(pattern.intended)          # the targets alone: clean touches
    pattern = minutes(pattern, 2)
    motor_eval.play(pattern, str(NO_FILTER), tmp_path, 31)
    conn = open_journal(tmp_path / "station.db")
    stretch = seated_stretch(conn, select_sessions(conn, 1)[0], motor_eval.PLAYER)
    conn.close()
    a = assess(stretch, load_profile(NO_FILTER).touch)
    assert a.proposal.changes == {} and not a.offered
    assert a.current.notes == a.proposed.notes == len(pattern.intended)


@pytest.mark.parametrize("name", ["tremor", "double_tap"])
def test_the_replay_counts_what_a_real_session_with_the_proposal_plays(tuned, tmp_path,
                                                                      name):
    pattern, _, a, _ = tuned(name)
    client = tuned_profile(tmp_path / "tuned.yaml", a.proposal.changes)
    real = motor_eval.play(pattern, str(client), tmp_path / "real", 11)
    conn = open_journal(tmp_path / "real" / "station.db")
    notes = conn.execute("SELECT count(DISTINCT t_ns || ':' || pad) FROM events WHERE kind = ? "
                         "AND player = ?", (NOTE_ON, motor_eval.PLAYER)).fetchone()[0]
    conn.close()
    assert real.notes == notes == a.proposed.notes
    assert a.proposed.notes < a.current.notes
