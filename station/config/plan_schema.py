"""The session plan (``configs/plans/<id>.yaml``) and the backing settings. Definitions only.

A plan is the session's shape: phases in order (welcome, warm-up, main activity,
reflection, goodbye; the names are the therapist's). Each phase may set the turn mode, a
backing, a suggested length, and per player a music override and an echo. ``BACKING`` is
also what the ``backing`` scenario action and control command accept. Key names are the
contract with therapists' files; docs/plan.schema.json and the key table of
docs/session-music.md are generated from these definitions (station.config.plan_docs).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from station.config.profile_schema import MUSIC, _timbre_check
from station.core.schema import REQUIRED, Field
from station.sound.backing import PATTERN_STYLES, STYLES
from station.sound.pulse import DEFAULT_VOICE, check_voice, voice_names
from station.sound.tempo import MAX_BPM, MAX_RAMP_BPM_PER_S, MIN_BPM
from station.turns.schema import TURN_MODES

BPM: dict[str, Any] = dict(kind="number", min=MIN_BPM, max=MAX_BPM, units="BPM")


def _key_check(key: str) -> str | None:
    from station.sound.theory import key_pitch_class
    try:
        key_pitch_class(key)
    except ValueError as exc:
        return str(exc)
    return None


def _is_kit(name: str) -> bool:
    from station.core.errors import ConfigError, ProfileError
    from station.sound.timbres import timbre
    try:
        return timbre(name).percussion
    except (ConfigError, ProfileError):   # an unknown timbre: the timbre key's check says so
        return True


def _backing_check(b: dict) -> str | None:
    """Rules between keys (each message names the keys to change)."""
    tempo_keys = [k for k in ("tempo_bpm", "tempo", "ramp_to_bpm", "ramp_s", "follow_client")
                  if b.get(k) not in (None, False)]
    if b.get("style") == "drone" and tempo_keys:
        return (f"a drone has no beat, so {', '.join(tempo_keys)} cannot apply; use style "
                f"pulse or ostinato for a tempo, or leave these keys out.")
    if (b.get("voice") is not None or b.get("humanise")) and b.get("style") != "pulse":
        return "voice and humanise are for style pulse only; leave them out or use style: pulse."
    if b.get("voice") is not None and b.get("timbre") is not None and not _is_kit(b["timbre"]):
        return (f"voice {b['voice']} is a drum-kit sound, but timbre {b['timbre']} is not a "
                f"drum kit; leave timbre out (or name a kit such as brush_drums), or leave "
                f"voice out to pulse on the key's root in {b['timbre']}.")
    pattern, style = b.get("pattern"), b.get("style")
    if style in PATTERN_STYLES and not isinstance(pattern, str):
        return (f"a {style} backing plays a pattern of configs/backings/: name it, like "
                f"pattern: {_EXAMPLE_PATTERN[style]}.")
    if isinstance(pattern, str) and style not in PATTERN_STYLES:
        return (f"pattern: {pattern} names a pattern file, which is for style "
                f"progression, bass or call.")
    if isinstance(pattern, list) and style != "ostinato":
        return "a list of steps in pattern is for style ostinato only; leave it out."
    if (b.get("ramp_to_bpm") is None) != (b.get("ramp_s") is None):
        return "ramp_to_bpm and ramp_s go together: the goal tempo and how long to reach it."
    start, goal, seconds = b.get("tempo_bpm"), b.get("ramp_to_bpm"), b.get("ramp_s")
    if None not in (start, goal, seconds) and b.get("tempo") != "follow" \
            and abs(goal - start) > MAX_RAMP_BPM_PER_S * seconds:
        least = abs(goal - start) / MAX_RAMP_BPM_PER_S
        return (f"a ramp from {start:g} to {goal:g} BPM in {seconds:g} s is too steep: the "
                f"tempo moves at most {MAX_RAMP_BPM_PER_S:g} BPM a second, so ramp_s must "
                f"be at least {least:g}.")
    return None


_EXAMPLE_PATTERN = {"progression": "cadence", "bass": "root_fifth", "call": "call_steps"}

BACKING = Field("section", "Music under the client: a drone (holding), a pulse (grounding), "
                "an ostinato, chords, a bass line or calls to answer. Left out: no backing "
                "in this phase.", optional=True, fields={
    "style": Field("choice", "drone: root and fifth of the key, sustained; pulse: a soft "
                   "beat, the bar's first beat louder; ostinato: a short repeating pattern "
                   "in the key; progression, bass, call: a pattern of configs/backings/ "
                   "(chords, a bass line, phrases the client answers).", default=REQUIRED,
                   choices=STYLES),
    "tempo_bpm": Field(**BPM, doc="Tempo of the pulse or ostinato. With tempo: follow it is "
                       "the tempo used while the client's own is not known yet. Left out: "
                       "80.", default=None),
    "tempo": Field("choice", "follow: start at the client's own tempo (the median time "
                   "between their last touches): the iso principle.", default=None,
                   choices=("follow",)),
    "ramp_to_bpm": Field(**BPM, doc="The goal tempo; the tempo moves there in a straight "
                         "line over ramp_s (slower calms, faster activates).", default=None),
    "ramp_s": Field("number", "How long the ramp takes (at most 1 BPM per second, so "
                    "60 to 90 BPM needs 30 s or more).", default=None, min=1.0, max=3600.0,
                    units="s"),
    "follow_player": Field("integer", "The player whose tempo and timing the backing "
                           "follows, and whose key it plays in. Left out: the first seated "
                           "client.", default=None, min=1, max=6),
    "follow_client": Field("boolean", "The ramp waits while the followed client is not with "
                           "the beat (touches scatter or stop) and goes on when they are "
                           "with it again.", default=False),
    "key": Field("string", "Key of the backing (C, F#, Bb...). Left out: the followed "
                 "client's key.", default=None, check=_key_check),
    "timbre": Field("string", "Instrument from the catalogue. Left out: pad_warm (drone), "
                    "drums (pulse: a drum kit, played with voice), harp (ostinato).",
                    default=None, check=_timbre_check),
    "voice": Field("string", "Pulse voice on a drum kit: " + ", ".join(voice_names())
                   + f" (docs/session-music.md). Left out: {DEFAULT_VOICE}, which carries on "
                   "a small speaker.", default=None, check=check_voice),
    "humanise": Field("boolean", "Pulse: vary each beat's loudness a little (the beat's "
                      "time stays exact).", default=False),
    "volume": Field("number", "Loudness of the backing (the station's max_volume caps it). "
                    "Keep it under the client's.", default=0.4, min=0.0, max=1.0,
                    units="0..1"),
    "beats_per_bar": Field("integer", "Beats in a bar: the first is accented.", default=4,
                           min=1, max=12),
    "pattern": Field("one_of", "Ostinato: semitones above the key's root, one per beat "
                     "(left out: [0, 7, 12, 7], root, fifth, octave, fifth). Progression, "
                     "bass, call: the name of a pattern file of configs/backings/.",
                     default=None, options=(
                         Field("list", item=Field("integer", min=-12, max=24), min=1, max=16,
                               example=[0, 7, 12, 7]),
                         Field("string", check=lambda n: None if re.match(
                             r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", n) else
                             "a pattern's name is its file name without .yaml."))),
    "meet_bars": Field("integer", "With follow_client: bars the client may be off the beat "
                       "before the pulse eases back to the client's own tempo (meets them "
                       "again).", default=8, min=2, max=64),
    "octave": Field("integer", "Octave of the root (C4 is middle C). Left out: 3 (drone, "
                    "ostinato), 2 (a pulse on a melodic timbre).", default=None, min=1,
                    max=6),
}, check=_backing_check)

def _mode_check(mode: str) -> str | None:
    from station.sound.keys import MODES
    from station.sound.theory import choose
    try:
        choose(mode, MODES, "mode")
    except ValueError as exc:
        return str(exc)
    return None


SESSION_KEY = Field("section", "The session key from this phase on: the backing plays in "
                    "it, the welcome and goodbye songs move into it, and profiles with key: "
                    "session follow it. E.g. {root: A, mode: major}.", optional=True, fields={
    "root": Field("string", "The key's root: C, C#, Db, D ... B.", default=REQUIRED,
                  check=_key_check),
    "mode": Field("string", "major, minor, dorian, mixolydian, ... (a scale of seven "
                  "notes).", default="major", check=_mode_check),
})

ECHO = Field("section", "Echo (mirroring): after the client's phrase ends, the station "
             "plays it back, quieter, in another timbre. Stops as soon as the client plays "
             "again. Left out: no echo.", optional=True, fields={
    "gap_ms": Field("integer", "A pause this long after a touch ends the phrase.",
                    default=1000, min=300, max=5000, units="ms"),
    "timbre": Field("string", "Instrument of the echo (catalogue name).",
                    default="vibraphone", check=_timbre_check),
    "transpose": Field("integer", "Semitones up (or down, negative); 12 is an octave and "
                       "keeps every note's name.", default=12, min=-24, max=24),
    "volume": Field("number", "Loudness as a share of the client's own note: the echo is "
                    "always quieter.", default=0.5, min=0.1, max=0.9, units="0..1"),
    "max_notes": Field("integer", "The longest phrase echoed; later notes are left out.",
                       default=16, min=1, max=32),
    "breath_ms": Field("integer", "The pause between the end of the phrase and its echo. "
                       "Left out: one beat of the backing, or 400 ms without one.",
                       default=None, min=0, max=5000, units="ms"),
})

MUSIC_OVERRIDE = Field("section", "Overrides the seated client's music: section for this "
                       "phase (same keys as in a profile; keys left out keep the client's). "
                       "E.g. {mode: song, song: welcome}: every touch, a single switch "
                       "too, plays the next note of the welcome song.", fields={
                           name: replace(f, default=None)
                           for name, f in MUSIC.fields.items()})

PLAYER_PHASE = Field("section", "What this phase changes for one player. The client's "
                     "motor filters and volume caps always stay.", fields={
    "music": MUSIC_OVERRIDE,
    "timbre": Field("string", "Instrument for this phase (catalogue name). Left out: the "
                    "client's own.", default=None, check=_timbre_check),
    "echo": ECHO,
})

PLAYER_KEY = Field("one_of", "A player number 1..6, or all (every player without an entry "
                   "of their own).", options=(Field("integer", min=1, max=6),
                                              Field("choice", choices=("all",))))


def _name_check(name: str) -> str | None:
    name = " ".join(name.split())
    return None if len(name) <= 40 else "a phase name is at most 40 characters."


PHASE = Field("section", "One phase of the session.", fields={
    "name": Field("string", "The phase's name, as the journal and the report show it (e.g. "
                  "welcome, warm_up, main, reflection, goodbye).", default=REQUIRED,
                  check=_name_check),
    "suggested_min": Field("number", "Suggested length. When reached, the lights give a "
                           "gentle cue; the phase goes on until you move on (unless auto).",
                           default=None, min=0.1, max=240.0, units="min"),
    "auto": Field("boolean", "End the phase by itself when suggested_min is reached (the "
                  "last phase then ends the session).", default=False),
    "turns": Field("choice", "Turn mode during this phase (see docs/groups.md). Left out: "
                   "unchanged.", default=None, choices=TURN_MODES),
    "backing": BACKING,
    "players": Field("map", "Per player: music override, timbre and echo, by player number "
                     "or all, e.g. {1: {music: {mode: song, song: welcome}}}.", default=dict,
                     key=PLAYER_KEY, item=PLAYER_PHASE),
    "description": Field("string", "A line for the therapist: what this phase is for.",
                         default=None),
    "key": SESSION_KEY,
})

PLAN = Field("section", "A session plan.", fields={
    "name": Field("string", "Shown to the therapist. The file name is the plan's id.",
                  default=None),
    "description": Field("string", "What the plan is for.", default=None),
    "phases": Field("list", "The phases, in order.", default=REQUIRED, item=PHASE, min=1,
                    max=20),
})
