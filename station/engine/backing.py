"""The live backing: a drone, a pulse or an ostinato under the players, on the audio clock.

One backing plays at a time, on the station's backing channel (``session_music.
backing_channel``, a channel no player uses). ``start(spec, now)`` picks what the spec
left open: the followed player (``follow_player``, else the first seated client), the
key (theirs), the timbre (the style's), the first tempo (with ``tempo: follow`` the
client's own, from their last touches: the iso principle), then the ramp. The timer
(``tick``/``next_deadline``) hands each beat's notes to the AudioOut ahead of time
(station.sound.scheduler), moves the ramp on (with ``follow_client`` only while the
client is with the beat), and journals every beat once it has sounded, as a ``beat``
event whose time is when it sounded (detail ``style:bpm:beat/bar``).

It obeys the station: velocities are capped by ``max_volume``; all-quiet fades its channel
with the players' and it waits, silent, until play resumes (then starts again on a new
beat); it stops cleanly (pending notes removed, every note off) on stop, swap, session
end and shutdown; while the audio device is lost it sends nothing, so no burst of stored
beats plays when the device returns.
"""

from __future__ import annotations

import collections

from station.core.details import BackingMeet, BackingStart, BackingStop, Beat
from station.core.events import BACKING, BEAT, NOTE_ON, Event
from station.engine.backing_choice import choose
from station.engine.key_seam import first_client
from station.sound.backing import NOTE_FRACTION, BackingMusic, BackingSpec
from station.sound.patterns import PatternMusic
from station.sound.pulse import BASS_TIMBRE
from station.sound.scheduler import BLOCK, Track
from station.sound.iso import IsoLoop
from station.sound.tempo import Ramp, tempo_of, with_beat
from station.sound.timbres import Timbre, timbre as find_timbre

SOURCE = 1                      # the backing's notes in FluidSynth's sequencer
LAYER_SOURCE = 2                # a pulse voice's bass layer
RETRY_NS = 20_000_000           # real time: look again this soon for a beat not yet heard
HEARD = 16                      # beats kept for with_beat


class LiveBacking:
    """The backing of one engine (see the module docstring)."""

    def __init__(self, engine, out, channel: int, layer_channel: int | None = None) -> None:
        self.engine = engine
        self.out = out
        self.channel = channel
        self.track = Track(out, SOURCE, channel)
        self.layer_channel = layer_channel      # a pulse voice's bass layer (None: none)
        self.layer = Track(out, LAYER_SOURCE, layer_channel) if layer_channel is not None else None
        self.session_key: tuple[str, str] | None = None   # (root, mode) the session plays in
        self.onsets: dict[int, collections.deque] = collections.defaultdict(
            lambda: collections.deque(maxlen=32))      # player -> recent valid touches (ns)
        self._reset()

    def _reset(self) -> None:
        self.spec: BackingSpec | None = None
        self.music: BackingMusic | PatternMusic | None = None
        self.ramp: Ramp | None = None
        self.iso: IsoLoop | None = None
        self.player: int | None = None
        self.timbre: Timbre | None = None
        self.started_ns: int | None = None
        self.tempo_source: str | None = None
        self.by: str | None = None
        self.beats = 0
        self.holding = False
        self.heard: collections.deque = collections.deque(maxlen=HEARD)
        self._pending: collections.deque = collections.deque()  # beats not yet journaled
        self._next_block: int | None = None
        self._index = 0
        self._paused = False
        self._waiting_audio = False
        self._retry: int | None = None

    @property
    def running(self) -> bool:
        return self.spec is not None

    # -- commands ------------------------------------------------------------------------------
    def start(self, spec: BackingSpec, now: int, by: str = "cli") -> dict:
        """Start ``spec`` now (replacing a running backing); return the status."""
        player = spec.follow_player or self._first_client()
        c = choose(self.engine, spec, player, self.onsets.get(player), now)   # may refuse
        if self.running:
            self.stop(now, "replaced")
        engine, timbre, key = self.engine, c.timbre, c.key
        self.player, self.music, self.per_bar = player, c.music, c.per_bar
        self.ramp, self.iso, self.tempo_source = c.ramp, c.iso, c.tempo_source
        self.spec, self.timbre, self.by, self.started_ns = spec, timbre, by, now
        engine.synth.set_timbre(self.channel, timbre)
        if self.music.voice is not None:      # the voice's own level (equal loudness)
            engine.synth.levels.voice(self.channel, self.music.voice.name)
        if self.music.layer(0) and self.layer is not None:
            engine.synth.set_timbre(self.layer_channel, find_timbre(BASS_TIMBRE))
        self._paused = engine.paused
        if not self._paused:
            self._begin(now)
        bpm, source = (self.ramp.start, self.tempo_source) if self.ramp else (None, None)
        engine.announce(Event(BACKING, now, channel=self.channel, player=self.player,
                           detail=BackingStart(spec.style, key, by, bpm, source)))
        return self.status(now)

    def stop(self, now: int, reason: str = "cli") -> None:
        """End the backing: journal what sounded, drop the rest, every note off."""
        if not self.running:
            return
        self._journal(now, final=True)
        self.track.clear()
        if self.layer is not None:
            self.layer.clear()
        self.engine.announce(Event(BACKING, now, channel=self.channel, detail=BackingStop(reason)))
        self._reset()

    def beat_s(self) -> float | None:
        """One beat of the running backing (s), None without beats (the echo's breath)."""
        return 60.0 / self.ramp.bpm() if self.running and self.ramp else None

    def follows(self) -> int | None:
        """The player whose playing sets the beats' timing now: the followed player when
        the first tempo was theirs (``tempo: follow``) or the ramp waits for them
        (``follow_client`` with a ramp); else None. The consent journal leaves such beats
        out for a client without journal consent (station.journal.consent)."""
        if not self.running or self.ramp is None or self.player is None:
            return None
        waits = self.spec.follow_client and self.ramp.seconds > 0
        return self.player if self.tempo_source == "follow" or waits else None

    def _first_client(self) -> int | None:
        return first_client(self.engine)

    # -- listener and timer ------------------------------------------------------------------
    def observe(self, event: Event) -> None:
        """Engine listener: remember each player's valid touches (a chord counts once)."""
        if event.kind == NOTE_ON and event.player is not None:
            mine = self.onsets[event.player]
            if not mine or mine[-1] != event.t_ns:
                mine.append(event.t_ns)

    def next_deadline(self) -> int | None:
        if not self.running:
            return None
        if self.engine.paused != self._paused:
            return 0                      # all-quiet began or ended: act at once
        if self._paused:
            return None
        times = [self.track.next_deadline(), self._retry,
                 self.layer.next_deadline() if self.layer is not None else None]
        if self._next_block is not None:
            times.append(self.out.ns_of(self._next_block) - self.out.lookahead_ns)
        if self._pending and self._retry is None:
            times.append(self.out.ns_of(self._pending[0][0]) + self.out.journal_delay_ns)
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        if not self.running:
            return
        self._retry = None
        if self.engine.paused != self._paused:
            self._paused = self.engine.paused
            if self._paused:              # all-quiet fades what sounds; nothing new starts
                self._journal(now, final=True)
                self._silence_pending()
            else:
                self._begin(now)
        if self._paused:
            return
        if not self.out.ready(now):
            if not self._waiting_audio:
                self._waiting_audio = True
                self._journal(now, final=True)
                self._silence_pending()
            return
        if self._waiting_audio:           # the audio is back: start again from now
            self._waiting_audio = False
            self.track.clear()
            if self.layer is not None:
                self.layer.clear()
            self._begin(now)
        if self._next_block is not None:
            self._schedule(now)
        self.track.tick(now)
        if self.layer is not None:
            self.layer.tick(now)
        self._journal(now)
        if self._pending and self.out.ns_of(self._pending[0][0]) \
                + self.out.journal_delay_ns <= now:
            self._retry = now + RETRY_NS  # sent, not heard yet (the audio runs behind)

    # -- sounding ------------------------------------------------------------------------------
    def _begin(self, now: int) -> None:
        """Start sounding from ``now``: the drone's notes, or the first beat, at the next
        block."""
        block = self.out.block_at(now)
        if self.spec.has_beats:
            self._next_block = block
        elif isinstance(self.music, BackingMusic):      # a drone: no beats, held notes
            for note, velocity in self.music.drone():
                self.track.add(block, note, velocity)
            self.track.tick(now)

    def _silence_pending(self) -> None:
        self.track.drop()
        if self.layer is not None:
            self.layer.drop()
        self._pending.clear()
        self._next_block = None

    def _schedule(self, now: int) -> None:
        """Queue every beat that starts within the lookahead, moving the ramp on."""
        horizon = now + self.out.lookahead_ns
        while self.out.ns_of(self._next_block) <= horizon:
            locked = not self.spec.follow_client or self._client_with(now)
            if self._index and self._index % self.per_bar == 0:
                self._bar(locked, now)
            block, bpm = self._next_block, self.ramp.bpm()
            notes = self.music.beat(self._index)
            for note, velocity, *at in notes:   # patterns: (offset, length) in beats
                offset, length = (at[0], at[1]) if at else (0.0, NOTE_FRACTION)
                start = block + self.out.to_blocks(round(60e9 / bpm * offset))   # 0 stays 0
                self.track.add(start, note, velocity)
                self.track.add(start + max(1, self.out.blocks(60.0 / bpm * length)), note, 0)
            length = self.out.blocks(60.0 / bpm * NOTE_FRACTION)
            for note, velocity in (self.music.layer(self._index) if self.layer else ()):
                self.layer.add(block, note, velocity)      # a pulse voice's bass layer
                self.layer.add(block + length, note, 0)
            first = (notes[0][0], notes[0][1]) if notes else (None, None)
            self._pending.append((block, self._index, bpm, first))
            interval = self.out.blocks(60.0 / bpm)
            self.iso.beat(interval * BLOCK / self.out.rate, locked)
            self.holding = self.iso.holding
            self._next_block = block + interval
            self._index += 1

    def _bar(self, locked: bool, now: int) -> None:
        """A bar begins: the iso loop may meet the client again (station.sound.iso)."""
        own = tempo_of(list(self.onsets.get(self.player, ())), now)
        meet = self.iso.bar(locked, own)
        self.ramp = self.iso.ramp
        if meet is not None:
            self.engine.announce(Event(BACKING, now, channel=self.channel, player=self.player,
                                       detail=BackingMeet(meet.bars, meet.from_bpm,
                                                          meet.to_bpm)))

    def _client_with(self, now: int) -> bool:
        """Is the followed client with the beat? Beats count once a touch 30 % of a
        period late could have come."""
        period = 60e9 / self.ramp.bpm()
        heard = [t for t in self.heard if t <= now - 0.3 * period]
        return with_beat(heard, list(self.onsets.get(self.player, ())))

    def _journal(self, now: int, final: bool = False) -> None:
        """Journal every beat that has sounded by ``now``, at the time it sounded; with
        ``final`` (the rest is about to be dropped) also those already on their way."""
        done = self.out.fired_block(now) if final else self.out.sounded_block(now)
        per_bar = self.per_bar
        while self._pending and self._pending[0][0] <= done:
            block, index, bpm, (note, velocity) = self._pending.popleft()
            t = self.out.ns_of(block)
            self.engine.announce(Event(BEAT, t, channel=self.channel, note=note,
                                    velocity=velocity, detail=Beat(self.spec.style, round(bpm, 1),
                                                                index % per_bar + 1, per_bar)))
            self.heard.append(t)
            self.beats += 1

    # -- reporting -----------------------------------------------------------------------------
    def status(self, now: int) -> dict | None:
        if not self.running:
            return None
        spec, ramp = self.spec, self.ramp
        return {"style": spec.style, "key": self.music.key, "timbre": self.timbre.name,
                "pattern_name": spec.pattern_name,
                "voice": self.music.voice.name if self.music.voice else None,
                "volume": spec.volume, "follow_player": self.player,
                "tempo_bpm": round(ramp.bpm(), 1) if ramp else None,
                "start_bpm": round(ramp.start, 1) if ramp else None,
                "ramp_to_bpm": spec.ramp_to_bpm, "ramp_s": ramp.seconds if ramp else None,
                "ramp_progress": round(ramp.fraction, 3) if ramp else None,
                "tempo_source": self.tempo_source, "follow_client": spec.follow_client,
                "holding": self.holding, "meeting": bool(self.iso and self.iso.meeting),
                "meets": self.iso.meets if self.iso else 0, "beats": self.beats, "by": self.by,
                "running_s": round((now - self.started_ns) / 1e9, 1),
                "waiting": "all_quiet" if self._paused else
                ("audio" if self._waiting_audio else None)}
