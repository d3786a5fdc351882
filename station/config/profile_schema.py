"""The client profile (``configs/clients/<id>.yaml``). Definitions only; see profile.py.

Key names are the contract with therapists' files; docs/profiles.md and the JSON
Schema are generated from these definitions.
"""

from __future__ import annotations

from typing import Any

from station.config.goals import CONSENT, GOALS
from station.core.schema import REQUIRED, Field, validate

NULL = Field("null")
# sound.timbre left out: the load resolves it to one of these (by the music mode)
DEFAULT_TIMBRE, DRUMS_TIMBRE = "marimba", "drums"


def _plain_text(value: str) -> str | None:
    """A display name is printed by status and reports: no control characters in it."""
    from station.core.errors import StationError
    from station.core.text import checked_text
    try:
        checked_text(value, "the name")
    except StationError as exc:
        return str(exc)
    return None


def _timbre_check(name: str) -> str | None:
    from station.sound.timbres import (
        timbre,  # the catalogue is read on first use, not at import
    )
    try:
        timbre(name)
    except ValueError as exc:
        return str(exc)
    return None


SOUND = Field("section", "How this client sounds.", fields={
    "timbre": Field("string", "Instrument name from the catalogue (station timbres lists "
                    f"them), e.g. marimba, soft_piano, harp. Left out: {DEFAULT_TIMBRE}, or "
                    f"the drum kit '{DRUMS_TIMBRE}' in music mode drums.", default=None,
                    check=_timbre_check, example="marimba"),
    "volume": Field("number", "Loudness of this client's notes.", default=0.6, min=0.0,
                    max=1.0, units="0..1"),
    "max_volume": Field("number", "Hard cap: no note of this client is ever louder, whatever "
                        "else says (the station's max_volume caps it too).", default=1.0,
                        min=0.0, max=1.0, units="0..1"),
    "reverb": Field("number", "Reverb amount.", default=0.0, min=0.0, max=1.0, units="0..1"),
    "velocity": Field("one_of", "MIDI velocity before the volume is applied: a fixed number, "
                      "or 'touch' (harder/larger contact plays louder).", default=100,
                      options=(Field("integer", min=1, max=127),
                               Field("choice", choices=("touch",)))),
    "per_pad": Field("map", "Sound of single pads, by pad number, e.g. {7: {timbre: "
                     "tubular_bells}}: a bell on one pad among marimba pads.", default=dict,
                     key=Field("integer", min=0, max=47),
                     item=Field("section", "Sound of one pad.", fields={
                         "timbre": Field("string", "Instrument of this pad (catalogue "
                                         "name).", default=REQUIRED, check=_timbre_check),
                     })),
})

MUSIC = Field("section", "What each pad plays.", fields={
    "mode": Field("choice", "scale: pad k (1-12) plays the k-th scale degree; chords: a "
                  "chord per pad; notes: a listed note per pad; drums: GM percussion; "
                  "song: every touch plays the next step of a song.", default="scale",
                  choices=("scale", "chords", "notes", "drums", "song")),
    "key": Field("string", "Key (root) note name: C, C#, Db, D ... B; or session: the "
                 "session key (docs/session-music.md).", default="C"),
    "scale": Field("one_of", "Scale name (major, minor, major_pentatonic, blues, dorian, ...) "
                   "or a list of semitone steps from the root, e.g. [0, 2, 4, 7, 9].",
                   default="major_pentatonic",
                   options=(Field("string"),
                            Field("list", item=Field("integer", min=0, max=11), min=1,
                                  max=12))),
    "octave": Field("integer", "Octave of pad 1 (C4 = middle C).", default=4, min=0, max=8),
    "chords": Field("list", "Chords mode: roman numerals in the key, one per pad.",
                    default=None, item=Field("string"), min=1, max=48,
                    example=["I", "IV", "V", "vi"]),
    "notes": Field("list", "Notes mode: a note name per pad, e.g. [D4, F#4, A4].",
                   default=None, item=Field("string"), min=1, max=48,
                   example=["D4", "F#4", "A4"]),
    "drums": Field("list", "Drums mode: GM percussion names per pad, e.g. [kick, snare].",
                   default=None, item=Field("string"), min=1, max=48,
                   example=["kick", "snare", "closed_hat"]),
    "song": Field("string", "Song mode: a song from configs/songs (e.g. welcome).",
                  default=None, example="welcome"),
})

PAD = Field("integer", "A pad number (0 is the first pad of the player).", min=0, max=47)
MS: dict[str, Any] = dict(kind="integer", units="ms")


def _timing(default_from_client: bool) -> dict[str, Field]:
    """The motor filters. Per pad (``touch.per_pad``) every key defaults to the client's."""
    d = (lambda value: None) if default_from_client else (lambda value: value)
    return {
        "sensitivity": Field("number", "How light a touch the pad feels: the board's touch "
                             "chip turns it into its own thresholds when the client is "
                             "seated (the same value feels alike on an MPR121 and a "
                             "CAP1188). 0.5 is the usual setting; lower ignores brushing and "
                             "hovering, higher catches a light fingertip.", default=d(0.5),
                             min=0.0, max=1.0, units="0..1"),
        "dwell_ms": Field(**MS, doc="A touch must last this long before it sounds (a hand "
                          "brushing past a pad stays silent). 0: sound at once.",
                          default=d(0), min=0, max=3000),
        "release_grace_ms": Field(**MS, doc="A lift shorter than this is ignored: the note "
                                  "goes on (tremor, a wobbling hand). The note ends this much "
                                  "after the real lift.", default=d(0), min=0, max=2000),
        "retrigger_ms": Field(**MS, doc="After a lift, the same pad ignores new touches this "
                              "long (tremor re-touches, bouncing double taps).", default=d(0),
                              min=0, max=5000),
        "hold": Field("choice", "momentary: sounds while touched; latch: a touch starts the "
                      "note and the next touch stops it; fixed: every accepted touch sounds "
                      "exactly note_ms.", default=d("momentary"),
                      choices=("momentary", "latch", "fixed")),
        "note_ms": Field(**MS, doc="hold: fixed: how long each note sounds.", default=d(500),
                         min=20, max=10000),
        "min_note_ms": Field(**MS, doc="Every accepted touch sounds at least this long, so a "
                             "brief tap is still heard. 0: no minimum.", default=d(0), min=0,
                             max=10000),
        "max_note_ms": Field("one_of", "A note held longer is released (a resting or "
                             "sleeping hand); the pad sounds again after a lift. null: no "
                             "limit.", default=None, units="ms",
                             options=(Field("integer", min=100, max=600000), NULL)),
    }


PER_PAD = Field("section", "Settings of one pad; a key left out takes the client's value.",
                fields=_timing(default_from_client=True))

TOUCH = Field("section", "How touches become notes (motor accessibility).", fields={
    "pads": Field("one_of", "Pads that play; others stay silent (touches still logged). "
                  "'all' or a list of pad numbers.", default="all",
                  options=(Field("choice", choices=("all",)),
                           Field("list", item=Field("integer", min=0, max=47), max=48))),
    "groups": Field("list", "Pads that act as one big pad: a palm across two electrodes is "
                    "one note, not two. Each group is a list of pads, e.g. [[0, 1], [4, 5, "
                    "6]]; the group plays the note of its first pad.", default=list,
                    item=Field("list", item=PAD, min=2, max=12), max=24),
    **_timing(default_from_client=False),
    "resting_guard": Field("boolean", "A pad already touched when this client is seated (a "
                           "hand resting on it) is not a note: it is recalibrated and logged, "
                           "and sounds again after a lift. false: it plays at once.",
                           default=True),
    "long_touch_s": Field("one_of", "A pad touched without a pause this long is taken for a "
                          "resting hand or a stuck electrode: its note ends, it is "
                          "recalibrated and the event is logged. null: never.", default=30,
                          units="s", options=(Field("number", min=1, max=3600), NULL)),
    "per_pad": Field("map", "Settings for single pads, by pad number, e.g. {0: {dwell_ms: "
                     "200}, 5: {sensitivity: 0.8}}.", default=dict, key=PAD, item=PER_PAD),
})

PROFILE = Field("section", "A client profile.", fields={
    "name": Field("string", "Shown to the therapist; never written to the journal.",
                  default=REQUIRED, check=_plain_text),
    "sound": SOUND,
    "music": MUSIC,
    "touch": TOUCH,
    "goals": GOALS,
    "consent": CONSENT,
})


def defaults(section: Field) -> dict:
    """Every key of ``section`` (e.g. ``MUSIC``) with its default: what a profile that
    leaves the section out holds (a plan's music override is completed with these)."""
    return validate({}, section, (), [])


def touch_bounds() -> dict[str, tuple]:
    """``touch:`` key -> (min, max) as the schema allows them (a proposal stays inside)."""
    return {key: (f.min, f.max) for key, f in TOUCH.fields.items()
            if f.min is not None or f.max is not None}
