"""What a panel request may carry, and the live feed the Now screen reads."""

import json

import pytest

from station.core.details import Fault, SeatChange
from station.core.events import (
    FAULT,
    NOTE_OFF,
    NOTE_ON,
    PHASE,
    PROFILE,
    RELEASE,
    SUPPRESSED,
    TOUCH,
    Event,
)
from station.panel.feed import LiveFeed
from station.panel.limits import MAX_BODY, MAX_DEPTH, BadRequest, field, parse_body


def test_a_json_object_passes():
    assert parse_body(b'{"op": "start", "n": [1, {"a": "[[[[[[["}]}') == \
        {"op": "start", "n": [1, {"a": "[[[[[[["}]}
    assert parse_body(b"") == {}


@pytest.mark.parametrize("raw, status, words", [
    (b"{not json", 400, "not valid JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (b'"text"', 400, "JSON object"),
    (b'{"v": NaN}', 400, "not valid JSON"),
    (b'{"v": Infinity}', 400, "not valid JSON"),
    (b"\xff\xfe{}", 400, "UTF-8"),
    (b'{"a":' * (MAX_DEPTH + 1) + b"1" + b"}" * (MAX_DEPTH + 1), 400, "nests too deeply"),
    (b"[" * 100_00, 400, "nests too deeply"),
    (b'{"t": "' + b"x" * MAX_BODY + b'"}', 413, "too large"),
])
def test_bad_bodies_get_one_plain_sentence(raw, status, words):
    with pytest.raises(BadRequest, match=words) as e:
        parse_body(raw)
    assert e.value.status == status and "Traceback" not in str(e.value)


def test_fields_are_checked_by_type_and_choice():
    data = {"player": 2, "flag": True, "op": "start", "x": 1.5}
    assert field(data, "player", int) == 2
    assert field(data, "missing", str, required=False) is None
    with pytest.raises(BadRequest, match="'flag' must be a whole number"):
        field(data, "flag", int)                 # true is not a player number
    with pytest.raises(BadRequest, match="'x' must be a whole number"):
        field(data, "x", int)
    with pytest.raises(BadRequest, match="one of start, stop"):
        field({"op": "dance"}, "op", str, choices=("start", "stop"))
    with pytest.raises(BadRequest, match="'name' is missing"):
        field({}, "name", str)


def ev(kind, **kw):
    return Event(kind, 0, **kw)


def test_the_feed_keeps_what_the_panel_shows_and_nothing_else():
    feed = LiveFeed()
    for e in (ev(TOUCH, player=1, pad=3), ev(NOTE_ON, player=1, pad=3, note=60),
              ev(NOTE_ON, player=1, pad=3, note=64), ev(SUPPRESSED, player=2, pad=0),
              ev(RELEASE, player=1, pad=3), ev(NOTE_OFF, player=1, pad=3),
              ev(TOUCH, board=0x5A, electrode=11), ev(PHASE, detail="main"),
              ev(PROFILE, player=2, detail=SeatChange("use", "abc")),
              ev(FAULT, board=0x5B, detail=Fault("board_lost"))):
        feed.observe(e)
    items, missed = feed.since(0)
    assert not missed
    assert [i[1:] for i in items] == [("t", 1, 3), ("on", 1, 3), ("x", 2, 0), ("r", 1, 3),
                                      ("off", 1, 3), ("s", 2, None), ("s", None, None)]
    assert feed.since(items[-1][0]) == ([], False)
    assert [i[1:] for i in feed.since(items[2][0])[0]][0] == ("r", 1, 3)
    assert list(feed.faults)[0][1:] == (0x5B, "board_lost")
    json.dumps(items)                             # what the live stream sends
    json.dumps(list(feed.faults))                 # and the health screen


def test_a_reader_that_fell_behind_is_told_to_reload():
    feed = LiveFeed(capacity=8)
    for k in range(20):
        feed.observe(ev(TOUCH, player=1, pad=k % 12))
    items, missed = feed.since(3)
    assert missed and len(items) == 8 and items[-1][0] == 20
    items, missed = feed.since(12)
    assert not missed and [i[0] for i in items] == list(range(13, 21))
