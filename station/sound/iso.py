"""The iso loop: the pulse's tempo as a state machine that waits for, and meets, the client.

The iso principle (Altshuler): meet the client where they are, then move them gradually.
``IsoLoop`` owns the pulse's ``Ramp`` (station.sound.tempo) and is told two things:

* ``beat(seconds, locked)`` after each beat: the ramp moves on by the beat's length,
  except with ``follow_client`` while the client is not locked to the pulse (then it
  *holds*: the station never leaves the client behind);
* ``bar(locked, client_bpm)`` at each bar's first beat: a client with ``follow_client``
  who has not been locked for ``meet_bars`` bars in a row (default 8) is *met again*: the
  pulse eases from where it is to the client's own tempo (``client_bpm``, from their
  recent touches), at most ``MAX_RAMP_BPM_PER_S`` a second, whatever the client does
  meanwhile (no bar counts on the way). Once there and locked, it sets out for the goal
  again, over ``ramp_s``; still unlocked there, it may meet them again 8 bars later.
  A client with no tempo (not playing) or already within ``MEET_MIN_BPM`` of the pulse
  (on the tempo, off the beat) is not met: there is nothing to ease towards.

``bar`` returns a ``Meet`` when the loop turns towards the client (the engine journals
it and the panel says so) and None otherwise. Tempos are BPM 30..180; seconds are beat
lengths on the audio clock. Pure: no time, no engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.sound.tempo import Ramp

MEET_BARS = 8          # bars without lock before the pulse meets the client again
MEET_MIN_BPM = 2.0     # a client closer than this to the pulse's tempo is not "met"


@dataclass(frozen=True)
class Meet:
    """The pulse turns towards the client: after ``bars`` bars unlocked, from ``from_bpm``
    to the client's own ``to_bpm``."""

    bars: int
    from_bpm: float
    to_bpm: float


class IsoLoop:
    """See the module docstring. ``goal_bpm``/``ramp_s``: where the plan wants the tempo
    to go and how long that takes (None: a steady tempo)."""

    def __init__(self, ramp: Ramp, goal_bpm: float | None, ramp_s: float | None,
                 follow_client: bool, meet_bars: int = MEET_BARS) -> None:
        self.ramp = ramp
        self.goal_bpm = goal_bpm
        self.ramp_s = float(ramp_s or 0.0)
        self.follow_client = follow_client
        self.meet_bars = int(meet_bars)
        self.meeting = False          # easing towards the client's tempo
        self.holding = False          # the ramp waits for the client
        self.unlocked_bars = 0
        self.meets = 0

    def beat(self, seconds: float, locked: bool) -> None:
        """A beat of ``seconds`` went by; ``locked``: was the client locked to it?"""
        if self.ramp.done:
            self.holding = False
            return
        self.holding = self.follow_client and not self.meeting and not locked
        if not self.holding:
            self.ramp.advance(seconds)

    def bar(self, locked: bool, client_bpm: float | None) -> Meet | None:
        """A bar begins. Returns a ``Meet`` when the pulse turns towards the client."""
        if not self.follow_client:
            return None
        now = self.ramp.bpm()
        if locked:
            self.unlocked_bars = 0
            if self.meeting and self.ramp.done:      # met, and with it: on to the goal
                self.meeting = False
                if self.goal_bpm is not None and abs(self.goal_bpm - now) > 0.05:
                    self.ramp = Ramp(now, self.goal_bpm, self.ramp_s)
            return None
        if self.meeting and not self.ramp.done:      # on its way to them: let it arrive
            return None
        self.unlocked_bars += 1
        if self.unlocked_bars < self.meet_bars:
            return None
        bars, self.unlocked_bars = self.unlocked_bars, 0
        if client_bpm is None or abs(client_bpm - now) < MEET_MIN_BPM:
            return None
        self.ramp = Ramp(now, client_bpm, 0.0)       # lengthened to the gentlest slope
        self.meeting = True
        self.meets += 1
        return Meet(bars, round(now, 1), round(self.ramp.target, 1))
