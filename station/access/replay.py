"""Replaying a client's raw contacts through a ``touch:`` block: what would have sounded.

The real filters (``chain.AccessStage`` and its ``pad.PadFilter``s) are driven on a
virtual clock by the journaled raw edges, exactly as the engine drives them: a seat
taken at ``start`` (pads already held meet the resting guard, or play at once), every
timer run when it falls due, before the next edge. Nothing sounds; only the filters'
decisions are counted.

``Outcome`` says how many notes would start, how many raw touches were joined into a
sounding note (a grace break), how many were ignored and why, and the longest wait from
touch to sound (what the dwell adds). ``lost(current, proposed, contacts)`` lists the
ordinary contacts (``ORDINARY_MS`` or longer) that the current settings sound and the
proposed would not: a proposal is offered only when that list is empty.

Limits: the raw stream is the one the chip gave under the *current* settings. A
different sensitivity, or a recalibration the other settings would have asked for (a
long touch), would have changed the raw stream itself; the replay cannot know how.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from station.access.chain import AccessStage
from station.access.pad import PENDING
from station.access.tuning import ORDINARY_MS, Contact
from station.core.events import PAD_OFF, PAD_ON, SUPPRESSED

MS = 1_000_000
JOINED = "release_grace"


@dataclass
class Outcome:
    """The filters' decisions over one stretch (times ns)."""

    notes: int = 0
    touches: int = 0                      # raw touches fed in
    joined: int = 0                       # touches absorbed into a sounding note
    ignored: dict[str, int] = field(default_factory=dict)   # reason -> touches
    longest_wait_ns: int = 0
    starts: list[tuple[int, int]] = field(default_factory=list)          # (t, pad)
    sounding: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # pad -> spans

    @property
    def ignored_total(self) -> int:
        return sum(self.ignored.values())

    def heard(self, pad: int, t0: int, t1: int) -> bool:
        """The pad sounds at some moment of [t0, t1]."""
        return any(a <= t1 and b >= t0 for a, b in self.sounding.get(pad, ()))


def replay(events, touch: dict, start: int, end: int, held=(), player: int = 1) -> Outcome:
    """Feed raw ``(t_ns, kind, pad)`` edges (time order) through ``touch``'s filters.

    ``held``: pads in contact when the client is seated at ``start``."""
    stage = AccessStage(touch, player, None)
    out = Outcome()
    waiting: dict[int, int] = {}        # pad -> first touch not yet sounding or ignored
    opened: dict[int, int] = {}         # pad -> when its note started

    def take(evs, now):
        for e in evs:
            if e.kind == PAD_ON:
                out.notes += 1
                out.starts.append((e.t_ns, e.pad))
                first = waiting.pop(e.pad, e.t_ns)
                out.longest_wait_ns = max(out.longest_wait_ns, e.t_ns - first)
                if e.pad in opened:                       # a restart: close the old span
                    out.sounding.setdefault(e.pad, []).append((opened[e.pad], e.t_ns))
                opened[e.pad] = e.t_ns
            elif e.kind == PAD_OFF and e.pad in opened:
                out.sounding.setdefault(e.pad, []).append((opened.pop(e.pad), e.t_ns))
            elif e.kind == SUPPRESSED:
                if e.detail == JOINED and stage.filter(e.pad).sounding:
                    out.joined += 1
                elif e.detail == JOINED and stage.filter(e.pad).state == PENDING:
                    pass                                  # the dwell goes on counting
                else:             # a grace break of an ignored touch is ignored with it
                    detail = "ignored_contact" if e.detail == JOINED else e.detail
                    out.ignored[detail] = out.ignored.get(detail, 0) + 1
                    waiting.pop(e.pad, None)

    def run_timers(until):
        while (due := stage.next_deadline()) is not None and due <= until:
            take(stage.tick(due), due)

    guard = touch.get("resting_guard", True)
    leader = {p: g[0] for g in touch.get("groups") or () for p in g}
    out.touches += len(held)
    if not guard:
        waiting.update((leader.get(pad, pad), start) for pad in held)
    take(stage.seated(sorted(held), start, guard), start)
    for t, kind, pad in events:
        if t < start or t > end:
            continue
        run_timers(t)
        if kind == "touch":
            out.touches += 1
            logical = leader.get(pad, pad)
            if stage.enabled(pad) and not stage.filter(logical).sounding:
                waiting.setdefault(logical, t)
            take(stage.touch(pad, t), t)
        else:
            take(stage.release(pad, t), t)
    run_timers(end)
    for pad, t in opened.items():
        out.sounding.setdefault(pad, []).append((t, end))
    return out


def lost(current: Outcome, proposed: Outcome, contacts: list[Contact],
         resting=()) -> list[Contact]:
    """Ordinary contacts the current settings sound and the proposed would not (those of
    a ``resting`` hand aside: sounding them is what the resting guard prevents)."""
    resting = set(resting)
    return [c for c in contacts if c.ms >= ORDINARY_MS and c not in resting
            and current.heard(c.pad, c.t0, c.t1) and not proposed.heard(c.pad, c.t0, c.t1)]


def table(current: Outcome, proposed: Outcome) -> list[str]:
    """The side-by-side lines the therapist reads."""
    def why(o: Outcome) -> str:
        return ", ".join(f"{n} {reason.replace('_', ' ')}"
                         for reason, n in sorted(o.ignored.items())) or "none"
    rows = [("notes that sound", current.notes, proposed.notes),
            ("touches joined into a sounding note", current.joined, proposed.joined),
            ("touches ignored", current.ignored_total, proposed.ignored_total),
            ("longest wait from touch to sound (ms)", round(current.longest_wait_ns / MS),
             round(proposed.longest_wait_ns / MS))]
    lines = [f"  {'':<40}{'current':>10}{'proposed':>10}"]
    lines += [f"  {name:<40}{a:>10}{b:>10}" for name, a, b in rows]
    lines.append(f"  ignored now: {why(current)}; proposed: {why(proposed)}")
    return lines
