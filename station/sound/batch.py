"""Send the notes of one input read to FluidSynth together, in the order they were asked.

A palm across many pads arrives as one IRQ read of many touches. The engine decides
each touch in turn (filters, turn gate, mapping: tens of microseconds each in Python);
calling FluidSynth as each is decided spreads the notes over a millisecond or more, so
FluidSynth, which starts notes only at its 64-frame block boundaries (1.33 ms at
48 kHz), often splits one palm over two blocks. Held, the notes go out in one tight
loop after the last decision: the whole palm lands in one block, and the calls run
back to back (about 3-5 us each) with nothing in between.

``NoteBatch`` wraps the synth the engine plays: while ``hold()`` is in force,
``note_on``/``note_off`` are queued; ``flush()`` sends them in order and ends the hold.
Any other call (a program change for a per-pad timbre, all-notes-off, a controller)
first flushes what is queued, so the synth sees every call in the order the engine
made it. Numbers are checked when a call is queued (ValueError, as ``Synth`` does);
a queued call reports True (the engine does not use the result).
"""

from __future__ import annotations


class NoteBatch:
    """The engine's view of ``synth`` (see the module docstring). ``inner`` is the synth."""

    def __init__(self, synth) -> None:
        self.inner = synth
        self._queue: list[tuple[bool, int, int, int]] = []
        self._holding = False

    def hold(self) -> None:
        """Queue note calls until ``flush()``."""
        self._holding = True

    def flush(self) -> None:
        """Send every queued note call, in order, and stop holding."""
        self._holding = False
        queue, self._queue = self._queue, []
        inner = self.inner
        for on, channel, note, velocity in queue:
            if on:
                inner.note_on(channel, note, velocity)
            else:
                inner.note_off(channel, note)

    def note_on(self, channel: int, note: int, velocity: int) -> bool:
        if self._holding:
            if not (0 <= channel < 16 and 0 <= note <= 127 and 0 <= velocity <= 127):
                raise ValueError(f"note_on needs channel 0..15, note and velocity 0..127;"
                                 f" got {channel}, {note}, {velocity}")
            self._queue.append((True, channel, note, velocity))
            return True
        return self.inner.note_on(channel, note, velocity)

    def note_off(self, channel: int, note: int) -> bool:
        if self._holding:
            if not (0 <= channel < 16 and 0 <= note <= 127):
                raise ValueError(f"note_off needs channel 0..15 and note 0..127;"
                                 f" got {channel}, {note}")
            self._queue.append((False, channel, note, 0))
            return True
        return self.inner.note_off(channel, note)

    def __getattr__(self, name):
        # Anything else changes or reads the synth's state: queued notes go first.
        if self._queue:
            holding = self._holding
            self.flush()
            self._holding = holding
        return getattr(self.inner, name)
