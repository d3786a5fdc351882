"""``station export --format midi``: one Standard MIDI File (type 1) per session.

Track 0 holds the tempo and the markers: phases, turn starts, profile changes, faults
and the therapist's notes. Then, in the default ``players`` layout, one track per player
and client (a swap starts the next client's track), named ``player N: role client``, on
that player's journaled MIDI channel, opening with the client's instrument (bank select
and program change at the moment the client was seated), so a group session plays back
with every player's own sound and a swap's program change at its time. A ``pulse`` track
holds any beat times as side-stick hits on channel 10.

``toolbox`` layout (the Music Therapy Toolbox's convention): two tracks, ``client`` on
channel 1 and ``therapist`` on channel 2, every client's notes in the first.

Timing: 1000 ticks per beat at 60 bpm, so one tick is exactly one millisecond of session
time (from the session's start). Channels are 0..15 here (1..16 on instruments).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from station.core.details import Timbre, decode
from station.journal.reader import SessionInfo, session_rows

TICKS_PER_BEAT = 1000
TEMPO_US = 1_000_000          # 60 bpm: one tick = 1 ms
CLIENT_CHANNEL, THERAPIST_CHANNEL, PULSE_CHANNEL = 0, 1, 9
PULSE_NOTE = 37               # GM side stick
DRUM_BANK = 128               # FluidSynth's percussion bank: GM plays kits on channel 10
LAYOUTS = ("players", "toolbox")


@dataclass
class Part:
    """One track's worth: a player's notes while one client sat there."""

    player: int
    client: str
    channel: int | None = None
    program: tuple[int, int, int] | None = None       # (ms, bank, program)
    notes: list[tuple[int, int, str, int, int]] = field(default_factory=list)


def _ms(t_ns: int, start_ns: int) -> int:
    return max(0, round((t_ns - start_ns) / 1e6))


def _marker(kind: str, player, detail) -> str:
    who = f"player {player} " if player is not None else ""
    return f"{kind.replace('_', ' ')}: {who}{detail or ''}".strip()


def _read(conn, info: SessionInfo, client: str | None):
    """(parts in order of first appearance, markers, beats) of one session."""
    parts: dict[tuple[int, str], Part] = {}
    current: dict[int, str] = {}             # player -> client seated now
    marks: list[tuple[int, str]] = []
    beats: list[int] = []
    for (t_ns, kind, player, cl, *rest) in session_rows(conn, info, client):
        note, velocity, channel, detail = rest[4], rest[5], rest[6], rest[7]
        t = _ms(t_ns, info.started_ns)
        if player is not None and cl and kind in ("timbre", "note_on", "note_off",
                                                   "profile") \
                and not (kind == "profile"
                         and not getattr(decode(kind, detail), "seated", False)):
            current[player] = cl
        who = current.get(player, cl or "")
        if kind in ("note_on", "note_off") and player is not None and note is not None:
            part = parts.setdefault((player, who), Part(player, who))
            part.notes.append((t, 0 if kind == "note_off" else 1, kind, note, velocity or 0))
            if part.channel is None and channel is not None:
                part.channel = channel
        elif kind == "timbre" and player is not None:
            timbre = decode(kind, detail or "0:0:")
            part = parts.setdefault((player, who), Part(player, who))
            if part.program is None and isinstance(timbre, Timbre):
                part.program = (t, timbre.bank, timbre.program)
            if part.channel is None and channel is not None:
                part.channel = channel
        elif kind in ("phase", "turn_start", "note", "fault") or \
                (kind == "profile" and detail):
            marks.append((t, _marker(kind, player, detail)))
        elif kind == "beat":
            beats.append(t)
    return list(parts.values()), marks, beats


def session_midi(conn: sqlite3.Connection, info: SessionInfo, client: str | None = None,
                 layout: str = "players"):
    """The ``mido.MidiFile`` of one session in ``layout`` (players | toolbox)."""
    import mido
    if layout not in LAYOUTS:
        raise ValueError(f"unknown MIDI layout {layout!r}; use {' or '.join(LAYOUTS)}")
    parts, marks, beats = _read(conn, info, client)
    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    meta = [(0, mido.MetaMessage("track_name", name=f"session {info.id}", time=0)),
            (0, mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))]
    meta += [(t, mido.MetaMessage("marker", text=text[:120], time=0)) for t, text in marks]
    mid.tracks.append(_track(sorted(meta, key=lambda m: m[0])))
    if layout == "toolbox":
        for role, ch in (("client", CLIENT_CHANNEL), ("therapist", THERAPIST_CHANNEL)):
            notes = [n for p in parts if (info.role(p.player) == "therapist") ==
                     (role == "therapist") for n in p.notes]
            if notes:
                msgs = [(0, mido.MetaMessage("track_name", name=role, time=0))]
                mid.tracks.append(_track(msgs + _notes(sorted(notes), ch)))
    else:
        for part in sorted(parts, key=lambda p: (p.player, p.notes[0][0] if p.notes else 0)):
            if part.notes:
                mid.tracks.append(_player_track(part, info))
    if beats:
        msgs = [(0, mido.MetaMessage("track_name", name="pulse", time=0))]
        for t in beats:
            msgs.append((t, mido.Message("note_on", channel=PULSE_CHANNEL, note=PULSE_NOTE,
                                         velocity=64)))
            msgs.append((t + 50, mido.Message("note_off", channel=PULSE_CHANNEL,
                                              note=PULSE_NOTE, velocity=0)))
        mid.tracks.append(_track(sorted(msgs, key=lambda m: m[0])))
    return mid


def _player_track(part: Part, info: SessionInfo):
    import mido
    role = info.role(part.player)
    ch = part.channel if part.channel is not None else part.player - 1
    name = f"player {part.player}: {role} {part.client}".strip()
    msgs = [(0, mido.MetaMessage("track_name", name=name, time=0))]
    if part.program is not None:
        t, bank, prog = part.program
        t = min(t, part.notes[0][0])           # the instrument before the first note
        if bank == DRUM_BANK:
            ch = PULSE_CHANNEL
        else:
            msgs.append((t, mido.Message("control_change", channel=ch, control=0,
                                         value=min(bank, 127))))
        msgs.append((t, mido.Message("program_change", channel=ch, program=prog)))
    return _track(msgs + _notes(sorted(part.notes, key=lambda n: (n[0], n[1])), ch))


def _notes(notes, ch: int) -> list:
    """note_off before note_on at the same tick, so a retrigger is not cut short."""
    import mido
    out = []
    for t, _order, kind, note, vel in notes:
        if kind == "note_on":
            out.append((t, mido.Message("note_on", channel=ch, note=note,
                                        velocity=max(1, min(127, vel)))))
        else:
            out.append((t, mido.Message("note_off", channel=ch, note=note, velocity=0)))
    return out


def _track(timed: list):
    """A MidiTrack from (absolute ms, message) pairs (already in time order)."""
    import mido
    track, last = mido.MidiTrack(), 0
    for t, msg in timed:
        track.append(msg.copy(time=t - last))
        last = t
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def write_midi(conn: sqlite3.Connection, sessions: list[SessionInfo], out: Path,
               client: str | None = None, layout: str = "players") -> list[Path]:
    """Write one file per session: ``out`` itself if it ends in .mid and there is one
    session, else ``out/session-<id>.mid``. Files are owner-only. Returns the paths."""
    from station.core.files import check_output, open_output
    out = Path(out)
    single = out.suffix.lower() in (".mid", ".midi")
    if single and len(sessions) != 1:
        targets = [out.with_name(f"{out.stem}-{s.id}{out.suffix}") for s in sessions]
    elif single:
        targets = [out]
    else:
        targets = [out / f"session-{s.id}.mid" for s in sessions]
    for path in targets:          # refuse before writing any (a journal, a link, ...)
        check_output(path, "MIDI export", replace=b"MThd")
    for s, path in zip(sessions, targets):
        with open_output(path, "MIDI export", binary=True, replace=b"MThd") as f:
            session_midi(conn, s, client, layout).save(file=f)
    return targets
