"""NoteBatch: a read's notes reach FluidSynth together, in the order they were asked."""

from __future__ import annotations

import numpy as np
import pytest

from station.sound.batch import NoteBatch
from station.sound.soundfont import find_soundfont
from station.sound.synth import Synth
from station.sound.timbres import load_catalogue


@pytest.fixture
def synth():
    with Synth(find_soundfont(None), gain=0.5) as s:
        s.set_timbre(0, load_catalogue()["harmonica"])
        yield s


def _level(synth: Synth, seconds: float) -> float:
    return float(np.abs(synth.render_seconds(seconds)[-2400:]).max())


def test_held_notes_wait_for_flush(synth):
    batch = NoteBatch(synth)
    batch.hold()
    assert batch.note_on(0, 60, 100) is True
    synth.render(64)
    assert synth.active_voices() == 0, "nothing reaches FluidSynth while held"
    batch.flush()
    synth.render(64)
    assert synth.active_voices() > 0
    assert batch.note_on(0, 62, 100) is True        # not held: straight through
    synth.render(64)
    assert synth.active_voices() > 1


def test_order_is_kept_within_a_batch(synth):
    batch = NoteBatch(synth)
    batch.hold()
    batch.note_on(0, 60, 100)
    batch.note_off(0, 60)              # a tap inside one read: on, then off
    batch.flush()
    assert _level(synth, 0.5) <= 2, "on-then-off must end in silence"
    batch.hold()
    batch.note_off(0, 64)              # off (of nothing), then on: the note must sound
    batch.note_on(0, 64, 100)
    batch.flush()
    assert _level(synth, 0.5) > 100


def test_any_other_call_sends_the_queued_notes_first(synth):
    batch = NoteBatch(synth)
    batch.hold()
    batch.note_on(0, 60, 100)
    batch.set_timbre(0, load_catalogue()["marimba"])  # program change after the note
    synth.render(64)
    assert synth.active_voices() > 0, "the note went out before the program change"
    batch.note_on(0, 67, 100)                         # still holding after that call
    synth.render(64)
    voices = synth.active_voices()
    batch.flush()
    synth.render(64)
    assert synth.active_voices() > voices


def test_bad_numbers_are_refused_when_queued(synth):
    batch = NoteBatch(synth)
    batch.hold()
    with pytest.raises(ValueError, match="channel 0..15"):
        batch.note_on(16, 60, 100)
    with pytest.raises(ValueError, match="note 0..127"):
        batch.note_off(0, 128)
    batch.flush()
