"""Proposing a client's ``touch:`` settings from the raw contacts of their own play.

Input: one client's raw contacts, ``Contact(pad, t0, t1)`` in ns (what the chip felt,
before any filter), ``held`` (pads already touched when the stretch begins) and the
stretch's length. ``analyse`` measures what the filters act on; ``propose`` turns it
into settings, each with its reason in plain words.

What is measured (times in ms):

* *breaks*: lifts of at most ``BREAK_MS`` on a pad that is touched again (tremor inside a
  hold, a wobbling resting hand, flickers on the way in and out). A lift that short is
  not a hand leaving a pad on purpose: ``release_grace_ms`` bridges them.
* *re-touches*: a short contact (under ``SHORT_MS``) on the pad just lifted, longer
  than a break but within ``REPEAT_MS`` of the lift (bounce, chatter, rebound, tremor
  re-touches): ``retrigger_ms`` ignores them. It stays below the quickest deliberate
  repeat of the same pad (an ordinary contact after a lift).
* *brushes*: a short contact after which another pad nearby (within ``NEAR_PADS``) is
  touched within ``BRUSH_FOLLOW_MS`` (a hand on its way): ``dwell_ms`` ignores them. It
  stays below the contacts of ordinary length (``ORDINARY_MS`` and longer).
* *a resting hand*: a contact held at the start or lasting ``RESTING_MS`` or more:
  ``resting_guard`` keeps it silent.

A setting changes only with enough evidence (``MIN_EVIDENCE``), only upwards (a current
value that already covers what was seen stays), and always within the profile schema's
bounds, which the caller passes in (``bounds``: key -> (min, max); this room does not
read the schema). Hold mode and sensitivity are reported, never changed: the hold mode
changes the music, and touch strength is rarely journaled (``velocity: touch`` only).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

MS = 1_000_000
BREAK_MS = 100          # a lift shorter than this is not a deliberate lift
SHORT_MS = 150          # a contact shorter than this is a brush, bounce or flicker
REPEAT_MS = 400         # a short re-touch later than this after a lift may be meant
ORDINARY_MS = 250       # contacts this long or longer are ordinary touches
BRUSH_FOLLOW_MS = 80    # a brush: the next pad is touched this soon after
NEAR_PADS = 2           # ... and lies this close
RESTING_MS = 5000       # a contact this long is a resting hand
MIN_EVIDENCE = (3, 0.02)   # at least 3 cases and 2 % of the contacts
MIN_SPAN_S = 60.0       # too little play says nothing: a minute ...
MIN_CONTACTS = 30       # ... with at least 30 contacts


@dataclass(frozen=True)
class Contact:
    pad: int
    t0: int
    t1: int

    @property
    def ms(self) -> float:
        return (self.t1 - self.t0) / MS


@dataclass
class Analysis:
    """What the contacts show (ms); lists hold one value per case."""

    contacts: int
    span_s: float
    lengths: list[float]
    breaks: list[float] = field(default_factory=list)
    retouches: list[float] = field(default_factory=list)
    repeats: list[float] = field(default_factory=list)   # deliberate same-pad repeats
    brushes: list[float] = field(default_factory=list)
    ordinary: list[float] = field(default_factory=list)
    resting: list[Contact] = field(default_factory=list)   # a resting hand's contacts
    rested_at_seating: bool = False

    def enough(self, cases: list | int) -> bool:
        n = cases if isinstance(cases, int) else len(cases)
        return n >= max(MIN_EVIDENCE[0], MIN_EVIDENCE[1] * self.contacts)


@dataclass
class Proposal:
    changes: dict                    # touch key -> proposed value (only what changes)
    reasons: list[str]               # one sentence per setting looked at
    analysis: Analysis


class TooShort(ValueError):
    """The stretch holds too little play to propose anything (the message says why)."""


def contacts_from(events, start: int, end: int, held=()) -> list[Contact]:
    """Contacts from raw ``(t_ns, kind, pad)`` edges ('touch'/'release') in time order;
    ``held`` pads are in contact at ``start``; a contact still on at ``end`` ends there."""
    down = dict.fromkeys(held, start)
    out = []
    for t, kind, pad in events:
        if kind == "touch" and pad not in down:
            down[pad] = t
        elif kind == "release" and pad in down:
            out.append(Contact(pad, down.pop(pad), t))
    out += [Contact(pad, t0, end) for pad, t0 in down.items()]
    return sorted(out, key=lambda c: (c.t0, c.pad))


def analyse(contacts: list[Contact], span_s: float, held=()) -> Analysis:
    """Measure a stretch (see the module docstring); ``TooShort`` when it is too little."""
    if span_s < MIN_SPAN_S or len(contacts) < MIN_CONTACTS:
        raise TooShort(f"only {len(contacts)} contact(s) in {span_s:.0f} s of play; a "
                       f"proposal needs at least {MIN_SPAN_S:.0f} s of play with "
                       f"{MIN_CONTACTS} contacts or more (about a minute of ordinary "
                       f"playing; two minutes give a surer proposal).")
    a = Analysis(len(contacts), span_s, [c.ms for c in contacts])
    start, held = min(c.t0 for c in contacts), set(held)
    by_pad: dict[int, list[Contact]] = {}
    for c in contacts:
        by_pad.setdefault(c.pad, []).append(c)
    after_break: set[Contact] = set()
    retouch: set[Contact] = set()
    for cs in by_pad.values():
        gaps = [(c.t0 - prev.t1) / MS for prev, c in zip(cs, cs[1:])] + [math.inf]
        for i, c in enumerate(cs[1:]):
            gap, c_next_gap = gaps[i], gaps[i + 1]
            goes_on = c.ms >= SHORT_MS or c_next_gap <= BREAK_MS
            if gap <= BREAK_MS and goes_on:      # the hold goes on after the lift
                a.breaks.append(gap)
                after_break.add(c)
            elif c.ms < SHORT_MS and gap < REPEAT_MS:
                a.retouches.append(gap)
                retouch.add(c)
            elif c.ms >= ORDINARY_MS:
                a.repeats.append(gap)
        chain = [cs[0]] if cs[0].t0 == start and cs[0].pad in held else []
        a.rested_at_seating |= bool(chain)
        for i, c in enumerate(cs):      # a resting hand, its wobble included
            if c.ms >= RESTING_MS:
                chain.append(c)
            if chain and chain[-1] is c and i + 1 < len(cs) and gaps[i] <= BREAK_MS:
                chain.append(cs[i + 1])
        a.resting += [c for c in chain if c not in a.resting]
    starts = sorted((c.t0, c.pad) for c in contacts)
    for c in contacts:
        if c.ms >= ORDINARY_MS and c not in a.resting:
            a.ordinary.append(c.ms)
        if c.ms < SHORT_MS and c not in after_break and c not in retouch \
                and _moves_on(c, starts):
            a.brushes.append(c.ms)
    return a


def _moves_on(c: Contact, starts: list[tuple[int, int]]) -> bool:
    """Another pad near ``c`` is touched during it or within BRUSH_FOLLOW_MS after it."""
    i = bisect.bisect_left(starts, (c.t0, -1))
    limit = c.t1 + BRUSH_FOLLOW_MS * MS
    while i < len(starts) and starts[i][0] <= limit:
        t, pad = starts[i]
        if pad != c.pad and abs(pad - c.pad) <= NEAR_PADS and t >= c.t0:
            return True
        i += 1
    return False


def _ceil10(ms: float) -> int:
    return int(math.ceil(ms / 10.0) * 10)


def _clamp(key: str, value, bounds: dict):
    lo, hi = bounds.get(key, (None, None))
    if lo is not None:
        value = max(value, type(value)(lo))
    if hi is not None:
        value = min(value, type(value)(hi))
    return value


def propose(a: Analysis, current: dict, bounds: dict) -> Proposal:
    """Settings for the client whose play ``a`` measured; ``current``: their ``touch:``."""
    changes: dict = {}
    reasons: list[str] = []

    def offer(key: str, value, why: str, keep: str) -> None:
        value = _clamp(key, value, bounds)
        now = current.get(key) or 0
        if value > now:
            changes[key] = value
            reasons.append(f"{key}: {now} -> {value}. {why}")
        else:
            reasons.append(f"{key}: stays {now}. {keep}")

    n = a.contacts
    if a.enough(a.breaks):       # the top 5 % aside: one odd lift should not lengthen
        top = sorted(a.breaks)[int(0.95 * (len(a.breaks) - 1))]    # every note's end
        offer("release_grace_ms", _ceil10(top * 1.25 + 10),
              f"{len(a.breaks)} of {n} contacts followed a lift of {top:.0f} ms or less on "
              f"the same pad (95 % of such lifts; tremor or a wobbling hand): a grace of "
              f"this length keeps such a touch one note.",
              f"it already bridges the {len(a.breaks)} short lifts seen (up to {top:.0f} ms).")
    else:
        reasons.append(f"release_grace_ms: stays {current.get('release_grace_ms') or 0}. "
                       f"Hardly any short lifts inside a touch ({len(a.breaks)} of {n}).")
    grace = changes.get("release_grace_ms", current.get("release_grace_ms") or 0)
    later = [g for g in a.retouches if g >= grace]
    if a.enough(later):
        top = max(later)
        value = _ceil10(top * 1.2 + 20)
        ceiling = min(a.repeats) * 0.8 if a.repeats else None
        note = ""
        if ceiling is not None and value > ceiling:
            value = max(_ceil10(top), int(ceiling // 10 * 10))
            note = (f" It stays under the quickest deliberate repeat of a pad "
                    f"({min(a.repeats):.0f} ms after a lift).")
        offer("retrigger_ms", value,
              f"{len(later)} short re-touches (bounce, chatter or tremor) followed a lift "
              f"on the same pad within {top:.0f} ms: the pad now rests this long after a "
              f"lift.{note}",
              f"it already ignores the {len(later)} quick re-touches seen (up to "
              f"{top:.0f} ms after a lift).")
    else:
        reasons.append(f"retrigger_ms: stays {current.get('retrigger_ms') or 0}. Hardly any "
                       f"quick re-touches of a pad just lifted ({len(later)} of {n}).")
    if a.enough(a.brushes):
        top = max(a.brushes)
        value = _ceil10(top * 1.2 + 10)
        shortest = min(a.ordinary) if a.ordinary else None
        note = ""
        if shortest is not None and value > shortest * 0.8:
            value = max(0, int(shortest * 0.8 // 10 * 10))
            note = (f" It stays under the shortest ordinary touch ({shortest:.0f} ms), so "
                    f"some brushes may still sound.")
        offer("dwell_ms", value,
              f"{len(a.brushes)} short contacts (up to {top:.0f} ms) came from a hand "
              f"passing over the pads, the next pad nearby touched at once: a dwell of "
              f"this length ignores them and waits that long before a note.{note}",
              f"it already ignores the {len(a.brushes)} brushes seen (up to {top:.0f} ms).")
    else:
        reasons.append(f"dwell_ms: stays {current.get('dwell_ms') or 0}. Hardly any brushes "
                       f"of neighbouring pads ({len(a.brushes)} of {n}), so notes need not "
                       f"wait.")
    if a.rested_at_seating and not current.get("resting_guard", True):
        changes["resting_guard"] = True
        reasons.append(f"resting_guard: false -> true. A hand rested on a pad when the client "
                       f"was seated ({len(a.resting)} contact(s) with its wobble): a pad "
                       f"already held at seating stays silent until it is lifted.")
    elif a.resting:
        reasons.append(f"A hand rested on a pad ({len(a.resting)} contact(s)); "
                       f"long_touch_s (now {current.get('long_touch_s', 30)}) ends a note "
                       f"held that long.")
    hold = current.get("hold") or "momentary"
    typical = sorted(a.ordinary)[len(a.ordinary) // 2] if a.ordinary else 0
    reasons.append(f"hold: stays {hold}. Ordinary touches last {typical:.0f} ms (median); "
                   f"the hold mode changes the music, so it is the therapist's choice.")
    reasons.append(f"sensitivity: stays {current.get('sensitivity', 0.5)}. The journal holds "
                   f"when pads were touched, not how firmly; try a lower sensitivity on the "
                   f"pad if light brushes remain.")
    return Proposal(changes, reasons, a)
