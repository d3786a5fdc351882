"""``station export --format midi``: one Standard MIDI File (type 1) per session.

Track 0 holds the tempo and markers (phases, turn starts, profile changes); then one
track per player who sounded a note, named ``player N: role client``; clients play on
MIDI channel 1 and therapists on channel 2 (the Music Therapy Toolbox convention), and a
``pulse`` track holds any beat times as side-stick hits on channel 10.

Timing: 1000 ticks per beat at 60 bpm, so one tick is exactly one millisecond of session
time (``t`` from the session's start). Replaying the file through any GM synth gives the
session's notes at their times; the first recorded timbre of each player becomes a
program change (bank select first when it is not bank 0).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from station.journal.reader import SessionInfo, session_rows

TICKS_PER_BEAT = 1000
TEMPO_US = 1_000_000          # 60 bpm: one tick = 1 ms
CLIENT_CHANNEL, THERAPIST_CHANNEL, PULSE_CHANNEL = 0, 1, 9
PULSE_NOTE = 37               # GM side stick
MARKED = ("phase", "turn_start")


def _ms(t_ns: int, start_ns: int) -> int:
    return max(0, round((t_ns - start_ns) / 1e6))


def session_midi(conn: sqlite3.Connection, info: SessionInfo, client: str | None = None):
    """The ``mido.MidiFile`` of one session."""
    import mido
    notes: dict[int, list[tuple[int, int, str, int, int]]] = {}
    program: dict[int, tuple[int, int]] = {}
    marks: list[tuple[int, str]] = []
    beats: list[int] = []
    who: dict[int, str] = {}
    for (t_ns, kind, player, cl, *_rest) in session_rows(conn, info, client):
        note, velocity, _channel, detail = _rest[4], _rest[5], _rest[6], _rest[7]
        t = _ms(t_ns, info.started_ns)
        if kind in ("note_on", "note_off") and player is not None and note is not None:
            notes.setdefault(player, []).append(
                (t, 0 if kind == "note_off" else 1, kind, note, velocity or 0))
            if cl:
                who.setdefault(player, cl)
        elif kind == "timbre" and player is not None and player not in program:
            bank, prog, _name = (detail or "0:0:").split(":", 2)
            program[player] = (int(bank), int(prog))
        elif kind in MARKED:
            marks.append((t, f"{kind.replace('_', ' ')}: {detail or player or ''}".strip()))
        elif kind == "beat":
            beats.append(t)
    mid = mido.MidiFile(type=1, ticks_per_beat=TICKS_PER_BEAT)
    meta = [(0, mido.MetaMessage("track_name", name=f"session {info.id}", time=0)),
            (0, mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))]
    meta += [(t, mido.MetaMessage("marker", text=text[:120], time=0)) for t, text in marks]
    mid.tracks.append(_track(meta))
    for player in sorted(notes):
        role = info.role(player)
        ch = THERAPIST_CHANNEL if role == "therapist" else CLIENT_CHANNEL
        msgs = [(0, mido.MetaMessage("track_name",
                                     name=f"player {player}: {role} {who.get(player, '')}"
                                     .strip(), time=0))]
        if player in program:
            bank, prog = program[player]
            if bank == 128:      # a drum kit: GM plays kits on channel 10
                ch = PULSE_CHANNEL
            elif bank:
                msgs.append((0, mido.Message("control_change", channel=ch, control=0,
                                             value=min(bank, 127))))
            msgs.append((0, mido.Message("program_change", channel=ch, program=prog)))
        # note_off before note_on at the same tick, so a retrigger is not cut short
        for t, _order, kind, note, vel in sorted(notes[player], key=lambda n: (n[0], n[1])):
            if kind == "note_on":
                msgs.append((t, mido.Message("note_on", channel=ch, note=note,
                                             velocity=max(1, min(127, vel)))))
            else:
                msgs.append((t, mido.Message("note_off", channel=ch, note=note, velocity=0)))
        mid.tracks.append(_track(msgs))
    if beats:
        msgs = [(0, mido.MetaMessage("track_name", name="pulse", time=0))]
        for t in beats:
            msgs.append((t, mido.Message("note_on", channel=PULSE_CHANNEL, note=PULSE_NOTE,
                                         velocity=64)))
            msgs.append((t + 50, mido.Message("note_off", channel=PULSE_CHANNEL,
                                              note=PULSE_NOTE, velocity=0)))
        mid.tracks.append(_track(sorted(msgs, key=lambda m: m[0])))
    return mid


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
               client: str | None = None) -> list[Path]:
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
            session_midi(conn, s, client).save(file=f)
    return targets
