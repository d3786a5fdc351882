"""Goals and consent in a client profile: every mistake named with file, line, key and a
"did you mean", as ``station profile check`` prints it."""

import datetime as dt
import subprocess

import pytest
from conftest import station_command, write

from station.config.consent import NOT_RECORDED, consent_of, from_detail, to_detail
from station.config.goals import GOAL_METRICS
from station.config.profile import load_profile
from station.core.errors import ProfileError
from station.report.vocabulary import EXPORT_COLUMNS, TERMS

GOOD = """\
name: Kim
goals:
  - id: reach
    text: Reaches for a pad without a prompt
    metric: valid_per_min
    direction: higher
    levels: {-2: never, -1: with help, 0: once, 1: three times, 2: five times}
  - id: turns
    text: Waits for the turn
consent:
  date: 2024-03-01
  journal: true
  audio: false
"""


def test_goals_and_consent_load(tmp_path):
    p = load_profile(write(tmp_path / "kim.yaml", GOOD))
    assert [g["id"] for g in p.goals] == ["reach", "turns"]
    assert p.goal("reach")["levels"][2] == "five times" and p.goal("nope") is None
    c = consent_of(p)
    assert (c.recorded, c.date, c.journal, c.audio, c.research_export) == \
        (True, "2024-03-01", True, False, False), "what is not written is not consented"
    assert from_detail(to_detail(c)) == c
    assert consent_of(load_profile(write(tmp_path / "lee.yaml", "name: Lee\n"))) == \
        NOT_RECORDED


BAD = [
    ("goals:\n  - {id: reach, text: R, metric: valid_per_minute, direction: higher}\n"
     "  - {id: b, text: B}\n",
     ["kim.yaml:3: goals[0].metric is 'valid_per_minute' (did you mean 'valid_per_min'?)"]),
    ("goals:\n  - {id: a, text: A}\n  - {id: a, text: B}\n",
     ["kim.yaml:2: goals: the id 'a' is used by goal 1 and goal 2"]),
    ("goals:\n  - {id: a, text: A}\n", ["kim.yaml:2: goals needs at least 2 entries"]),
    ("goals:\n  - {id: a, text: A, metric: ioi_cv}\n  - {id: b, text: B}\n",
     ["kim.yaml:3: goals[0]: the goal 'a' names the metric ioi_cv but not which way is "
      "better"]),
    ("goals:\n  - {id: Reach Out, text: A}\n  - {id: b, txt: B}\n",
     ["kim.yaml:3: goals[0].id: 'Reach Out' cannot be a goal id",
      "kim.yaml:4: goals[1].txt is not a known key (did you mean 'text'?)",
      "kim.yaml:4: goals[1].text is missing"]),
    ("goals:\n  - {id: a, text: A, levels: {3: far}}\n  - {id: b, text: B}\n",
     ["kim.yaml:3: goals[0].levels[3] is 3; it must be a whole number from -2 to 2"]),
    ("consent:\n  journl: true\n  date: 2024-01-01\n",
     ["kim.yaml:3: consent.journl is not a known key (did you mean 'journal'?)"]),
    ("consent: {journal: true}\n", ["kim.yaml:2: consent.date is missing"]),
    ("consent: {date: 2024-02-30}\n", ["kim.yaml:2: '2024-02-30' is not a date that exists"]),
    ("consent: {date: '2024-02-30'}\n", ["kim.yaml:2: consent.date is '2024-02-30'"]),
    ("consent:\n  date: 2024-01-01\n  audio: yes please\n",
     ["kim.yaml:4: consent.audio is 'yes please'; it must be true or false"]),
]


@pytest.mark.parametrize("text, expected", BAD, ids=range(len(BAD)))
def test_mistakes_are_named_with_file_line_and_key(tmp_path, text, expected):
    path = write(tmp_path / "kim.yaml", "name: Kim\n" + text)
    with pytest.raises(ProfileError) as err:
        load_profile(path)
    for e in expected:
        assert e in str(err.value), str(err.value)


def test_a_consent_date_in_the_future_is_refused_and_check_says_so(tmp_path):
    later = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    path = write(tmp_path / "kim.yaml", f"name: Kim\nconsent: {{date: {later}}}\n")
    r = subprocess.run(station_command() + ["profile", "check", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and f"kim.yaml:2: consent.date is {later}, a date in the " \
        f"future" in r.stdout


def test_goal_metrics_are_measures_of_the_report_and_the_export():
    assert set(GOAL_METRICS) <= set(TERMS) and set(GOAL_METRICS) <= set(EXPORT_COLUMNS)
