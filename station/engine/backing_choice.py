"""What a backing plays, chosen when it starts: the music, its timbre, key, level and tempo.

``choose`` answers for ``LiveBacking.start`` (station.engine.backing) everything the spec
left open, before anything stops or sounds, so a refusal (an unknown pattern or timbre)
leaves the running backing playing: the pattern file (progression, bass, call) or the
style's own music; the timbre (the spec's, the pattern's, the style's); the key (the
session key first, station.engine.key_seam); the velocity (capped by ``max_volume`` and
kept under the followed client, station.sound.backing.under_client); the first tempo
(with ``tempo: follow`` the client's own, from their last touches: the iso principle)
and its ramp and iso loop.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.config.backing_patterns import backings_folder, load_pattern
from station.engine.key_seam import current_key
from station.sound.backing import (
    DEFAULT_BPM,
    DEFAULT_OCTAVE,
    DEFAULT_TIMBRE,
    BackingMusic,
    BackingSpec,
    under_client,
)
from station.sound.iso import IsoLoop
from station.sound.patterns import PatternMusic
from station.sound.tempo import Ramp, tempo_of
from station.sound.timbres import Timbre, timbre as find_timbre


@dataclass
class Choice:
    music: BackingMusic | PatternMusic
    timbre: Timbre
    key: str
    per_bar: int                       # beats per bar
    ramp: Ramp | None = None           # None: no beats (a drone)
    iso: IsoLoop | None = None
    tempo_source: str | None = None    # follow, tempo_bpm or default


def choose(engine, spec: BackingSpec, player: int | None, onsets, now: int) -> Choice:
    """The backing ``spec`` as it will play for ``player`` from ``now`` (``onsets``: the
    player's recent valid touches, ns). Raises the refusal of a bad pattern or timbre."""
    pattern = load_pattern(spec.pattern_name, backings_folder(engine.config),
                           spec.style) if spec.pattern_name else None
    timbre = find_timbre(spec.timbre or (pattern or {}).get("timbre")
                         or DEFAULT_TIMBRE[spec.style])
    seat = engine.seats.get(player)
    key, mode = current_key(engine, spec.key, player)    # the session key first
    velocity = int(127 * min(spec.volume, engine.config.max_volume))   # as the engine
    if seat and seat.profile:          # under the followed client, by UNDER_CLIENT_LU
        velocity = under_client(velocity, seat.velocity(
            None, False, engine.master_volume, engine.config.max_volume))
    music: BackingMusic | PatternMusic
    if pattern is not None:
        octave = spec.octave or pattern["octave"] or DEFAULT_OCTAVE[spec.style]
        music = PatternMusic(pattern, key, mode, octave, velocity)
    else:
        music = BackingMusic(spec, key, timbre.percussion, velocity)
    per_bar = pattern["beats_per_bar"] if pattern else spec.beats_per_bar
    choice = Choice(music, timbre, key, per_bar)
    if spec.has_beats:
        first = tempo_of(list(onsets or ()), now) if spec.follow else None
        choice.tempo_source = "follow" if first else ("tempo_bpm" if spec.tempo_bpm
                                                      else "default")
        choice.ramp = Ramp(first or spec.tempo_bpm or DEFAULT_BPM, spec.ramp_to_bpm,
                           spec.ramp_s or 0.0)
        choice.iso = IsoLoop(choice.ramp, spec.ramp_to_bpm, spec.ramp_s, spec.follow_client,
                             spec.meet_bars)
    return choice
