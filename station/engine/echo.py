"""The live echo (mirroring): each player's phrase played back, on the audio clock.

A plan phase turns echo on for a player (``set``). Then the engine's NOTE_ON/NOTE_OFF
events of that player fill a ``PhraseRecorder`` (station.sound.echo); when the phrase is
over (no new note for ``gap_ms``, every note released) the timer schedules its echo, a
breath later (``breath_ms``, else one beat of the backing, else 0.4 s: on the audio
clock), on the player's echo channel (``session_music.echo_channels``), transposed, quieter, in the
echo's timbre, and journals an ``echo`` event. As soon as the player plays again the echo
stops (the rest is removed, its notes end): the echo never talks over the client. It
also stops for all-quiet, a swap, the phase's end and shutdown.
"""

from __future__ import annotations

from collections.abc import Callable

from station.core.details import Echo
from station.core.events import ECHO, NOTE_OFF, NOTE_ON, PROFILE, Event
from station.sound.echo import PhraseRecorder, breath_s, echo_notes
from station.sound.scheduler import Track
from station.sound.timbres import timbre as find_timbre

SOURCE_BASE = 10                 # player N's echo notes are sequencer source 10 + N


class LiveEcho:
    """Echo for the players of one engine. ``channels``: player -> MIDI channel 0..15."""

    def __init__(self, engine, out, channels: dict[int, int]) -> None:
        self.engine = engine
        self.out = out
        self.channels = dict(channels)
        self.settings: dict[int, dict] = {}          # player -> the phase's echo: section
        self.recorders: dict[int, PhraseRecorder] = {}
        self.tracks = {p: Track(out, SOURCE_BASE + p, ch) for p, ch in self.channels.items()}
        self.echoes = dict.fromkeys(self.channels, 0)   # phrases echoed, per player
        # one beat of the backing (s), None without one: SessionMusic connects the backing
        self.beat_s: Callable[[], float | None] = lambda: None
        self._due: dict[int, tuple[int, int]] = {}   # player -> (first block, notes)
        self._paused = False

    def set(self, player: int, settings: dict | None, now: int) -> None:
        """Echo ``player`` with ``settings`` (the plan's echo: section), or stop (None)."""
        if player not in self.tracks:
            return
        self._stop(player, now, "off")
        if settings is None:
            self.settings.pop(player, None)
            self.recorders.pop(player, None)
            return
        self.engine.synth.set_timbre(self.channels[player], find_timbre(settings["timbre"]))
        self.settings[player] = settings
        self.recorders[player] = PhraseRecorder(settings["gap_ms"] * 1_000_000,
                                                settings["max_notes"])

    def clear(self, now: int) -> None:
        """Echo off for everyone (the plan stops, the station closes)."""
        for player in list(self.settings):
            self.set(player, None, now)

    def status(self, now: int) -> dict:
        return {str(p): {"timbre": s["timbre"], "transpose": s["transpose"],
                         "echoes": self.echoes[p], "playing": self.tracks[p].busy(now)}
                for p, s in self.settings.items()}

    # -- listener and timer ------------------------------------------------------------------
    def observe(self, event: Event) -> None:
        player = event.player
        recorder = self.recorders.get(player)
        if recorder is None:
            return
        if event.kind == NOTE_ON:
            self._stop(player, event.t_ns, "client_played")   # never over the client
            recorder.note_on(event.t_ns, event.note, event.velocity or 64)
        elif event.kind == NOTE_OFF:
            recorder.note_off(event.t_ns, event.note)
        elif event.kind == PROFILE:                           # a new client: a new phrase
            self._stop(player, event.t_ns, "swap")
            recorder.reset()

    def next_deadline(self) -> int | None:
        if self.engine.paused != self._paused:
            return 0
        times = [r.ends_at() for r in self.recorders.values()]
        times += [self.tracks[p].next_deadline() for p in self.settings]
        times += [self.out.ns_of(block) for block, _ in self._due.values()]
        times = [t for t in times if t is not None]
        return min(times) if times else None

    def tick(self, now: int) -> None:
        if self.engine.paused != self._paused:
            self._paused = self.engine.paused
            if self._paused:              # all-quiet: nothing echoes, phrases start over
                for player, recorder in self.recorders.items():
                    self.tracks[player].drop()
                    self._due.pop(player, None)
                    recorder.reset()
        for player, recorder in self.recorders.items():
            end = recorder.ends_at()
            if end is not None and end <= now:
                phrase = recorder.take()
                if not self._paused:
                    self._play(player, phrase, now)
            due = self._due.get(player)
            if due is not None and self.out.ns_of(due[0]) <= now:
                self._sounds(player, *self._due.pop(player))
            self.tracks[player].tick(now)

    def _play(self, player: int, phrase, now: int) -> None:
        s = self.settings[player]
        start = self.out.block_at(now) + self.out.blocks(breath_s(s.get("breath_ms"),
                                                                  self.beat_s()))
        track = self.tracks[player]
        for t, note, velocity in echo_notes(phrase, 0, s["transpose"], s["volume"]):
            track.add(start + self.out.to_blocks(t), note, velocity)
        track.tick(now)
        self._due[player] = (start, len(phrase.notes))

    def _sounds(self, player: int, start: int, notes: int) -> None:
        """The echo's first note has sounded: count it and journal it at that time."""
        self.echoes[player] += 1
        self.engine.announce(Event(ECHO, self.out.ns_of(start), player=player,
                                client=self.engine.seats[player].client,
                                channel=self.channels[player],
                                detail=Echo(notes)))

    def _stop(self, player: int, now: int, reason: str) -> None:
        track = self.tracks.get(player)
        if self._due.pop(player, None) is not None:    # still in its breath: never heard
            track.clear()
        elif track is not None and track.busy(now):
            track.clear()
            self.engine.announce(Event(ECHO, now, player=player, channel=self.channels[player],
                                    detail=Echo(stopped=reason)))
