"""Pulse voices: what a grounding pulse sounds like, chosen by name (``voice: woodblock``).

A pulse must carry on the room's speaker. Small speakers (a Pi's usual) reproduce little
below 120-150 Hz, so the old pulse, a General MIDI bass drum with almost all of its
energy under 100 Hz, was heard there only as its click. Each voice here is a drum-kit
sound (GM percussion, FluidSynth's bank 128) on the backing channel, and optionally a
bass note on a second channel (``session_music.pulse_layer_channel``):

=============  ==========================================================  ================
voice          sounds                                                      on a small speaker
=============  ==========================================================  ================
woodblock      low wood block, the high one on the bar's first beat        carries (default)
claves         claves, the bar's first beat louder                         carries
shaker         a soft shaker (maracas), the bar's first beat louder        carries, quietly
bass_click     the key's root on a bass, layered with a side-stick click   the click carries
kick           the old bass drum                                           loses ~11 dB
=============  ==========================================================  ================

tests/sound/test_pulse_voices.py renders each one and measures what a 150 Hz high-pass
takes away. ``humanise`` varies each beat's loudness a little (deterministically, by
beat number); the beat's time never moves, so the synchronisation measures stay exact.
Notes are MIDI 0..127, levels are velocity factors 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.sound.theory import choose

DEFAULT_VOICE = "woodblock"
BASS_TIMBRE = "bass"             # the catalogue timbre of a voice's bass layer
BASS_OCTAVE = 2                  # the bass layer's root: octave 2 (A2 = 110 Hz)
HUMANISE = 0.1                   # humanise: each beat's velocity within +-10 %


@dataclass(frozen=True)
class PulseVoice:
    """One pulse voice.

    ``note``: the GM drum note of every beat; ``accent_note``: the bar's first beat's
    (None: the same note, only louder); ``level``: velocity factor 0..1 of the drum (a
    shaker is soft by nature); ``bass``: velocity factor of a bass layer playing the
    key's root (0: none).
    """

    name: str
    description: str
    note: int
    accent_note: int | None = None
    level: float = 1.0
    bass: float = 0.0

    def drum(self, accented: bool) -> int:
        return self.accent_note if accented and self.accent_note is not None else self.note


VOICES: dict[str, PulseVoice] = {v.name: v for v in (
    PulseVoice("woodblock", "wood block: the low one on every beat, the high one on the "
               "bar's first; carries on a small speaker", 77, accent_note=76),
    PulseVoice("claves", "claves: a dry, bright click, the bar's first beat louder", 75),
    PulseVoice("shaker", "a soft shaker (maracas), the bar's first beat louder", 70,
               level=1.0),
    PulseVoice("bass_click", "the key's root on a bass, layered with a side-stick click "
               "that carries on a small speaker", 37, level=0.8, bass=1.0),
    PulseVoice("kick", "the soft bass drum of earlier versions: felt more than heard, and "
               "lost on a small speaker", 36),
)}


def voice_names() -> tuple[str, ...]:
    return tuple(VOICES)


def pulse_voice(name: str | None) -> PulseVoice:
    """The voice called ``name`` (None: the default). ValueError with did-you-mean."""
    return VOICES[choose(name or DEFAULT_VOICE, VOICES, "pulse voice")]


def humanised(factor: float, index: int, on: bool) -> float:
    """``factor`` varied by up to +-``HUMANISE`` for beat ``index`` when ``on``: the same
    beat number always gets the same variation (a render can be measured twice)."""
    if not on:
        return factor
    wobble = ((index * 2654435761) % 1000) / 999.0 * 2.0 - 1.0     # -1..1, spread evenly
    return factor * (1.0 + HUMANISE * wobble)


def check_voice(value: str) -> str | None:
    """Schema check of a ``voice:`` value: None when it names a voice, else the message."""
    try:
        pulse_voice(value)
    except ValueError as exc:
        return str(exc)
    return None
