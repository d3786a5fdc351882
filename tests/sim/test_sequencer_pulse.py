"""The real-time beat path, FluidSynth's sequencer, on a clock the test controls.

A daemon on a sound card hands its beats to FluidSynth's sequencer ahead of time
(``station.sound.scheduler.SequencerOut``), which plays each at its block whatever Python
does meanwhile. Here the same sequencer runs on the simulator's synth, rendered block by
block on the virtual clock: the sequencer's tick is the rendered audio, exactly as under
a sound card's callback, but no wall clock paces it, so what is checked (beats on exact
blocks, every beat heard journaled once) holds on any machine, however busy. The same
minute on a real JACK server, with its xruns, is measured by ``make bench`` (bench.pulse).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_session_music import BLOCK_S, S, beats, run
from wav_helpers import onset_frames

import station.engine.music as music
from station.sim.runner import SAMPLE_RATE
from station.sound.scheduler import BLOCK, SequencerOut

BPM = 100                     # 0.6 s = 28 800 frames = exactly 450 blocks


@pytest.fixture
def sequencer(monkeypatch):
    """The session music of every station built in this test plays through FluidSynth's
    sequencer (the real-time path), bound to the simulator's offline synth."""
    made: list[SequencerOut] = []

    def open_out(synth, clock):
        out = SequencerOut(synth, clock)
        made.append(out)
        return out
    monkeypatch.setattr(music, "open_out", open_out)
    return made


def test_a_minute_of_pulse_through_the_sequencer_lands_on_exact_blocks(tmp_path, sequencer):
    summary, audio, db = run(tmp_path, [
        f"{{at: 1.0, action: backing, style: pulse, tempo_bpm: {BPM}, voice: claves}}",  # one drum
        "{at: 61.0, action: backing_stop}"], end=62)
    assert sequencer, "the station did not open its music through the sequencer"
    t = np.array(beats(db))
    heard = onset_frames(audio)
    assert len(t) == 100 and summary["beats"] == 100         # 1.0 .. 60.4 s at 0.6 s
    assert len(heard) == len(t), "every beat heard is in the journal, and only those"
    period = round(60 / BPM * SAMPLE_RATE / BLOCK) * BLOCK
    steps = np.diff(heard)
    # the first beat starts from silence and its attack is timed a few frames apart;
    # every later beat is exactly 450 blocks after the one before
    assert abs(int(steps[0]) - period) < BLOCK
    assert set(steps[1:].tolist()) == {period}, f"intervals off the block grid: {set(steps)}"
    # each beat sounds within a block or two of the time journaled for it, by one
    # constant offset: under a sound card's driver FluidSynth applies a sequencer's
    # note one block later than when its owner renders it, which the journal's time
    # includes (ns_of); the limiter's look-ahead and the attack are constant too
    delay = heard / SAMPLE_RATE - t / S
    assert np.all(np.abs(delay) <= 2 * BLOCK_S + 0.003), delay
    assert np.ptp(delay[1:]) <= 1 / SAMPLE_RATE, "one constant delay for every beat"


def test_a_ramp_through_the_sequencer_moves_in_whole_blocks(tmp_path, sequencer):
    _, audio, db = run(tmp_path, [
        "{at: 1.0, action: backing, style: pulse, tempo_bpm: 60, ramp_to_bpm: 90, ramp_s: 30,"
        " voice: claves}",               # one drum on every beat: the same attack
        "{at: 41.0, action: backing_stop}"], end=42)
    heard = onset_frames(audio)
    assert len(heard) == len(beats(db)) >= 30
    steps = np.diff(heard)[1:]           # from the second beat (see above)
    assert np.all(steps % BLOCK == 0), "every beat starts at a block"
    assert 46000 < steps[0] <= 48000 and steps[-1] == round(60 / 90 * SAMPLE_RATE / BLOCK) * BLOCK
    assert np.all(np.diff(steps) <= 0), "the ramp only speeds up"
