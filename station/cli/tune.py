"""``station profile tune``: ``touch:`` settings proposed from a client's own play.

    station profile tune --db JOURNAL --session N --player P [--from S --to S]
                         [--client ID|FILE] [--config FILE] [--out FILE]

Reads the raw touches of the client seated at player P in session N (``journal.stretch``),
measures them and proposes settings with their reasons (``access.tuning``), replays the
stretch through the current and the proposed settings with the real filters
(``access.replay``) and prints both side by side. The proposal is offered only when the
replay loses no ordinary touch that the current settings sound ("never worse").

``--out FILE`` writes the client's profile with the proposed ``touch:`` settings (the
rest of the file, its comments and goals unchanged) to a *new* file, never over an
existing one. Nothing is changed in the station: the therapist reads, tries, decides.
Exit 1 with a plain message when the stretch is too short to say anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from station.access.replay import Outcome
    from station.access.tuning import Proposal


def register(verbs) -> None:
    t = verbs.add_parser("tune", help="propose touch: settings from a client's own play "
                         "in a journaled session (nothing is changed)")
    t.add_argument("--db", metavar="FILE", help="journal file (default: the station "
                   "config's journal)")
    t.add_argument("--session", type=int, required=True, metavar="N", help="session id")
    t.add_argument("--player", type=int, required=True, metavar="P", help="player 1..6")
    t.add_argument("--from", dest="from_s", type=float, metavar="S",
                   help="start of the stretch, seconds from the session's start")
    t.add_argument("--to", dest="to_s", type=float, metavar="S",
                   help="end of the stretch, seconds from the session's start")
    t.add_argument("--client", metavar="ID|FILE", help="the seated client's profile (default: "
                   "found in the clients folder by the journal's pseudonym)")
    t.add_argument("--config", help="station config file (default: $STATION_CONFIG, "
                   "/etc/station, ~/.config/station, the example)")
    t.add_argument("--out", metavar="FILE", help="write the profile with the proposed "
                   "touch: settings to this new file (never over an existing one)")
    t.add_argument("--json", action="store_true", help="print the proposal and the replay "
                   "as JSON (the panel's 'Tune from this session' reads it)")
    t.set_defaults(func=main)


@dataclass
class Assessment:
    """A proposal and its replay, for one stretch."""

    proposal: Proposal
    current: Outcome
    proposed: Outcome
    lost: list                # ordinary contacts the proposal would not sound
    touch: dict               # the proposed touch: block (current + changes)

    @property
    def offered(self) -> bool:
        return bool(self.proposal.changes) and not self.lost


def assess(stretch, touch: dict) -> Assessment:
    """Measure, propose and replay one ``journal.stretch.Stretch`` against ``touch``."""
    from station.access import replay, tuning
    from station.config.profile_schema import touch_bounds
    contacts = tuning.contacts_from(stretch.edges, stretch.start_ns, stretch.end_ns,
                                    stretch.held)
    proposal = tuning.propose(tuning.analyse(contacts, stretch.span_s, stretch.held),
                              touch, touch_bounds())
    current, proposed, gone = replay.settle(stretch.edges, touch, proposal, contacts,
                                            stretch.start_ns, stretch.end_ns, stretch.held,
                                            stretch.player)
    return Assessment(proposal, current, proposed, gone, {**touch, **proposal.changes})


def render(a: Assessment, stretch, who: str) -> list[str]:
    """The lines the therapist reads."""
    from station.access.replay import table
    lines = [f"Session {stretch.session}, player {stretch.player} ({who}): "
             f"{stretch.seconds(stretch.start_ns):.0f}-{stretch.seconds(stretch.end_ns):.0f} s "
             f"of play, {a.proposal.analysis.contacts} contacts.", "", "Proposal:"]
    lines += [f"  {r}" for r in a.proposal.reasons]
    lines += ["", "Replay of this stretch through the real filters:"]
    lines += table(a.current, a.proposed)
    lines.append("")
    if not a.proposal.changes:
        lines.append("No change proposed: the current settings already suit these touches.")
    elif a.lost:
        first = a.lost[0]
        lines.append(f"Not offered: the proposal would silence {len(a.lost)} ordinary "
                     f"touch(es) that sound now (the first on pad {first.pad + 1} at "
                     f"{stretch.seconds(first.t0):.1f} s). Keep the current settings.")
    else:
        lines.append("Proposed touch: settings: " + ", ".join(
            f"{k}: {str(v).lower() if isinstance(v, bool) else v}"
            for k, v in a.proposal.changes.items()))
        lines.append("It loses none of the ordinary touches that sound now. This is a "
                     "proposal: nothing was changed.")
    return lines


def as_json(a: Assessment, stretch, profile, lines: list[str]) -> dict:
    """The assessment for a program (the panel): numbers, words and the printed text."""
    def outcome(o) -> dict:
        return {"notes": o.notes, "joined": o.joined, "ignored": o.ignored_total,
                "ignored_why": dict(o.ignored), "longest_wait_ms": round(o.longest_wait_ns
                                                                         / 1_000_000)}
    return {"session": stretch.session, "player": stretch.player,
            "client": profile.client_id, "version": profile.version,
            "from_s": round(stretch.seconds(stretch.start_ns), 1),
            "to_s": round(stretch.seconds(stretch.end_ns), 1),
            "contacts": a.proposal.analysis.contacts, "changes": a.proposal.changes,
            "offered": a.offered, "reasons": a.proposal.reasons, "lost": len(a.lost),
            "current": outcome(a.current), "proposed": outcome(a.proposed),
            "text": "\n".join(lines)}


def main(args) -> int:
    from station.access.tuning import TooShort
    from station.core.errors import StationError
    from station.journal.reader import journal_path, open_journal, select_sessions
    from station.journal.stretch import seated_stretch
    conn = open_journal(journal_path(args.db, args.config))
    try:
        info = select_sessions(conn, session=args.session)[0]
        stretch = seated_stretch(conn, info, args.player, args.from_s, args.to_s)
        profile = _seated_profile(conn, stretch, args)
    finally:
        conn.close()
    try:
        a = assess(stretch, profile.touch)
    except TooShort as exc:
        raise StationError(f"session {stretch.session}, player {stretch.player}: {exc}") \
            from None
    lines = render(a, stretch, f"{profile.client_id}, {profile.path}")
    if stretch.version and stretch.version != profile.version:
        lines.insert(1, f"Note: {profile.path.name} was changed since this session was "
                        f"played (version {stretch.version}, now {profile.version}); "
                        f"'current' below is the file as it is now.")
    if args.json:
        import json
        print(json.dumps(as_json(a, stretch, profile, lines)))
    else:
        print("\n".join(lines))
    if args.out:
        if not a.offered:
            print(f"Nothing written to {args.out}: there is no proposal to try.")
            return 0
        _write(profile, a, Path(args.out))
    return 0


def _seated_profile(conn, stretch, args):
    """The profile of the client the journal shows seated (by pseudonym)."""
    from station.config.profile import load_profile
    from station.config.station import load_config
    from station.core.errors import ProfileError
    from station.journal.reader import client_pseudonym
    if args.client and ("/" in args.client or args.client.endswith((".yaml", ".yml"))):
        candidates = [Path(args.client)]
    else:
        folder = load_config(args.config).clients_dir
        candidates = ([folder / f"{args.client}.yaml"] if args.client
                      else sorted(folder.glob("*.yaml")))
    for path in candidates:
        if client_pseudonym(conn, path.stem) == stretch.client:
            return load_profile(path)
    if args.client:
        raise ProfileError(f"{candidates[0]}: the journal shows another client "
                           f"({stretch.client}) at player {stretch.player} in session "
                           f"{stretch.session}; give that client's profile with --client.")
    where = candidates[0].parent if candidates else "the clients folder"
    raise ProfileError(f"the client seated at player {stretch.player} ({stretch.client}) "
                       f"has no profile in {where}; give it with --client ID or --client "
                       f"FILE.")


def _write(profile, a: Assessment, out: Path) -> None:
    from station.config.profile_edit import edited
    from station.core.errors import ProfileError
    from station.core.files import check_output, read_limited, write_private
    from station.core.yamlfile import MAX_BYTES
    check_output(out, "tuned profile", replace=False)
    raw = read_limited(profile.path, MAX_BYTES, ProfileError, "client profile")
    new, _ = edited(raw, out, {("touch", k): v for k, v in a.proposal.changes.items()})
    write_private(out, new, "tuned profile", replace=False)
    print(f"wrote {out}: {profile.path.name} with the proposed touch: settings. Check it "
          f"(station profile check {out}), then copy it over the client's profile to use it.")
