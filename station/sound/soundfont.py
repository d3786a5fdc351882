"""Find the General MIDI soundfont the synth should load.

A configured path always wins (and must exist: a typo should not silently fall back to a
different sound). Without one, the fonts that Debian / Raspberry Pi OS packages install
are tried in order of sound quality per megabyte of RAM on a Pi.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from station.core.errors import SoundfontError

SF2_DIR = Path("/usr/share/sounds/sf2")

FALLBACKS: tuple[Path, ...] = (
    # default-GM.sf2 is the Debian alternatives link: whatever GM font the admin chose
    SF2_DIR / "default-GM.sf2",
    # TimGM6mb (6 MB, GPL-2) comes with libfluidsynth3: the font most likely present
    SF2_DIR / "TimGM6mb.sf2",
    # FluidR3 (145 MB, MIT, package fluid-soundfont-gm): better, but ~160 MB of RAM
    SF2_DIR / "FluidR3_GM.sf2",
    SF2_DIR / "FluidR3_GS.sf2",
    Path("/usr/share/soundfonts/default.sf2"),
    Path("/usr/share/soundfonts/FluidR3_GM.sf2"),
    Path("/usr/share/sounds/sf3/default-GM.sf3"),
    Path("/usr/share/sounds/sf3/MuseScore_General.sf3"),
)

INSTALL_HINT = ("Install one with: sudo apt-get install --no-install-recommends libfluidsynth3"
                " (it brings TimGM6mb.sf2), or set 'soundfont:' in configs/station.yaml"
                " to the path of a .sf2 file.")


def check_soundfont(path: str | Path) -> Path:
    """Return ``path`` if it is a readable SoundFont (RIFF 'sfbk' header), else raise.

    Checking the 12-byte header costs nothing and turns "FluidSynth failed to load" into
    a message that says what is actually wrong with the file.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise SoundfontError(f"the soundfont {path} does not exist. Check the path. "
                             + INSTALL_HINT)
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "not a regular file"
        raise SoundfontError(f"the soundfont path {path} is {kind}, not a .sf2 file.")
    try:
        with path.open("rb") as handle:
            header = handle.read(12)
    except OSError as exc:
        raise SoundfontError(f"cannot read the soundfont {path}: {exc.strerror or exc}. "
                             "Check its permissions (the station user must be able to read it).")\
            from exc
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"sfbk":
        raise SoundfontError(f"{path} is not a SoundFont (.sf2/.sf3) file: its header is wrong. "
                             "It may be truncated or a different kind of file.")
    return path


def find_soundfont(configured: str | Path | None = None,
                   fallbacks: Sequence[str | Path] = FALLBACKS) -> Path:
    """Path of the soundfont to load.

    ``configured`` (from the station config) is used when given and must be a valid
    SoundFont; otherwise the first existing valid file in ``fallbacks`` is returned.
    Raises SoundfontError naming what was looked for, where, and how to fix it.
    """
    if configured not in (None, ""):
        return check_soundfont(configured)
    for candidate in fallbacks:
        path = Path(candidate)
        if path.is_file():
            try:
                return check_soundfont(path)
            except SoundfontError:
                continue  # a broken link or truncated font: try the next one
    where = "\n  ".join(str(Path(p)) for p in fallbacks)
    raise SoundfontError("no General MIDI soundfont found. Looked for:\n  " + where + "\n"
                         + INSTALL_HINT)
