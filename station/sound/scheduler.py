"""Notes timed on the audio clock: the backing's beats and the echo's phrases.

A Python timer wakes late by whatever the scheduler and the load add (milliseconds under
load); a beat must not wander by that. So timed notes are placed on FluidSynth's own
clock, in *blocks*: FluidSynth renders 64 frames at a time and a note can start only at a
block start, so a block number is the finest honest time there is.

* ``DirectOut`` (an offline synth: the simulator, tests, a daemon started without audio):
  the owner's timer wakes at each note's exact block time (``ns_of``) and the note is
  played at once; the offline renderer has rendered exactly up to that time, so the note
  starts at that sample. Beats sound exactly when journaled: zero jitter.
* ``SequencerOut`` (a real-time synth): notes are handed ``LOOKAHEAD_NS`` ahead to
  FluidSynth's sequencer, which runs on the synth's sample clock (a sample timer called
  once per block) and plays each note at its block, whatever Python does meanwhile.
  FluidSynth applies a note sent by its sequencer one block later (it is queued while the
  block that fired it is rendered); ``ns_of`` includes that block.

Every note belongs to a *source* (the backing, one player's echo) playing on a channel no
player uses; ``cancel`` removes the source's notes not yet played and ends its sounding
ones. Times are station ns; blocks count from the synth's start (offline: station time 0);
channels 0..15, notes and velocities 0..127 (velocity 0 is a note off).
"""

from __future__ import annotations

import ctypes

BLOCK = 64                       # frames per FluidSynth block (FLUID_BUFSIZE)
LOOKAHEAD_NS = 250_000_000       # real time: notes reach the sequencer this early
LEAD_NS = 30_000_000             # real time: the soonest a new note is placed (see block_at)
STALL_NS = 300_000_000           # real time: no audio for this long means it stopped
REANCHOR_BLOCKS = 24             # real time: re-estimate the clock when off by ~32 ms


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


class DirectOut:
    """Offline: notes played at once, by a timer that wakes at their exact block."""

    lookahead_ns = 0
    journal_delay_ns = 0        # a note has sounded once its time has come

    def __init__(self, synth) -> None:
        self.synth = synth
        self.rate = synth.sample_rate

    def block_at(self, t_ns: int) -> int:
        """The first block starting at or after station time ``t_ns``."""
        return _ceil_div(t_ns * self.rate, BLOCK * 1_000_000_000)

    def ns_of(self, block: int) -> int:
        """Station time (ns, rounded up) when ``block`` starts to sound."""
        return _ceil_div(block * BLOCK * 1_000_000_000, self.rate)

    def blocks(self, seconds: float) -> int:
        """``seconds`` as a whole number of blocks (at least 1)."""
        return max(1, round(seconds * self.rate / BLOCK))

    def to_blocks(self, ns: int) -> int:
        """A duration in ns as the nearest whole number of blocks (0 stays 0)."""
        return round(ns * self.rate / (BLOCK * 1e9))

    def ready(self, now: int) -> bool:
        return not self.synth.closed

    def sounded_block(self, now: int) -> int:
        """Every block up to this one has sounded by ``now``."""
        return (now * self.rate) // (BLOCK * 1_000_000_000)

    def fired_block(self, now: int) -> int:
        """Every note up to this block has left the queue: it sounds whatever comes next."""
        return self.sounded_block(now)

    def send(self, source: int, block: int, channel: int, note: int, velocity: int) -> None:
        if velocity > 0:
            self.synth.note_on(channel, note, velocity)
        else:
            self.synth.note_off(channel, note)

    def forget(self, source: int) -> None:
        """Drop the source's notes not yet played (nothing is queued offline)."""

    def cancel(self, source: int, channel: int) -> None:
        self.synth.all_notes_off(channel)

    def close(self) -> None:
        pass


class _Seq:
    """The few C functions of FluidSynth's sequencer we use, with their real C types.

    pyfluidsynth 1.4 declares event sources as pointers and lacks ``remove_events``, so
    the functions are bound here from the same library it loaded."""

    def __init__(self, fs) -> None:
        lib = ctypes.CDLL(fs.lib)
        vp, short, uint = ctypes.c_void_p, ctypes.c_short, ctypes.c_uint

        def bind(name, restype, *argtypes):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, list(argtypes)
            return fn
        self.new = bind("new_fluid_sequencer2", vp, ctypes.c_int)
        self.delete = bind("delete_fluid_sequencer", None, vp)
        self.register = bind("fluid_sequencer_register_fluidsynth", short, vp, vp)
        self.unregister = bind("fluid_sequencer_unregister_client", None, vp, short)
        self.get_tick = bind("fluid_sequencer_get_tick", uint, vp)
        self.send_at = bind("fluid_sequencer_send_at", ctypes.c_int, vp, vp, uint, ctypes.c_int)
        self.remove = bind("fluid_sequencer_remove_events", None, vp, short, short, ctypes.c_int)
        self.new_event = bind("new_fluid_event", vp)
        self.delete_event = bind("delete_fluid_event", None, vp)
        self.set_source = bind("fluid_event_set_source", None, vp, short)
        self.set_dest = bind("fluid_event_set_dest", None, vp, short)
        self.noteon = bind("fluid_event_noteon", None, vp, ctypes.c_int, short, short)
        self.noteoff = bind("fluid_event_noteoff", None, vp, ctypes.c_int, short)


class SequencerOut:
    """Real time: notes scheduled on FluidSynth's sequencer, driven by the synth's samples.

    The sequencer's tick is milliseconds of audio rendered since it was bound to the synth
    (a multiple of the block, so block ``b`` fires at tick ``b * 64000 // rate``). Station
    time maps to blocks through an *anchor*, the station time of block 0, estimated from
    the sequencer's tick; it is re-estimated only when the audio clock and the station
    clock disagree by more than ``REANCHOR_BLOCKS`` (audio stopped, an xrun burst), so
    beats keep whole-block spacing.
    """

    lookahead_ns = LOOKAHEAD_NS
    journal_delay_ns = 50_000_000   # look for a sounded note this long after its time

    def __init__(self, synth, clock) -> None:
        self.synth = synth
        self.clock = clock
        self.rate = synth.sample_rate
        fs, handle = synth.handles
        self._c = _Seq(fs)
        self._seq = self._c.new(0)            # 0: no system timer; the synth's samples drive it
        if not self._seq:
            raise MemoryError("FluidSynth could not create a sequencer")
        self._dest = self._c.register(self._seq, handle)
        self._event = self._c.new_event()
        self._anchor: float | None = None
        self._last_tick = (-1, 0)             # (tick, station ns when it was first seen)

    def _block_ns(self) -> float:
        return BLOCK * 1e9 / self.rate

    def _tick(self) -> int:
        return int(self._c.get_tick(self._seq)) if self._seq else 0

    def _anchor_now(self, now: int) -> float:
        block = self._tick() * self.rate / (1000 * BLOCK)
        if self._anchor is None or abs((now - self._anchor) / self._block_ns() - block) \
                > REANCHOR_BLOCKS:
            self._anchor = now - block * self._block_ns()
        return self._anchor

    def block_at(self, t_ns: int) -> int:
        """The first block at or after ``t_ns``, but at least ``LEAD_NS`` after the block
        the audio is at: between reading the sequencer's block and sending a note, a
        loaded machine can let the audio run on a few blocks, and a note sent for a block
        already gone plays late (a first beat 4 ms late was measured under load)."""
        anchor = self._anchor_now(self.clock.now_ns())
        lead = int(-(-LEAD_NS // self._block_ns()))
        return max(self._sequencer_block() + lead,
                   int(-(-(t_ns - anchor) // self._block_ns())))

    def _sequencer_block(self) -> int:
        return (self._tick() * self.rate) // (1000 * BLOCK)

    def ns_of(self, block: int) -> int:
        anchor = self._anchor if self._anchor is not None else \
            self._anchor_now(self.clock.now_ns())
        return int(round(anchor + (block + 1) * self._block_ns()))   # +1: FluidSynth's delay

    def blocks(self, seconds: float) -> int:
        return max(1, round(seconds * self.rate / BLOCK))

    def to_blocks(self, ns: int) -> int:
        return round(ns * self.rate / (BLOCK * 1e9))

    def ready(self, now: int) -> bool:
        """False while no audio flows (device lost or not yet open): nothing is sent then,
        so no burst of stored notes plays when the device comes back. A synth without a
        driver (rendered by its owner, block by block) drives the sequencer as well: its
        clock is then the renderer's, which is how the tests check this path on a clock
        they control."""
        if not self._seq or self.synth.closed or \
                (self.synth.realtime and not self.synth.audio_driver_ok):
            return False
        tick = self._tick()
        if tick != self._last_tick[0]:
            self._last_tick = (tick, now)
            self._anchor_now(now)     # audio and station clocks drift apart: keep mapping
            return True
        return now - self._last_tick[1] < STALL_NS

    def sounded_block(self, now: int) -> int:
        return self._sequencer_block() - 2     # the block the tick names, and the delay

    def fired_block(self, now: int) -> int:
        return self._sequencer_block()         # the sequencer has handed these to the synth

    def send(self, source: int, block: int, channel: int, note: int, velocity: int) -> None:
        if not self._seq:
            return
        c, e = self._c, self._event
        c.set_source(e, source)
        c.set_dest(e, self._dest)
        if velocity > 0:
            c.noteon(e, channel, note, velocity)
        else:
            c.noteoff(e, channel, note)
        c.send_at(self._seq, e, (block * BLOCK * 1000) // self.rate, 1)

    def forget(self, source: int) -> None:
        if self._seq:
            self._c.remove(self._seq, source, -1, -1)

    def cancel(self, source: int, channel: int) -> None:
        self.forget(source)
        self.synth.all_notes_off(channel)

    def close(self) -> None:
        """Remove every pending note and free the sequencer (before the synth goes)."""
        if self._seq:
            self._c.remove(self._seq, -1, -1, -1)
            self._c.delete_event(self._event)
            self._c.delete(self._seq)
            self._seq = None


def open_out(synth, clock):
    """The AudioOut for ``synth``: the sequencer for real time, direct calls offline."""
    return SequencerOut(synth, clock) if synth.realtime else DirectOut(synth)


class Track:
    """One source's timed notes, handed to the AudioOut as they come within its lookahead.

    ``add(block, note, velocity)`` queues a note on (velocity 0: off); ``next_deadline()``
    is when the owner's timer must call ``tick`` (station ns); ``clear`` drops what is
    queued and silences the channel. The owner keeps the channel exclusive to this track.
    """

    def __init__(self, out, source: int, channel: int) -> None:
        self.out = out
        self.source = source
        self.channel = channel
        self._queue: list[tuple[int, int, int, int]] = []   # (block, order, note, velocity)
        self._order = 0
        self._sent_until = 0          # station ns of the last note handed to the out

    def add(self, block: int, note: int, velocity: int) -> None:
        self._order += 1
        self._queue.append((block, self._order, note, velocity))
        self._queue.sort()

    def __len__(self) -> int:
        return len(self._queue)

    def busy(self, now: int) -> bool:
        """True while notes of this track are queued, or handed over and still to come."""
        return bool(self._queue) or self._sent_until > now

    def next_deadline(self) -> int | None:
        if not self._queue:
            return None
        return self.out.ns_of(self._queue[0][0]) - self.out.lookahead_ns

    def tick(self, now: int) -> None:
        horizon = now + self.out.lookahead_ns
        while self._queue and self.out.ns_of(self._queue[0][0]) <= horizon:
            block, _, note, velocity = self._queue.pop(0)
            self.out.send(self.source, block, self.channel, note, velocity)
            self._sent_until = max(self._sent_until, self.out.ns_of(block))

    def drop(self) -> None:
        """Forget every note not yet played; what sounds goes on (all-quiet fades it)."""
        self._queue.clear()
        self._sent_until = 0
        self.out.forget(self.source)

    def clear(self) -> None:
        """Forget every note not yet played and end the sounding ones."""
        self._queue.clear()
        self._sent_until = 0
        self.out.cancel(self.source, self.channel)
