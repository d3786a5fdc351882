"""The therapist's turn buttons: ``next_turn`` and ``all_quiet``, tapped or held.

``next_turn``: a tap passes the turn to the next player. Held for ``hold_s`` it starts
choosing: the candidate's light blinks and steps to the following player every
``hold_s``; letting go gives the candidate the turn (reason ``button``).

``all_quiet``: a tap while playing fades everything out over ``fade_s`` and pauses
the pads (touches are logged, suppressed as ``all_quiet``); a tap while quiet resumes.
Held for ``hold_s`` it chooses the turn mode: everything goes quiet, the lights count
the candidate mode (1 light: free, 2: round_robin, 3: therapist, 4: call_response),
stepping every ``hold_s``; letting go switches to that mode and play resumes.

Everything runs on the station clock: holds and the fade are deadlines, never sleeps.
"""

from __future__ import annotations

from station.core.errors import StationError
from station.turns.ports import Hooks, Quiet
from station.turns.schema import TURN_MODES

NS = 1_000_000_000
FADE_STEP_NS = 40_000_000      # 25 volume steps a second: smooth to the ear, cheap
NORMAL_VOLUME = 100 / 127      # MIDI's default channel volume (CC7 = 100)


class AllQuiet:
    """Fade every player's channel to silence, then end the notes; resume restores."""

    def __init__(self, quiet: Quiet, hooks: Hooks, channels, fade_s: float) -> None:
        """``channels``: the MIDI channels (0..15) that fade; ``fade_s`` seconds."""
        self.state = quiet
        self.hooks = hooks
        self.fade_ns = int(round(fade_s * NS))
        self.fade_from: int | None = None      # fading since (ns); None: not fading
        self._next: int | None = None
        self.channels = sorted(set(channels))

    @property
    def on(self) -> bool:
        """All-quiet is on (pads paused)."""
        return self.state.is_quiet()

    def fade_also(self, channels) -> None:
        """Fade these channels too (the session music's backing and echoes)."""
        self.channels = sorted({*self.channels, *channels})

    def start(self, now: int) -> None:
        if self.state.is_quiet():
            return
        self.state.set_quiet(True)            # new touches are held back at once
        self.fade_from = now
        self._next = now
        self.tick(now)

    def stop(self, now: int) -> None:
        if not self.state.is_quiet():
            return
        if self.fade_from is not None:
            self._finish(now)
        self._volume(NORMAL_VOLUME)
        self.state.set_quiet(False)

    def tick(self, now: int) -> None:
        if self.fade_from is None or now < self._next:
            return
        done = now - self.fade_from >= self.fade_ns
        if done:
            self._finish(now)
        else:
            left = 1.0 - (now - self.fade_from) / self.fade_ns
            self._volume(NORMAL_VOLUME * left)
            self._next = now + FADE_STEP_NS

    def next_deadline(self) -> int | None:
        if self.fade_from is None:
            return None
        return min(self._next, self.fade_from + self.fade_ns)

    def _finish(self, now: int) -> None:
        self.fade_from = None
        self._volume(0.0)
        self.hooks.all_notes_off(now, "all_quiet")    # notes end while silent: no tails

    def _volume(self, volume: float) -> None:
        for channel in self.channels:
            self.hooks.channel_volume(channel, max(0.0, min(1.0, volume)))


class HeldButtons:
    """Tap and hold logic of next_turn and all_quiet for one ``Turns`` gate."""

    def __init__(self, turns, hold_s: float) -> None:
        self.turns = turns
        self.hold_ns = int(round(hold_s * NS))
        self.held: dict[str, int] = {}        # button -> ns of its next hold step
        self.candidate: int | None = None     # next_turn held: the player being offered
        self.mode_choice: str | None = None   # all_quiet held: the mode being offered
        self._was_quiet = False

    # -- next_turn -------------------------------------------------------------------------
    def press_next(self, now: int) -> None:
        self.held["next_turn"] = now + self.hold_ns
        self.candidate = None

    def release_next(self, now: int) -> None:
        if self.held.pop("next_turn", None) is None:
            return
        candidate, self.candidate = self.candidate, None
        if self.turns.mode == "free":
            return                            # free mode: no turns to pass
        try:
            if candidate is None:
                self.turns.next(now, "button")
            else:
                self.turns.set_turn(candidate, now, "button")
        except StationError:
            pass    # the candidate left their seat meanwhile: the turn stays where it is

    # -- all_quiet -------------------------------------------------------------------------
    def press_quiet(self, now: int) -> None:
        self._was_quiet = self.turns.quiet.on
        self.turns.quiet.start(now)
        self.held["all_quiet"] = now + self.hold_ns
        self.mode_choice = None

    def release_quiet(self, now: int) -> None:
        if self.held.pop("all_quiet", None) is None:
            return
        choice, self.mode_choice = self.mode_choice, None
        if choice is not None:
            if choice != self.turns.mode:
                self.turns.set_mode(choice, now, "button")
            self.turns.quiet.stop(now)
        elif self._was_quiet:
            self.turns.quiet.stop(now)

    # -- time ------------------------------------------------------------------------------
    def tick(self, now: int) -> list:
        for button, due in list(self.held.items()):
            if now >= due:
                self.held[button] = due + self.hold_ns
                if button == "next_turn":
                    self._step_player()
                else:
                    self._step_mode()
                for watcher in self.turns.watchers:     # the lights show the offer
                    watcher(now)
        return []

    def next_deadline(self) -> int | None:
        return min(self.held.values(), default=None)

    def _step_player(self) -> None:
        if self.turns.mode == "free":
            return
        order = self.turns.choices()
        if not order:
            return
        start = self.candidate if self.candidate is not None else self.turns.current()
        later = [p for p in order if start is None or p > start]
        self.candidate = later[0] if later else order[0]

    def _step_mode(self) -> None:
        modes = [m for m in TURN_MODES
                 if m != "call_response" or self.turns.seating.therapist() is not None]
        start = self.mode_choice or self.turns.mode
        self.mode_choice = modes[(modes.index(start) + 1) % len(modes)] \
            if start in modes else modes[0]
