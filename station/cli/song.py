"""``station song save``: what a client played becomes a song (songwriting).

``station song save NAME --session N --player P [--from S --to S] [--db FILE]`` reads the
journal (the station config's, or ``--db``) and writes ``configs/songs/NAME.yaml``, which
song mode plays at the next session. It needs the client's journal consent (see
station.report.song_export and docs/privacy.md).
"""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("song", help="save what a client played as a song")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    s = verbs.add_parser("save", help="save a player's notes of a session as a song")
    s.add_argument("name", help="the song's name (becomes configs/songs/NAME.yaml)")
    s.add_argument("--session", type=int, required=True, metavar="N", help="session id")
    s.add_argument("--player", type=int, required=True, metavar="P", help="player 1..6")
    s.add_argument("--from", dest="start", type=float, metavar="S",
                   help="from S seconds after the session's start")
    s.add_argument("--to", dest="end", type=float, metavar="S",
                   help="up to S seconds after the session's start")
    s.add_argument("--db", metavar="FILE", help="journal file (default: the station "
                   "config's journal)")
    s.add_argument("--config", help="station config file (default: the packaged one)")
    s.add_argument("--dir", help="songs folder (default: configs/songs)")
    s.add_argument("--force", action="store_true",
                   help="replace a song that 'station song save' wrote earlier")
    s.set_defaults(func=save)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def save(args) -> int:
    import math

    from station.cli.journal import client_names
    from station.core.errors import StationError
    from station.journal.reader import journal_path, open_journal, select_sessions
    from station.report.song_export import (
        check_song_consent,
        played_steps,
        save_song,
        song_name,
        song_text,
    )
    from station.sound.songs import SONGS_DIR, load_song
    name = song_name(args.name)
    for value, flag in ((args.start, "--from"), (args.end, "--to")):
        if value is not None and (not math.isfinite(value) or value < 0):
            raise StationError(f"{flag} must be seconds from the session's start (0 or "
                               f"more), not {value}.")
    if args.start is not None and args.end is not None and args.end <= args.start:
        raise StationError(f"--to ({args.end:g} s) must come after --from ({args.start:g} s).")
    conn = open_journal(journal_path(args.db, args.config))
    try:
        info = select_sessions(conn, args.session)[0]
        check_song_consent(conn, info, args.player, client_names(conn, args))
        steps = played_steps(conn, info, args.player, args.start, args.end)
    finally:
        conn.close()
    text = song_text(name, steps, session=args.session, player=args.player,
                     start_s=args.start, end_s=args.end)
    path = save_song(name, text, Path(args.dir) if args.dir else SONGS_DIR, args.force)
    song = load_song(path)
    print(f"wrote {path}: {len(song.steps)} steps at {song.tempo_bpm:g} BPM. Play it with "
          f"music: {{mode: song, song: {name}}}")
    return 0

