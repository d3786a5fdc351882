"""Songwriting: what a client played, saved as a song they can play again (song mode).

``station song save NAME --session N --player P [--from S --to S]`` reads that player's
sounded notes in that session (optionally between S and S2 seconds from its start),
makes one song step per touch (a chord when one touch sounded several notes), and
writes ``configs/songs/NAME.yaml`` in the format of station.sound.songs: playable in
song mode at the next session (``music: {mode: song, song: NAME}``).

Consent (docs/privacy.md): a song is the client's own creation, kept on the station for
their next session, with no id in it, so it is neither a recording of the room's sound
(``audio``) nor data leaving the station (``research_export``). It is made from journal
rows, which exist only with journal consent: ``check_song_consent`` refuses when the
client has withdrawn journal consent since (the latest seating's consent, as exports
do), and says plainly when the player's client had none (only counts were kept).

The rhythm is kept as beats: the tempo is the median time between touches, each step
lasts its time to the next touch in beats, rounded to a half beat (½ to 8). The file holds
notes only, no client id or name. It never overwrites a song it did not write itself
(its first line says so), and even then only with ``force``; it is written owner-only.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from statistics import median

from station.core.errors import ConsentError, StationError
from station.core.files import check_ours, write_private
from station.journal.queries import clients_who_played, seated_without_consent, sounded_notes
from station.journal.reader import SessionInfo
from station.sound.theory import note_name

MARK = "# Written by 'station song save'"
NAME = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")
MAX_STEPS = 256
MIN_BPM, MAX_BPM = 40.0, 200.0


def song_name(name: str) -> str:
    """The song's id as song mode looks it up (lower case, '_' for spaces and '-')."""
    norm = str(name).strip().lower().replace(" ", "_").replace("-", "_")
    if not NAME.match(norm):
        raise StationError(f"'{name}' cannot be a song name: use letters, digits and '_' "
                           f"(it becomes the file name), like: our_song.")
    return norm


def played_steps(conn: sqlite3.Connection, info: SessionInfo, player: int,
                 start_s: float | None = None, end_s: float | None = None
                 ) -> list[tuple[float, tuple[int, ...]]]:
    """(seconds from the session's start, notes) of each touch that sounded, in order."""
    rows = sounded_notes(conn, info.id, player)
    steps: dict[int, set[int]] = {}
    for t_ns, note in rows:
        t = (t_ns - info.started_ns) / 1e9
        if (start_s is None or t >= start_s) and (end_s is None or t <= end_s):
            steps.setdefault(t_ns, set()).add(note)
    return [((t - info.started_ns) / 1e9, tuple(sorted(n))) for t, n in sorted(steps.items())]


def check_song_consent(conn: sqlite3.Connection, info: SessionInfo, player: int,
                       names: dict[str, str] | None = None) -> None:
    """Refuse (ConsentError) a song from a client whose latest consent has no journal,
    or from a seat that was journaled as counts only (no journal consent then)."""
    from station.journal.consent import latest_consents
    played = clients_who_played(conn, info.id, player)
    consents = latest_consents(conn)
    for client in played:
        c = consents.get(client)
        if c is not None and c.recorded and not c.journal:
            who = f"{names[client]} ({client})" if names and client in names else client
            raise ConsentError(
                f"refused: client {who} has since withdrawn journal consent ({c.words()}), "
                f"so the station makes nothing new from their playing. Their earlier rows "
                f"stay until 'station forget {names.get(client, client) if names else client}'.")
    if not played and seated_without_consent(conn, info.id, player):
        raise ConsentError(
            f"player {player} in session {info.id} was played by a client without journal "
            f"consent: the station kept only anonymous counts of their playing, no notes, "
            f"so there is no song to save. With the client's journal consent (consent."
            f"journal: true in their profile) the next session's playing can be saved.")


def song_text(name: str, steps: list[tuple[float, tuple[int, ...]]], *, session: int,
              player: int, start_s: float | None, end_s: float | None) -> str:
    """The song file for ``steps`` (see the module docstring)."""
    if not steps:
        window = "" if start_s is None and end_s is None else \
            f" between {start_s or 0:g} s and {end_s if end_s is not None else 'the end'} s"
        raise StationError(f"player {player} sounded no notes in session {session}{window}: "
                           f"there is nothing to save. Check the session and player with "
                           f"'station export --session {session}'.")
    if len(steps) > MAX_STEPS:
        raise StationError(f"that is {len(steps)} touches; a song holds at most "
                           f"{MAX_STEPS}. Choose a part with --from and --to (seconds).")
    gaps = [b - a for (a, _), (b, _) in zip(steps, steps[1:]) if b > a]
    beat = median(gaps) if gaps else 60.0 / 90.0
    tempo = round(max(MIN_BPM, min(MAX_BPM, 60.0 / beat)))
    beat = 60.0 / tempo
    lines = [f"{MARK} from session {session}, player {player}"
             + (f", {start_s or 0:g}..{end_s if end_s is not None else 'end'} s"
                if start_s is not None or end_s is not None else "") + ".",
             "# Play it with music: {mode: song, song: " + name + "}. Edit freely (format: "
             "station/sound/songs.py).",
             f"name: {name.replace('_', ' ').title()}",
             f"tempo: {tempo}", "steps:"]
    for i, (t, notes) in enumerate(steps):
        nxt = steps[i + 1][0] if i + 1 < len(steps) else t + 2 * beat
        beats = min(8.0, max(0.5, round((nxt - t) / beat * 2) / 2))
        names = [note_name(n) for n in notes]
        written = names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"
        lines.append(f"  - {written}" if beats == 1.0 else
                     f"  - {{notes: {written}, beats: {beats:g}}}")
    return "\n".join(lines) + "\n"


def save_song(name: str, text: str, folder: Path, force: bool = False) -> Path:
    """Write ``text`` as ``folder/NAME.yaml``; refuse to overwrite what is not ours."""
    path = Path(folder) / f"{song_name(name)}.yaml"
    check_ours(path, MARK, force=force,
               not_ours="was not written by 'station song save'; choose another name.",
               earlier="saved earlier); choose another name, or add --force to replace it.")
    return write_private(path, text, "song", replace=MARK.encode())   # only a song of ours
