"""Start-up without a screen: a "hands off" cue, pad calibration, then a ready chime.

The MPR121 takes each electrode's baseline when it is initialised, so a hand resting
on a pad at power-up makes that pad dead (GUIDE §3). The station therefore:

1. plays a soft falling figure — "hands off, please" — and keeps every pad quiet,
2. waits ``daemon.hands_off_s`` seconds for hands to lift,
3. re-takes the baselines of every board that answered (missing boards were already
   reported as ``board_missing`` faults: a warning, not a stop),
4. plays a rising chime — "ready" — and calls ``on_ready`` (systemd's READY=1).

Cue notes sound on MIDI channel 16 (index 15, no player uses it) with a vibraphone,
at ``daemon.chime_volume`` capped by the station's ``max_volume``. It is a station
timer (``next_deadline``/``tick`` in ns), so the simulator can run it in virtual time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from station.core.clock import ms_to_ns, s_to_ns
from station.sound.timbres import Timbre

log = logging.getLogger("station")

CUE_CHANNEL = 15                       # MIDI channel 16: never a player's
CUE_TIMBRE = Timbre("cue_vibraphone", 0, 11)
# (start ms, MIDI note, length ms). Falling G4-E4-C4: "wait"; rising C5-E5-G5-C6: "go".
HANDS_OFF = ((0, 67, 250), (300, 64, 250), (600, 60, 500))
READY = ((0, 72, 150), (150, 76, 150), (300, 79, 150), (450, 84, 600))


def cue_velocity(chime_volume: float, max_volume: float) -> int:
    """MIDI velocity 1..127 of the cues: the chime volume, never above max_volume."""
    return max(1, int(127 * min(chime_volume, max_volume)))


class Startup:
    """The start-up sequence for a started ``Station`` (see the module docstring).

    ``phase`` goes "idle" -> "hands_off" -> "ready". ``on_ready()`` is called once, when
    the pads are calibrated (before the chime has finished ringing).
    """

    def __init__(self, station, *, hands_off_s: float = 1.5, chime: bool = True,
                 chime_volume: float = 0.4, on_ready: Callable[[], None] = lambda: None):
        self.station = station
        self.hands_off_ns = s_to_ns(hands_off_s)
        self.chime = chime
        self.velocity = cue_velocity(chime_volume, station.config.max_volume)
        self.on_ready = on_ready
        self.phase = "idle"
        self.calibrated: list[int] = []     # boards whose baselines were re-taken
        self._calibrate_at: int | None = None
        self._notes: list[tuple[int, bool, int]] = []   # (t_ns, on?, note), sorted
        self._was_paused = False

    def begin(self, now: int) -> None:
        """Start the cue and quiet the pads; calibration follows after ``hands_off_s``."""
        engine = self.station.engine
        self._was_paused = engine.is_quiet()
        engine.set_quiet(True)          # a touch now is a hand that should be lifting
        self.phase = "hands_off"
        if self.chime:
            self.station.synth.set_timbre(CUE_CHANNEL, CUE_TIMBRE)
            self._play(HANDS_OFF, now)
        log.info("hands off the pads please: calibrating in %.1f s", self.hands_off_ns / 1e9)
        self._calibrate_at = now + self.hands_off_ns
        if self.hands_off_ns == 0:
            self.tick(now)

    def next_deadline(self) -> int | None:
        times = [t for t, _, _ in self._notes[:1]]
        if self._calibrate_at is not None:
            times.append(self._calibrate_at)
        return min(times) if times else None

    def tick(self, now: int) -> None:
        synth = self.station.synth
        while self._notes and self._notes[0][0] <= now:
            _, on, note = self._notes.pop(0)
            if on:
                synth.note_on(CUE_CHANNEL, note, self.velocity)
            else:
                synth.note_off(CUE_CHANNEL, note)
        if self._calibrate_at is not None and now >= self._calibrate_at:
            self._calibrate_at = None
            self._calibrate()
            self.station.engine.set_quiet(self._was_paused)
            self.phase = "ready"
            if self.chime:
                self._play(READY, now)
            self.on_ready()

    def _calibrate(self) -> None:
        hw = self.station.hardware
        for address in hw.boards:
            if hw.online(address):
                hw.recalibrate(address)
                self.calibrated.append(address)
        missing = [f"{a:#x}" for a in hw.boards if not hw.online(address=a)]
        if missing:
            log.warning("board(s) %s did not answer: their pads are silent until they are "
                        "plugged in (they are retried every second).", ", ".join(missing))
        log.info("pads calibrated on %d board(s)", len(self.calibrated))

    def _play(self, figure, now: int) -> None:
        for start_ms, note, length_ms in figure:
            self._notes.append((now + ms_to_ns(start_ms), True, note))
            self._notes.append((now + ms_to_ns(start_ms + length_ms), False, note))
        self._notes.sort()
