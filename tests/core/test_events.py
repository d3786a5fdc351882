"""Event.but: a copy with some fields changed, the same as dataclasses.replace."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from station.core.events import Event


def test_but_takes_exactly_the_events_fields():
    params = list(inspect.signature(Event.but).parameters)[1:]
    assert params == [f.name for f in dataclasses.fields(Event)]


@pytest.mark.parametrize("name", [f.name for f in dataclasses.fields(Event)])
def test_but_changes_one_field_like_replace_and_keeps_the_rest(name):
    e = Event("touch", 5, board=0x5A, electrode=3, button="b", player=1, client="c",
              pad=2, note=60, velocity=90, channel=0, detail="d", strength=0.5)
    changed = e.but(**{name: "new"})
    assert changed == dataclasses.replace(e, **{name: "new"})
    assert getattr(changed, name) == "new" and getattr(e, name) != "new"
    assert hash(changed) == hash(dataclasses.replace(e, **{name: "new"}))


def test_but_with_nothing_is_an_equal_copy_and_events_stay_frozen():
    e = Event("release", 7, player=2, pad=4)
    copy = e.but()
    assert copy == e and copy is not e
    with pytest.raises(dataclasses.FrozenInstanceError):
        copy.pad = 5          # type: ignore[misc]
    with pytest.raises(TypeError):
        e.but(nope=1)         # type: ignore[call-arg]
