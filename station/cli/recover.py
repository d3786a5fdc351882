"""``station journal recover DAMAGED --out NEW``: rescue what a damaged journal still holds.

The station refuses to start on a journal that fails SQLite's integrity check (it would
write into broken pages). This copies every row that can still be read into a new
journal, leaving the damaged file exactly as it was (``station.journal.integrity``).
"""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("journal", help="journal care: recover a damaged journal")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    r = verbs.add_parser("recover", help="copy what can be read of a damaged journal into "
                         "a new file (the damaged one is not changed)")
    r.add_argument("damaged", metavar="JOURNAL", help="the damaged journal file")
    r.add_argument("--out", required=True, metavar="NEW",
                   help="the new journal file to write (must not exist yet)")
    r.add_argument("--time-limit", type=float, default=1800.0, metavar="SECONDS",
                   help="stop (writing nothing) after this long; default 1800")
    r.set_defaults(func=recover_main)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def recover_main(args) -> int:
    import math

    from station.core.errors import StationError
    from station.journal.recover import recover
    if not (math.isfinite(args.time_limit) and args.time_limit > 0):
        raise StationError("--time-limit must be a number of seconds above 0.")
    done = recover(args.damaged, args.out, time_limit_s=args.time_limit)
    print(f"recovered {args.damaged} into {args.out}: {done.words()}")
    print(f"Check it with: station report --db {args.out} -o report.html; then set "
          f"'journal: {args.out}' in the station config (the damaged file was not changed).")
    return 0
