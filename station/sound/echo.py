"""Echo (mirroring): the client's phrase, played back to them, as pure data.

Mirroring is reflecting the client's own music back: they hear that what they played was
heard. A *phrase* is the client's notes separated by less than ``gap``; it ends once no
new note has come for ``gap`` and every note is released. The echo then plays the same
notes with the same rhythm, transposed by ``transpose`` semitones (an octave keeps every
pitch class) and quieter (``volume`` times the client's own velocity, below 1), after a breath
(``breath_s``: one beat of the backing, or 0.4 s without one: an answer, not an
interruption).

``PhraseRecorder`` collects one player's notes; ``echo_notes`` turns a phrase into the
notes to play. Times are station ns; notes and velocities MIDI 0..127.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_NOTE_NS = 80_000_000       # an echoed note sounds at least this long
MAX_NOTE_NS = 2_000_000_000    # ... and at most this long (a resting hand is not echoed)
BREATH_S = 0.4                 # the pause before an echo when no backing beat sets it


def breath_s(breath_ms: int | None, beat_s: float | None) -> float:
    """Seconds between a phrase's end and its echo: ``breath_ms`` when the echo sets it,
    else one beat of the backing (``beat_s``, None when no beat plays), else 0.4 s."""
    if breath_ms is not None:
        return breath_ms / 1000.0
    return beat_s if beat_s else BREATH_S


@dataclass(frozen=True)
class Phrase:
    """Notes of one phrase: (offset from the first note ns, note, velocity, length ns)."""

    start_ns: int
    notes: tuple[tuple[int, int, int, int], ...]

    @property
    def pitch_classes(self) -> set[int]:
        return {n % 12 for _, n, _, _ in self.notes}


class PhraseRecorder:
    """One player's notes, grouped into phrases (see the module docstring)."""

    def __init__(self, gap_ns: int, max_notes: int) -> None:
        self.gap_ns = int(gap_ns)
        self.max_notes = int(max_notes)
        self._notes: list[list[int]] = []          # [t_on, note, velocity, t_off or -1]
        self._last_on: int | None = None
        self._last_off: int | None = None

    @property
    def recording(self) -> bool:
        return bool(self._notes)

    def note_on(self, t_ns: int, note: int, velocity: int) -> None:
        if len(self._notes) < self.max_notes:
            self._notes.append([t_ns, note, velocity, -1])
        self._last_on = t_ns

    def note_off(self, t_ns: int, note: int) -> None:
        for n in reversed(self._notes):
            if n[1] == note and n[3] < 0:
                n[3] = t_ns
                break
        self._last_off = t_ns

    def ends_at(self) -> int | None:
        """Station time when the current phrase is over, or None (nothing recorded, or a
        note still held: the phrase goes on while the client holds it)."""
        if not self._notes or any(n[3] < 0 for n in self._notes):
            return None
        return max(self._last_on + self.gap_ns, self._last_off or 0)

    def take(self) -> Phrase | None:
        """The finished phrase (and start a new one)."""
        notes, self._notes = self._notes, []
        if not notes:
            return None
        start = notes[0][0]
        return Phrase(start, tuple((on - start, note, vel,
                                    min(MAX_NOTE_NS, max(MIN_NOTE_NS, off - on)))
                                   for on, note, vel, off in notes))

    def reset(self) -> None:
        self._notes = []


def echo_notes(phrase: Phrase, start_ns: int, transpose: int, volume: float
               ) -> list[tuple[int, int, int]]:
    """(station ns, note, velocity; velocity 0 is the note's end) of the echo of
    ``phrase`` starting at ``start_ns``, sorted by time. Notes pushed outside 0..127 by
    the transposition are left out."""
    out = []
    for offset, note, velocity, length in phrase.notes:
        n = note + transpose
        if not 0 <= n <= 127:
            continue
        v = max(1, min(127, round(velocity * volume)))
        out.append((start_ns + offset, n, v))
        out.append((start_ns + offset + length, n, 0))
    out.sort(key=lambda e: (e[0], e[2] != 0))    # at equal times an end comes first
    return out
