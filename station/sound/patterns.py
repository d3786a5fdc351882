"""What a backing pattern plays: chord progressions, bass lines and call phrases, in a key.

A pattern (a validated file of ``configs/backings/``, station.config.backing_patterns)
is written in scale degrees, so one pattern fits every session key and mode:

* **progression**: ``chords`` as roman numerals, one per ``bars_per_chord`` bars; a
  numeral names a degree of the scale (I..VII, case ignored) and the chord is the
  diatonic triad on it (root, third, fifth of the mode's scale: I-IV-V-I is major in a
  major key and minor in a minor one), its tones folded into the octave above the key's
  root so neighbouring chords share notes. The chord sounds on the ``strike`` beats of
  the bar and rings until the next strike.
* **bass**: ``line``, one step per beat of the bar, chord-relative (1 the chord's root,
  3 its third, 5 its fifth, 8 its octave, 0 a rest), under the same ``chords``.
* **call**: ``phrases`` of ``[degree, beats]`` notes (degree 1..15 of the scale, 8 the
  octave; 0 a rest; beats 0.25..8); after each phrase ``answer_beats`` of silence for the
  client's answer; the next phrase is the station's answer back. Each phrase starts on a
  bar.

``PatternMusic.beat(k)`` gives the notes of beat ``k`` as (note, velocity, offset, length)
with offset and length in beats (offset 0 <= o < 1 within the beat). MIDI notes 0..127,
velocities 1..127. Pure: no time, no FluidSynth.
"""

from __future__ import annotations

import math
import re

from station.sound.theory import SCALES, key_pitch_class

NUMERAL = re.compile(r"^(vii|vi|iv|v|iii|ii|i)$", re.IGNORECASE)
_DEGREE = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7}
ACCENT, UNACCENTED = 1.0, 0.7          # the bar's first beat, the others
RING = 0.95                            # a note lasts this share of its written length
MODES = ("major", "minor")


def numeral_degree(numeral: str) -> int:
    """``IV`` -> 4. ValueError naming the allowed numerals."""
    m = NUMERAL.match(str(numeral).strip())
    if not m:
        raise ValueError(f"'{numeral}' is not a chord of the scale: use a roman numeral I, "
                         f"II, III, IV, V, VI or VII (vi and VI are the same degree: the "
                         f"mode decides major or minor).")
    return _DEGREE[m.group(1).lower()]


def mode_steps(mode: str) -> tuple[int, ...]:
    """The seven steps of ``mode`` (major, minor, or any seven-note scale name)."""
    steps = SCALES.get(mode, ())
    return steps if len(steps) == 7 else SCALES["major"]


class PatternMusic:
    """The notes of one pattern in one key. ``pattern``: the validated file (a dict);
    ``key``: C, F#, Bb...; ``mode``: major or minor (or a seven-note scale);
    ``octave``: of the key's root (None: the pattern's, else the style's);
    ``velocity``: the full (accent) velocity, caps applied."""

    def __init__(self, pattern: dict, key: str, mode: str, octave: int, velocity: int) -> None:
        self.pattern = pattern
        self.style = pattern["style"]
        self.key, self.mode = key, mode
        self.steps = mode_steps(mode)
        self.root = 12 * (octave + 1) + key_pitch_class(key)
        self.velocity = max(1, min(127, int(velocity)))
        self.per_bar = int(pattern.get("beats_per_bar") or 4)
        self._beats = self._timeline()
        self.voice = None           # no pulse voice (as BackingMusic's, for the engine)

    def layer(self, index: int) -> list[tuple[int, int]]:
        """No bass layer under a pattern (a pulse voice's, station.sound.pulse)."""
        return []

    @property
    def cycle_beats(self) -> int:
        """Beats before the pattern repeats."""
        return len(self._beats)

    def beat(self, index: int) -> list[tuple[int, int, float, float]]:
        return list(self._beats[index % len(self._beats)])

    # -- pitches ----------------------------------------------------------------------------
    def degree(self, d: int) -> int:
        """Semitones above the root of scale degree ``d`` (1 = the root, 8 its octave)."""
        octave, step = divmod(d - 1, 7)
        return 12 * octave + self.steps[step]

    def triad(self, degree: int) -> list[int]:
        """The diatonic triad on ``degree``, folded into [root, root + 12)."""
        return sorted({self.root + self.degree(degree + k) % 12 for k in (0, 2, 4)})

    def _vel(self, beat: int) -> int:
        return max(1, round(self.velocity * (ACCENT if beat % self.per_bar == 0
                                             else UNACCENTED)))

    # -- the timeline --------------------------------------------------------------------
    def _timeline(self) -> list[list[tuple[int, int, float, float]]]:
        events = self._call() if self.style == "call" else self._harmony()
        total = events[0]
        beats: list[list] = [[] for _ in range(total)]
        for start, note, velocity, length in events[1]:
            k = int(math.floor(start))
            if 0 <= note <= 127:
                beats[k].append((note, velocity, start - k, length * RING))
        return beats

    def _harmony(self) -> tuple[int, list]:
        p = self.pattern
        chords = [numeral_degree(c) for c in p["chords"]]
        bars = int(p.get("bars_per_chord") or 1)
        total = len(chords) * bars * self.per_bar
        out = []
        if self.style == "progression":
            strikes = sorted({s - 1 for s in (p.get("strike") or [1]) if s <= self.per_bar})
            for bar in range(len(chords) * bars):
                chord = chords[bar // bars]
                for i, s in enumerate(strikes):
                    nxt = strikes[i + 1] if i + 1 < len(strikes) else self.per_bar
                    beat = bar * self.per_bar + s
                    out += [(beat, n, self._vel(beat), nxt - s) for n in self.triad(chord)]
        else:                                    # bass: chord-relative steps per beat
            line = list(p["line"])
            for beat in range(total):
                step = line[beat % len(line)]
                if step:
                    chord = chords[beat // (bars * self.per_bar)]
                    note = self.root + self.degree(chord + step - 1)
                    out.append((beat, note, self._vel(beat), 1.0))
        return total, out

    def _call(self) -> tuple[int, list]:
        p = self.pattern
        answer = int(p.get("answer_beats") or 4)
        out, at = [], 0
        for phrase in p["phrases"]:
            t = 0.0
            for degree, beats in phrase:
                if degree:
                    first = t == 0.0
                    velocity = self.velocity if first else self._vel(1)
                    out.append((at + t, self.root + self.degree(int(degree)), velocity,
                                float(beats)))
                t += float(beats)
            at += math.ceil((t + answer) / self.per_bar) * self.per_bar
        return at, out
