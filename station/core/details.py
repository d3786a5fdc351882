"""What an event's ``detail`` holds, per kind, and the one place it becomes journal text.

An ``Event``'s detail is a typed value. Kinds whose detail is one word of a known
vocabulary, or free text, keep a plain ``str`` (touch/release: the source; press/unpress:
the role; suppressed, note_on, note_off, pad_on, pad_off: the reason; phase: its name;
note: the therapist's text): the touch path allocates nothing for them. Kinds whose
detail has structure carry one of the frozen dataclasses below:

* profile: ``SeatChange(what, text)``, text ``use:<version>``, ``refused:<why>``,
  ``empty``;
* fault: ``Fault(name, arg)``, text ``board_lost``, ``audio_lost:<problem>``;
* turn_start, turn_end: ``Turn(reason, mode)``, text ``count``, ``mode:<mode>``;
* echo: ``Echo(notes)`` or ``Echo(stopped=why)``, text ``3 notes``, ``stopped:<why>``;
* backing: ``BackingStart(style, key, by, bpm, tempo_source)``, ``BackingStop(why)`` or
  ``BackingMeet(bars, from_bpm, to_bpm)``,
  text ``start:<style>:<key>[:<bpm>bpm:<source>]:<by>``, ``stop:<why>``, ``meet:8:62.5:84.0``;
* beat: ``Beat(style, bpm, beat, bar)``, text ``drone:72.0:1/4``;
* timbre: ``Timbre(bank, program, name)``, text ``0:12:marimba``;
* consent: ``ConsentText(recorded, date, flags)``, text ``date=..;journal=yes;..`` or
  ``not_recorded``;
* counts: a dict of ``COUNT_FIELDS``, goals: a list of goal dicts; text JSON.

``encode(kind, detail)`` gives the stored text (exactly the text journals have always
held, so old journals read as before); ``decode(kind, text)`` gives the value back. Text
that does not parse (a hand-edited row) decodes to ``Unparsed(text)``, which encodes back
to the same text. ``str()`` of a value is its journal text. Nothing else in the station
parses a detail string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

CONSENT_KEYS = ("journal", "audio", "research_export")
COUNT_FIELDS = ("seated_s", "touches", "valid_touches", "suppressed", "echoes",
                "followed_beats")


class _Text:
    """``str()`` of a detail value is its journal text."""

    __slots__ = ()
    KIND = ""

    def __str__(self) -> str:
        return encode(self.KIND, self)


def _head(head: str, arg: str | None) -> str:
    return head if arg is None else f"{head}:{arg}"


def _split(text: str) -> tuple[str, str | None]:
    head, sep, arg = text.partition(":")
    return head, (arg if sep else None)


@dataclass(frozen=True, slots=True)
class Unparsed(_Text):
    """Stored text that does not read as its kind's value (kept as it is)."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class SeatChange(_Text):
    """A ``profile`` event: ``what`` is use (text: the profile's version, or
    ``no_journal_consent`` in the journal), refused (text: why) or empty."""

    what: str
    text: str | None = None
    KIND = "profile"

    @property
    def seated(self) -> bool:
        return self.what == "use"


@dataclass(frozen=True, slots=True)
class Fault(_Text):
    """A ``fault`` (or recovery): ``name`` as board_lost, journal_not_writing; ``arg``
    what it adds (audio_lost: the problem; stuck_electrode: ``"12s"``)."""

    name: str
    arg: str | None = None
    KIND = "fault"


@dataclass(frozen=True, slots=True)
class Turn(_Text):
    """Why a turn started or ended (count, time, gap, ...; ``mode``: the new turn mode
    when the reason is ``mode``)."""

    reason: str
    mode: str | None = None
    KIND = "turn_start"


@dataclass(frozen=True, slots=True)
class Echo(_Text):
    """A phrase echoed (``notes`` long) or an echo stopped (``stopped``: why)."""

    notes: int | None = None
    stopped: str | None = None
    KIND = "echo"


@dataclass(frozen=True, slots=True)
class BackingStart(_Text):
    """Backing music started: style, key, who started it (cli, panel, plan) and, for a
    tempo it keeps, the first tempo in BPM and where it comes from."""

    style: str
    key: str
    by: str
    bpm: float | None = None
    tempo_source: str | None = None
    KIND = "backing"


@dataclass(frozen=True, slots=True)
class BackingStop(_Text):
    reason: str
    KIND = "backing"


@dataclass(frozen=True, slots=True)
class BackingMeet(_Text):
    """The iso loop met the client again: after ``bars`` bars not with the beat, the pulse
    eases from ``from_bpm`` to the client's own ``to_bpm`` (station.sound.iso)."""

    bars: int
    from_bpm: float
    to_bpm: float
    KIND = "backing"


@dataclass(frozen=True, slots=True)
class Beat(_Text):
    """A backing beat that sounded: tempo in BPM (kept to 0.1), beat 1..bar of the bar."""

    style: str
    bpm: float
    beat: int
    bar: int
    KIND = "beat"


@dataclass(frozen=True, slots=True)
class Timbre(_Text):
    """A seat's sound: SoundFont bank 0..128, program 0..127, the timbre's name."""

    bank: int
    program: int
    name: str
    KIND = "timbre"


@dataclass(frozen=True, slots=True)
class ConsentText(_Text):
    """A ``consent`` row: the consent date and yes/no per ``CONSENT_KEYS``."""

    recorded: bool
    date: str | None = None
    flags: tuple[bool, ...] = (False, False, False)
    KIND = "consent"


NOT_RECORDED = ConsentText(False)
NO_CONSENT = SeatChange("use", "no_journal_consent")   # a seating journaled without the client


# -- the one codec -------------------------------------------------------------------------
def encode(kind: str, detail) -> str | None:
    """The journal text of ``detail`` (a value of ``kind``'s type, or a word). Anything
    else goes to the store as it is (SQLite refuses what it cannot bind: that row alone
    is lost and logged, as for any bad value)."""
    if detail is None or type(detail) is str:
        return detail
    if type(detail) is Unparsed:
        return detail.text
    if kind in _JSON:
        return json.dumps(detail, ensure_ascii=_JSON[kind])
    enc = _ENCODERS.get(type(detail))
    return detail if enc is None else enc(detail)


def decode(kind: str, text: str | None):
    """The value of stored ``text`` for ``kind`` (None stays None)."""
    if text is None:
        return None
    dec = _DECODERS.get(kind)
    if dec is None:
        return text
    try:
        return dec(text)
    except (ValueError, IndexError, TypeError):
        return Unparsed(text)


def _enc_echo(e: Echo) -> str:
    if e.stopped is not None:
        return f"stopped:{e.stopped}"
    return f"{e.notes} note" + ("s" if e.notes != 1 else "")


def _dec_echo(text: str) -> Echo:
    if text.startswith("stopped"):
        return Echo(stopped=text.partition(":")[2])
    return Echo(notes=int(text.split(" ", 1)[0]))


def _enc_start(b: BackingStart) -> str:
    tempo = "" if b.bpm is None else f":{b.bpm:.1f}bpm:{b.tempo_source}"
    return f"start:{b.style}:{b.key}{tempo}:{b.by}"


def _dec_backing(text: str):
    head, arg = _split(text)
    if head == "stop" and arg is not None:
        return BackingStop(arg)
    if head == "meet":
        bars, start, goal = text.split(":")[1:]
        return BackingMeet(int(bars), float(start), float(goal))
    parts = text.split(":")
    if head != "start" or len(parts) < 4:
        raise ValueError(text)
    if len(parts) >= 6 and parts[3].endswith("bpm"):
        return BackingStart(parts[1], parts[2], ":".join(parts[5:]), float(parts[3][:-3]),
                            parts[4])
    return BackingStart(parts[1], parts[2], ":".join(parts[3:]))


def _dec_beat(text: str) -> Beat:
    style, bpm, count = text.rsplit(":", 2)
    beat, bar = count.split("/")
    return Beat(style, float(bpm), int(beat), int(bar))


def _dec_timbre(text: str) -> Timbre:
    bank, program, name = text.split(":", 2)
    return Timbre(int(bank), int(program), name)


def _enc_consent(c: ConsentText) -> str:
    if not c.recorded:
        return "not_recorded"
    return f"date={c.date};" + ";".join(f"{k}={'yes' if on else 'no'}"
                                        for k, on in zip(CONSENT_KEYS, c.flags))


def _dec_consent(text: str) -> ConsentText:
    if not text or text == "not_recorded":
        return NOT_RECORDED
    parts = dict(p.split("=", 1) for p in text.split(";") if "=" in p)
    return ConsentText(True, parts.get("date"), tuple(parts.get(k) == "yes"
                                                       for k in CONSENT_KEYS))


def _dec_json(text: str):
    return json.loads(text)


_ENCODERS = {
    SeatChange: lambda s: _head(s.what, s.text),
    Fault: lambda f: _head(f.name, f.arg),
    Turn: lambda t: t.reason if t.mode is None else f"{t.reason}:{t.mode}",
    Echo: _enc_echo,
    BackingStart: _enc_start,
    BackingStop: lambda b: f"stop:{b.reason}",
    BackingMeet: lambda b: f"meet:{b.bars}:{b.from_bpm:.1f}:{b.to_bpm:.1f}",
    Beat: lambda b: f"{b.style}:{b.bpm:.1f}:{b.beat}/{b.bar}",
    Timbre: lambda t: f"{t.bank}:{t.program}:{t.name}",
    ConsentText: _enc_consent,
}
_DECODERS = {
    "profile": lambda text: SeatChange(*_split(text)),
    "fault": lambda text: Fault(*_split(text)),
    "turn_start": lambda text: Turn(*_split(text)),
    "turn_end": lambda text: Turn(*_split(text)),
    "echo": _dec_echo,
    "backing": _dec_backing,
    "beat": _dec_beat,
    "timbre": _dec_timbre,
    "consent": _dec_consent,
    "counts": _dec_json,
    "goals": _dec_json,
}
_JSON = {"counts": True, "goals": False}     # kind -> ensure_ascii, as they were written
