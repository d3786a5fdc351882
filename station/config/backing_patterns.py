"""Backing patterns: the files of ``configs/backings/``, validated like plans.

A pattern's id is its file name without ``.yaml`` in the station's backings folder
(``backings_dir`` in the station config, relative to it; left out, the packaged
``configs/backings/``). ``{action: backing, style: progression, pattern: pop_four}``
plays ``configs/backings/pop_four.yaml``. Every problem is reported like a plan's:
``file:line: key.path: what is wrong``, with a did-you-mean; a pattern of another style
than the backing asks for is refused with the style it has. What each key means is in
docs/session-music.md; what the notes are is station.sound.patterns.
"""

from __future__ import annotations

import re
from pathlib import Path

from station.config.profile_schema import _timbre_check
from station.core.errors import PlanError
from station.core.paths import CONFIGS
from station.core.schema import REQUIRED, Field, suggest, validate
from station.core.yamlfile import read_yaml
from station.sound.backing import PATTERN_STYLES
from station.sound.patterns import numeral_degree

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def _numeral_check(text: str) -> str | None:
    try:
        numeral_degree(text)
    except ValueError as exc:
        return str(exc)
    return None


def _pattern_check(p: dict) -> str | None:
    """What each style needs (each message names the keys to add or leave out)."""
    style = p.get("style")
    need = {"progression": ("chords",), "bass": ("chords", "line"), "call": ("phrases",)}
    missing = [k for k in need.get(style, ()) if not p.get(k)]
    if missing:
        return f"a {style} pattern needs {' and '.join(missing)}."
    wrong = [k for k in ("chords", "line", "phrases", "strike")
             if p.get(k) and k not in {"progression": ("chords", "strike"),
                                       "bass": ("chords", "line"),
                                       "call": ("phrases",)}.get(style, ())]
    if wrong:
        return f"{', '.join(wrong)} is not for a {style} pattern; leave it out."
    per_bar = p.get("beats_per_bar") or 4
    if style == "bass" and len(p["line"]) != per_bar:
        return (f"line has {len(p['line'])} steps but a bar has {per_bar} beats "
                f"(beats_per_bar): write one step per beat.")
    late = [s for s in p.get("strike") or [] if s > per_bar]
    if late:
        return f"strike {late[0]} is past the bar's last beat ({per_bar}, beats_per_bar)."
    return None


NOTE = Field("list", "[degree, beats]", item=Field("number", min=0, max=15), min=2, max=2,
             example=[3, 1])

PATTERN = Field("section", "A backing pattern.", fields={
    "name": Field("string", "Shown to the therapist.", default=None),
    "style": Field("choice", "progression: chords; bass: a bass line under chords; call: "
                   "phrases for call and response.", default=REQUIRED, choices=PATTERN_STYLES),
    "practice": Field("string", "What practice the pattern serves, in a line for the "
                      "therapist.", default=REQUIRED),
    "timbre": Field("string", "Instrument (catalogue name). Left out: the style's (soft_piano, "
                    "cello, marimba); the backing's own timbre: wins.", default=None,
                    check=_timbre_check),
    "octave": Field("integer", "Octave of the key's root. Left out: 3 (progression), 2 "
                    "(bass), 4 (call).", default=None, min=1, max=6),
    "beats_per_bar": Field("integer", "Beats in a bar: the first is accented.", default=4,
                           min=2, max=12),
    "chords": Field("list", "Progression and bass: roman numerals of the scale, one per "
                    "bars_per_chord bars.", default=None, min=1, max=16,
                    item=Field("string", check=_numeral_check), example=["I", "IV", "V", "I"]),
    "bars_per_chord": Field("integer", "Bars each chord lasts.", default=1, min=1, max=8),
    "strike": Field("list", "Progression: the beats of the bar the chord sounds on (it rings "
                    "to the next).", default=None, min=1, max=12,
                    item=Field("integer", min=1, max=12), example=[1, 3]),
    "line": Field("list", "Bass: one step per beat, from the chord's root: 1 root, 3 third, "
                  "5 fifth, 8 octave, 0 rest.", default=None, min=2, max=12,
                  item=Field("integer", min=0, max=8), example=[1, 5, 8, 5]),
    "phrases": Field("list", "Call: phrases of [degree, beats] notes (degree 1..15 of the "
                     "scale, 8 the octave, 0 a rest).", default=None, min=1, max=8,
                     item=Field("list", item=NOTE, min=1, max=16)),
    "answer_beats": Field("integer", "Call: beats left for the client's answer after each "
                          "phrase.", default=4, min=1, max=32),
}, check=_pattern_check)


def backings_folder(config) -> Path:
    """The station's backings folder: ``backings_dir`` (relative to the station config),
    else the packaged ``configs/backings``."""
    own = config.raw.get("backings_dir")
    return (Path(config.path).parent / own).resolve() if own else CONFIGS / "backings"


def pattern_names(folder: Path) -> list[str]:
    return sorted(p.stem for p in Path(folder).glob("*.yaml") if ID_PATTERN.match(p.stem))


def load_pattern(name: str, folder: Path, style: str | None = None) -> dict:
    """The validated pattern ``name`` of ``folder``; PlanError naming what is wrong (a
    missing file with a did-you-mean, or a pattern of another style than ``style``)."""
    names = pattern_names(folder)
    if not ID_PATTERN.match(str(name)) or not (Path(folder) / f"{name}.yaml").is_file():
        raise PlanError(f"there is no backing pattern '{name}' in {folder}"
                        f"{suggest(str(name), names)}. Patterns: "
                        f"{', '.join(names) or 'none yet'}.")
    pattern = load_pattern_file(Path(folder) / f"{name}.yaml")
    if style is not None and pattern["style"] != style:
        raise PlanError(f"the backing pattern '{name}' is a {pattern['style']} pattern, not "
                        f"{style}: use style: {pattern['style']}, or another pattern.")
    return pattern


def load_pattern_file(path: str | Path) -> dict:
    """Read and validate one pattern file; PlanError with file, line and key."""
    path = Path(path)
    doc = read_yaml(path, PlanError, "backing pattern")
    if not isinstance(doc.data, dict):
        raise PlanError(f"{path}: a backing pattern must be 'key: value' lines (style:, "
                        f"practice:, ...), not {type(doc.data).__name__}.")
    problems: list[tuple[tuple, str]] = []
    values = validate(doc.data, PATTERN, (), problems)
    if problems:
        lines = doc.problem_lines(problems)
        raise PlanError(f"{path}: {len(lines)} problem(s) in this backing pattern:\n  "
                        + "\n  ".join(lines), problems=lines)
    return {**values, "id": path.stem}
