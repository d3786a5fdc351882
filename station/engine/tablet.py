"""The therapist's own instrument: the pads of the panel's Play screen.

The therapist plays along (the calls of call-and-response, a rhythm to model) on large
pads of the tablet. They are a seat of their own: journal position ``TABLET_PLAYER``
(7, after the six pad players) with role ``therapist`` in every session's players, the
MIDI channel ``session_music.tablet_channel`` (15 by default, no player's) and a timbre of
their own (``DEFAULT_TIMBRE`` until the screen picks another). The notes are the session
key's scale from octave 4 (``PADS`` pads: degrees 1 to 8, the key through
station.engine.key_seam), at ``VOLUME`` of the station's ``max_volume`` times the master
volume, so the caps and the output ceiling hold for them as for everyone.

Each tap is a ``note_on`` event (and its release a ``note_off``) with the player 7, the
pad, the note and detail ``tablet``: the journal keeps it as the therapist's, and no
client's metric counts it (the report's columns are built from pad touches and seats).
A tap with no session running starts one, as a backing does. ``command`` is the daemon's
``play`` control command (engine thread).
"""

from __future__ import annotations

from station.core.errors import StationError
from station.core.events import NOTE_OFF, NOTE_ON, Event
from station.engine.key_seam import current_key
from station.sound.patterns import mode_steps
from station.sound.theory import key_pitch_class, note_name
from station.sound.timbres import timbre as find_timbre

TABLET_PLAYER = 7             # the journal position of the therapist's tablet
PADS = 8                      # degrees 1..8: a scale and its octave
OCTAVE = 4
VOLUME = 0.7                  # of max_volume: the therapist leads, never drowns anyone
DEFAULT_TIMBRE = "kalimba"
SOURCE = "tablet"


class Tablet:
    """The Play screen's instrument on ``engine`` (see the module docstring)."""

    def __init__(self, engine, sessions, clock, channel: int) -> None:
        self.engine = engine
        self.sessions = sessions
        self.clock = clock
        self.channel = channel
        self.timbre = find_timbre(DEFAULT_TIMBRE)
        self.sounding: dict[int, int] = {}        # pad -> note
        self._timbre_set = False

    def layout(self) -> dict:
        key, mode = current_key(self.engine)
        root = 12 * (OCTAVE + 1) + key_pitch_class(key)
        steps = mode_steps(mode)
        notes = [root + 12 * (d // 7) + steps[d % 7] for d in range(PADS)]
        return {"key": key, "mode": mode, "timbre": self.timbre.name, "channel": self.channel + 1,
                "player": TABLET_PLAYER,
                "pads": [{"pad": i, "note": n, "name": note_name(n)} for i, n in enumerate(notes)]}

    def command(self, op: str = "layout", pad: int | None = None,
                timbre: str | None = None) -> dict:
        """``play`` control command: op layout, on (pad), off (pad), timbre (name) or
        silence. Returns the layout (with what sounds)."""
        now = self.clock.now_ns()
        if op == "timbre":
            self.timbre = find_timbre(str(timbre))          # refuses with a did-you-mean
            self._timbre_set = False
        elif op in ("on", "off"):
            if isinstance(pad, bool) or not isinstance(pad, int) or not 0 <= pad < PADS:
                raise StationError(f"the Play screen has pads 0 to {PADS - 1}, not {pad!r}.")
            (self._on if op == "on" else self._off)(pad, now)
        elif op == "silence":
            for p in list(self.sounding):
                self._off(p, now)
        elif op != "layout":
            raise StationError(f"unknown play command '{op}': use layout, on, off, timbre "
                               f"or silence.")
        return {**self.layout(), "sounding": sorted(self.sounding)}

    def _on(self, pad: int, now: int) -> None:
        if pad in self.sounding:
            self._off(pad, now)                 # a second tap restarts the note
        engine = self.engine
        if not self._timbre_set:
            engine.synth.set_timbre(self.channel, self.timbre)
            self._timbre_set = True
        note = self.layout()["pads"][pad]["note"]
        velocity = round(127 * VOLUME * engine.config.max_volume * engine.master_volume)
        if velocity <= 0 or engine.paused:
            return                              # all-quiet or the master at 0: nothing
        if not self.sessions.active:
            self.sessions.start(now, SOURCE)
        engine.synth.note_on(self.channel, note, velocity)
        self.sounding[pad] = note
        engine.announce(Event(NOTE_ON, now, player=TABLET_PLAYER, pad=pad, note=note,
                              velocity=velocity, channel=self.channel, detail=SOURCE))

    def _off(self, pad: int, now: int) -> None:
        note = self.sounding.pop(pad, None)
        if note is None:
            return
        self.engine.synth.note_off(self.channel, note)
        self.engine.announce(Event(NOTE_OFF, now, player=TABLET_PLAYER, pad=pad, note=note,
                                   channel=self.channel, detail=SOURCE))
