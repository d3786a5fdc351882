"""``station sound calibrate``: measure a soundfont's timbres for equal loudness.

``station sound calibrate [--soundfont FILE] [--out FILE] [--force]`` renders every
timbre of the catalogue and every pulse voice with the font (the station config's, or
``--soundfont``), measures their loudness (ITU-R BS.1770) and balance, and writes the
per-timbre gain table the synth applies (station.sound.levels). Default place: the
station's ``soundfonts/loudness/`` in a checkout, else ``~/.config/station/loudness/``,
where the synth looks. It never overwrites a file it did not write, and replaces one it
wrote only with ``--force``.
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("sound", help="measure the soundfont's timbres (equal loudness)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    c = verbs.add_parser("calibrate", help="measure every timbre and write the level table")
    c.add_argument("--soundfont", metavar="FILE", help="the .sf2/.sf3 font (default: the "
                   "station config's, else the system's General MIDI font)")
    c.add_argument("--config", help="station config file (default: the packaged one)")
    c.add_argument("--out", metavar="FILE", help="where to write the table (default: where "
                   "the synth looks for this font's table)")
    c.add_argument("--force", action="store_true",
                   help="replace a table 'station sound calibrate' wrote earlier")
    c.set_defaults(func=calibrate)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def calibrate(args) -> int:
    from pathlib import Path

    from station.core.paths import PACKAGED
    from station.sound.calibrate import check_table_path, measure, table_text, write_table
    from station.sound.levels import folders, table_name
    from station.sound.soundfont import find_soundfont

    if args.soundfont:
        soundfont = find_soundfont(args.soundfont)
    else:
        from station.config.station import load_config
        soundfont = find_soundfont(load_config(args.config).soundfont)
    out = Path(args.out) if args.out else \
        folders()[1 if PACKAGED else 0] / table_name(soundfont)
    check_table_path(out, args.force)
    print(f"measuring every timbre of the catalogue in {soundfont} ...")
    table = measure(soundfont)
    path = write_table(out, table_text(table), force=args.force)
    spread = [t["lufs"] for t in table["timbres"].values()]
    print(f"{len(spread)} timbres from {min(spread):.1f} to {max(spread):.1f} LUFS, each "
          f"brought to {table['target_lufs']:.1f} LUFS; table written to {path}")
    if args.out and Path(args.out).resolve().parent not in [f.resolve() for f in folders()]:
        print(f"the synth looks for it in {folders()[0]} or {folders()[1]}, named "
              f"{table_name(soundfont)}: move it there to use it.")
    return 0
