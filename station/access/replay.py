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
from station.access.rules import resolve_touch
from station.access.tuning import BREAK_MS, ORDINARY_MS, Contact
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
    stage = AccessStage(resolve_touch(touch), player, None)   # the profile's own filters
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


def settle(edges, current: dict, proposal, contacts: list[Contact], start: int, end: int,
           held=(), player: int = 1, rounds: int = 4):
    """Adjust ``proposal`` (an ``access.tuning.Proposal``) until its replay loses no
    ordinary touch that ``current`` sounds, or give up after ``rounds``.

    A lost touch came too soon after a contact on its pad: within ``2 * BREAK_MS`` the
    grace is raised to bridge that lift (one touch, as the hand meant), later the
    retrigger is lowered below it. Returns (current outcome, proposed outcome, lost)."""
    resting = proposal.analysis.resting
    was = replay(edges, current, start, end, held, player)
    by_pad: dict[int, list[Contact]] = {}
    for c in contacts:
        by_pad.setdefault(c.pad, []).append(c)
    for _ in range(rounds):
        touch = {**current, **proposal.changes}
        now = replay(edges, touch, start, end, held, player)
        gone = lost(was, now, contacts, resting)
        if not gone:
            break
        grace, lock = touch.get("release_grace_ms") or 0, touch.get("retrigger_ms") or 0
        for c in gone:
            before = [b for b in by_pad[c.pad] if b.t1 <= c.t0]
            gap = (c.t0 - before[-1].t1) / MS if before else None
            if gap is None:
                continue
            if gap <= 2 * BREAK_MS:
                grace = max(grace, int(gap * 1.2 + 19) // 10 * 10)
            elif gap < lock:
                lock = int(gap * 0.9) // 10 * 10
        for key, value, why in (
                ("release_grace_ms", grace, "raised so that a touch which began just after "
                 "a brief contact is joined to it rather than ignored"),
                ("retrigger_ms", lock, "lowered below the quickest re-touch that the "
                 "replay showed to be an ordinary touch")):
            if value == (touch.get(key) or 0):
                continue
            if value == (current.get(key) or 0):
                proposal.changes.pop(key, None)
            else:
                proposal.changes[key] = value
            _rewrite(proposal.reasons, key, current.get(key) or 0, value, why)
    touch = {**current, **proposal.changes}
    now = replay(edges, touch, start, end, held, player)
    return was, now, lost(was, now, contacts, resting)


def _rewrite(reasons: list[str], key: str, was, value, why: str) -> None:
    """The reason of ``key`` with the value the replay settled on."""
    for i, text in enumerate(reasons):
        if text.startswith(f"{key}:"):
            tail = text.split(". ", 1)[1] if ". " in text else ""
            head = f"{key}: stays {was}." if value == was else f"{key}: {was} -> {value}."
            reasons[i] = f"{head} {tail} After the replay: {why}."
            return


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
