"""The client profile (``configs/clients/<id>.yaml``). Definitions only; see profile.py.

Key names are the contract with therapists' files; docs/profiles.md and the JSON
Schema are generated from these definitions.
"""

from __future__ import annotations

from station.schema import REQUIRED, Field

NULL = Field("null")


def _timbre_check(name: str) -> str | None:
    from station.timbres import timbre  # the catalogue is read on first use, not at import
    try:
        timbre(name)
    except ValueError as exc:
        return str(exc)
    return None


SOUND = Field("section", "How this client sounds.", fields={
    "timbre": Field("string", "Instrument name from the catalogue (station timbres lists "
                    "them), e.g. marimba, soft_piano, harp.", default="marimba",
                    check=_timbre_check),
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
})

MUSIC = Field("section", "What each pad plays.", fields={
    "mode": Field("choice", "scale: pad k plays the k-th scale degree; chords: a chord per "
                  "pad; notes: a listed note per pad; drums: GM percussion; song: every touch "
                  "plays the next step of a song.", default="scale",
                  choices=("scale", "chords", "notes", "drums", "song")),
    "key": Field("string", "Key (root) note name: C, C#, Db, D ... B.", default="C"),
    "scale": Field("one_of", "Scale name (major, minor, major_pentatonic, blues, dorian, ...) "
                   "or a list of semitone steps from the root, e.g. [0, 2, 4, 7, 9].",
                   default="major_pentatonic",
                   options=(Field("string"),
                            Field("list", item=Field("integer", min=0, max=11), min=1,
                                  max=12))),
    "octave": Field("integer", "Octave of pad 0 (C4 = middle C).", default=4, min=0, max=8),
    "chords": Field("list", "Chords mode: roman numerals in the key, one per pad.",
                    default=None, item=Field("string"), min=1, max=48),
    "notes": Field("list", "Notes mode: a note name per pad, e.g. [D4, F#4, A4].",
                   default=None, item=Field("string"), min=1, max=48),
    "drums": Field("list", "Drums mode: GM percussion names per pad, e.g. [kick, snare].",
                   default=None, item=Field("string"), min=1, max=48),
    "song": Field("string", "Song mode: a song from configs/songs (e.g. welcome).",
                  default=None),
})

TOUCH = Field("section", "How touches become notes (motor accessibility).", fields={
    "pads": Field("one_of", "Pads that play; others stay silent (touches still logged). "
                  "'all' or a list of pad numbers.", default="all",
                  options=(Field("choice", choices=("all",)),
                           Field("list", item=Field("integer", min=0, max=47), max=48))),
})

PROFILE = Field("section", "A client profile.", fields={
    "name": Field("string", "Shown to the therapist; never written to the journal.",
                  default=REQUIRED),
    "sound": SOUND,
    "music": MUSIC,
    "touch": TOUCH,
})
