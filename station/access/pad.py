"""One pad's motor filter: a small state machine from contacts to note starts and ends.

Input: ``touch(now)``, ``release(now)`` and ``tick(now)`` with ``now`` in ns, in
non-decreasing order. Output: a list of ``(action, t_ns, detail)`` where action is

* ``"on"``       start the pad's note (an already sounding note restarts),
* ``"off"``      end it (detail: why, e.g. ``max_note``),
* ``"suppress"`` a raw touch that does not start a note (detail: the reason),
* ``"recalibrate"`` the electrode should re-take its baseline (a long touch).

The rules (see ``rules.PadRules``), in the order a touch meets them:

1. *retrigger*: a touch starting within ``retrigger_ns`` of the last lift is ignored
   (``suppress retrigger``), so two note starts are never closer than ``retrigger_ns``.
2. *dwell*: a contact must last ``dwell_ns`` before it is accepted (``suppress dwell``
   when it ends sooner).
3. *release grace*: a lift shorter than ``grace_ns`` does not end the contact; the
   re-touch is absorbed (``suppress release_grace``) and the contact ends, if at all,
   ``grace_ns`` after the real lift.
4. *hold*: momentary (note while touched), latch (touch on, next accepted touch off),
   fixed (every accepted touch sounds ``note_ns``).
5. *min/max length*: a note lasts at least ``min_ns`` (unless a new accepted touch of the
   pad restarts it) and at most ``max_ns``.
6. *long touch*: a contact held ``long_ns`` without a lift ends its note, asks for a
   recalibration (``suppress long_touch``) and is ignored until it ends.
"""

from __future__ import annotations

from station.access.rules import PadRules

IDLE, PENDING, ACCEPTED, IGNORED = "idle", "pending", "accepted", "ignored"


class PadFilter:
    """The filter of one logical pad (see the module docstring)."""

    __slots__ = ("rules", "state", "down", "sounding", "on_t", "off_at", "off_why",
                 "dwell_at", "grace_at", "lift_t", "lock_until", "long_at", "strength")

    def __init__(self, rules: PadRules) -> None:
        self.rules = rules
        self.state = IDLE          # what the current contact became
        self.down = False          # a contact is going on (including a grace break)
        self.sounding = False
        self.on_t = 0
        self.off_at: int | None = None     # a scheduled note end
        self.off_why: str | None = None
        self.dwell_at: int | None = None    # when a pending contact is accepted
        self.grace_at: int | None = None    # when a lift becomes final
        self.lift_t = 0                     # the lift the grace period is waiting on
        self.lock_until = -1                # retrigger lockout end (ns)
        self.long_at: int | None = None     # when a contact counts as a resting hand
        self.strength: float | None = None  # of the touch that started the contact

    # -- input ---------------------------------------------------------------------------
    def touch(self, now: int, strength: float | None = None) -> list[tuple]:
        out = self.tick(now)
        if self.grace_at is not None:            # back within the grace period
            self.grace_at = None
            out.append(("suppress", now, "release_grace"))
            if self.state == PENDING and self.dwell_at is None:
                out += self._accept(now)         # dwell ran out during the break
            return out
        if self.down:                            # a second touch without a lift: ignore
            return out
        self.down, self.strength = True, strength
        r = self.rules
        self.long_at = None if r.long_ns is None else now + r.long_ns
        if now < self.lock_until:
            self.state = IGNORED
            out.append(("suppress", now, "retrigger"))
        elif r.dwell_ns:
            self.state, self.dwell_at = PENDING, now + r.dwell_ns
        else:
            out += self._accept(now)
        return out

    def release(self, now: int) -> list[tuple]:
        out = self.tick(now)
        if not self.down or self.grace_at is not None:
            return out
        if self.rules.grace_ns:
            self.grace_at, self.lift_t = now + self.rules.grace_ns, now
            return out
        return out + self._end_contact(now, now)

    def resting(self, now: int) -> list[tuple]:
        """A contact that was there before this filter existed (a resting hand): ignored
        until it ends (lifts shorter than the grace period do not end it). It is not
        recalibrated at once: a baseline re-taken under a hand leaves the pad numb after
        the lift. If it never lifts, the long-touch rule recalibrates it."""
        self.down, self.state = True, IGNORED
        self.long_at = None if self.rules.long_ns is None else now + self.rules.long_ns
        return [("suppress", now, "resting_hand")]

    # -- time ------------------------------------------------------------------------------
    def next_deadline(self) -> int | None:
        # (no list: the runner asks after every event, for every pad with a timer)
        best = self.dwell_at
        for t in (self.grace_at, self.off_at, self.long_at):
            if t is not None and (best is None or t < best):
                best = t
        return best

    def tick(self, now: int) -> list[tuple]:
        out: list[tuple] = []
        while True:
            due = self.next_deadline()
            if due is None or due > now:
                return out
            if due == self.grace_at:
                out += self._end_contact(self.lift_t, due)
            elif due == self.dwell_at:
                self.dwell_at = None
                if self.grace_at is None and self.state == PENDING:   # still touching
                    out += self._accept(due)
            elif due == self.off_at:
                out += self._stop(due, self.off_why)
            else:                                # long_at: a resting hand or a stuck pad
                self.long_at = self.dwell_at = None
                self.state = IGNORED
                if self.sounding:
                    out += self._stop(due, "long_touch")
                out += [("suppress", due, "long_touch"), ("recalibrate", due, "long_touch")]

    def reset(self, now: int) -> list[tuple]:
        """Forget everything (swap, all-quiet); ``off`` if the pad was sounding."""
        out = [("off", now, "reset")] if self.sounding else []
        self.__init__(self.rules)  # type: ignore[misc]  # a fresh pad, same rules
        return out

    # -- internals ---------------------------------------------------------------------------
    def _accept(self, now: int) -> list[tuple]:
        r = self.rules
        self.state = ACCEPTED
        if r.hold == "latch" and self.sounding:
            return self._stop_at(max(now, self.on_t + r.min_ns), now, "latch")
        self.sounding, self.on_t = True, now
        if r.hold == "fixed":
            length = max(r.note_ns, r.min_ns)
            self._schedule(now + (length if r.max_ns is None else min(length, r.max_ns)),
                           "fixed")
        elif r.max_ns is not None:
            self._schedule(now + r.max_ns, "max_note")
        else:
            self.off_at = self.off_why = None
        return [("on", now, None)]

    def _end_contact(self, lift: int, now: int) -> list[tuple]:
        """The contact is over: the lift at ``lift`` is final (seen at ``now``)."""
        out: list[tuple] = []
        self.grace_at = self.long_at = None
        self.down = False
        self.lock_until = lift + self.rules.retrigger_ns
        if self.state == PENDING:
            self.dwell_at = None
            out.append(("suppress", now, "dwell"))
        elif self.state == ACCEPTED and self.rules.hold == "momentary" and self.sounding:
            out += self._stop_at(max(now, self.on_t + self.rules.min_ns), now, "release")
        self.state = IDLE
        return out

    def _stop_at(self, when: int, now: int, why: str) -> list[tuple]:
        if when <= now:
            return self._stop(now, why)
        self._schedule(when, why)
        return []

    def _schedule(self, when: int, why: str) -> None:
        self.off_at, self.off_why = when, why

    def _stop(self, now: int, why: str | None) -> list[tuple]:
        self.off_at = self.off_why = None
        if not self.sounding:
            return []
        self.sounding = False
        return [("off", now, why)]
