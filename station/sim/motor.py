"""Synthetic motor patterns with ground truth, to test the filters as clients would.

Each generator returns a ``Pattern``: the physical contacts of one hand (or two) on
player 1's pads — what the simulated MPR121 feels — and the touches the client *meant*
(``intended``: pad and the time span of the intended contact). Everything else that
touches a pad is unintended: tremor breaks, brushes, a resting hand, bounces.
Times are ns; strengths are the simulator's 0..2 (1.0 = firm palm). Deterministic for a
given ``random.Random`` seed.

Patterns (after GUIDE.md §1, with the numbers used):

* ``tremor``: holds of 0.6–1.4 s broken by 4–12 Hz bursts of 15–45 ms lifts; sometimes
  1–2 re-touches 80–220 ms after the lift.
* ``brushing``: on the way to the target the hand brushes the pads in between: 30–120
  ms, light (0.15–0.35) contacts; the target is pressed 0.3–0.8 s.
* ``resting``: a hand rests on a pad when the client is seated, wobbling (20–60 ms
  lifts every 1–3 s) for 8–12 s, while the other hand plays; later that pad is played.
* ``spastic``: slow heavy presses (1.0–1.5) of 0.8–2.5 s with 1–3 contact flickers on the
  way in, 1–2 on the way out, and half the time a rebound touch 120–250 ms later.
* ``double_tap``: taps of 80–250 ms, 80 % followed by a bounce 50–180 ms later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

MS = 1_000_000
PADS = 8                      # patterns use pads 0..7 of player 1


@dataclass(frozen=True)
class Contact:
    pad: int
    t0: int
    t1: int
    strength: float = 0.8


@dataclass
class Pattern:
    """Contacts + ground truth. ``swap_ns``: when the matching client is seated (before
    that the seat is empty); only notes from ``swap_ns`` on are scored."""

    name: str
    contacts: list[Contact] = field(default_factory=list)
    intended: list[Contact] = field(default_factory=list)
    swap_ns: int = 0
    end_ns: int = 0

    def add(self, pad: int, t0: int, t1: int, strength: float = 0.8,
            intended: bool = False) -> None:
        c = Contact(pad, int(t0), int(t1), strength)
        self.contacts.append(c)
        if intended:
            self.intended.append(c)
        self.end_ns = max(self.end_ns, c.t1 + 1000 * MS)

    def actions(self) -> list[tuple[int, str, int, float]]:
        """(t_ns, 'touch'|'release', pad, strength), time-ordered, releases first."""
        by_pad: dict[int, list[Contact]] = {}
        for c in self.contacts:
            by_pad.setdefault(c.pad, []).append(c)
        for pad, cs in by_pad.items():
            cs.sort(key=lambda c: c.t0)
            for a, b in zip(cs, cs[1:]):
                if b.t0 <= a.t1:
                    raise ValueError(f"{self.name}: contacts overlap on pad {pad}")
        acts = [(c.t0, "touch", c.pad, c.strength) for c in self.contacts]
        acts += [(c.t1, "release", c.pad, 0.0) for c in self.contacts]
        return sorted(acts, key=lambda a: (a[0], a[1] == "touch"))


def _ms(rng: random.Random, lo: float, hi: float) -> int:
    return int(rng.uniform(lo, hi) * MS)


def tremor(rng: random.Random, n: int = 60) -> Pattern:
    p, t = Pattern("tremor"), 500 * MS
    for _ in range(n):
        pad, hold = rng.randrange(PADS), _ms(rng, 600, 1400)
        end = t + hold
        p.intended.append(Contact(pad, t, end))
        start = t
        if rng.random() < 0.7:                   # a burst of tremor inside the hold
            period = int(1e9 / rng.uniform(4, 12))
            cut = t + _ms(rng, 100, 300)
            while cut + 60 * MS < end:
                p.contacts.append(Contact(pad, start, cut, 0.9))
                start = cut + _ms(rng, 15, 45)
                cut += period
        p.contacts.append(Contact(pad, start, end, 0.9))
        last = end
        for _ in range(rng.choice((0, 0, 1, 2))):     # re-touches after the lift
            t0 = last + _ms(rng, 80, 220)
            last = t0 + _ms(rng, 30, 80)
            p.contacts.append(Contact(pad, t0, last, 0.6))
        t = last + _ms(rng, 450, 800)
    p.end_ns = t + 1000 * MS
    return p


def brushing(rng: random.Random, n: int = 60) -> Pattern:
    p, t, here = Pattern("brushing"), 500 * MS, 0
    for _ in range(n):
        target = rng.choice([k for k in range(PADS) if abs(k - here) >= 2])
        step = 1 if target > here else -1
        for k in range(here + step, target, step):   # the pads passed on the way
            length = _ms(rng, 30, 120)
            p.add(k, t, t + length, rng.uniform(0.15, 0.35))
            t += length + _ms(rng, 10, 40)
        p.add(target, t, t + _ms(rng, 300, 800), rng.uniform(0.6, 1.0), intended=True)
        t = p.contacts[-1].t1 + _ms(rng, 300, 700)
        here = target
    return p


def resting(rng: random.Random, n: int = 60) -> Pattern:
    p = Pattern("resting")
    rest_pad = rng.randrange(PADS)
    t_land, p.swap_ns = 300 * MS, 1000 * MS
    rest_end = p.swap_ns + _ms(rng, 8000, 12000)
    start = t_land
    while True:                                  # the resting hand, wobbling
        cut = start + _ms(rng, 1000, 3000)
        if cut >= rest_end:
            p.contacts.append(Contact(rest_pad, start, rest_end, 0.7))
            break
        p.contacts.append(Contact(rest_pad, start, cut, 0.7))
        start = cut + _ms(rng, 20, 60)
    t = p.swap_ns + 500 * MS
    for _ in range(n):
        free = [k for k in range(PADS) if k != rest_pad or t > rest_end + 1500 * MS]
        p.add(rng.choice(free), t, t + _ms(rng, 200, 500), 0.9, intended=True)
        t = p.contacts[-1].t1 + _ms(rng, 400, 800)
    return p


def spastic(rng: random.Random, n: int = 60) -> Pattern:
    p, t = Pattern("spastic"), 500 * MS
    for _ in range(n):
        pad, force = rng.randrange(PADS), rng.uniform(1.0, 1.5)
        t0 = t
        for _ in range(rng.randint(1, 3)):       # flickers on the way in
            p.add(pad, t, t + _ms(rng, 15, 40), 0.3)
            t = p.contacts[-1].t1 + _ms(rng, 15, 40)
        t_end = t + _ms(rng, 800, 2500)
        p.add(pad, t, t_end, force)
        p.intended.append(Contact(pad, t0, t_end, force))
        t = t_end
        for _ in range(rng.randint(1, 2)):       # and on the way out
            t += _ms(rng, 15, 40)
            p.add(pad, t, t + _ms(rng, 15, 40), 0.3)
            t = p.contacts[-1].t1
        if rng.random() < 0.5:                   # the arm rebounds onto the pad
            t += _ms(rng, 120, 250)
            p.add(pad, t, t + _ms(rng, 40, 120), 0.8)
            t = p.contacts[-1].t1
        t += _ms(rng, 500, 900)
    return p


def double_tap(rng: random.Random, n: int = 60) -> Pattern:
    p, t = Pattern("double_tap"), 500 * MS
    for _ in range(n):
        pad = rng.randrange(PADS)
        p.add(pad, t, t + _ms(rng, 80, 250), 0.8, intended=True)
        t = p.contacts[-1].t1
        if rng.random() < 0.8:
            t += _ms(rng, 50, 180)
            p.add(pad, t, t + _ms(rng, 30, 120), 0.6)
            t = p.contacts[-1].t1
        t += _ms(rng, 450, 800)
    return p


PATTERNS = {"tremor": tremor, "brushing": brushing, "resting": resting, "spastic": spastic,
            "double_tap": double_tap}
