"""Who listens to the engine's events and who owns each therapist button.

Every room that plugs into the engine says who it is (an owner's name). A listener or a
button is registered once: a second owner of the same button, or a second listener
under the same owner's name, is a ``WiringError`` (a bug in how the rooms are composed,
found at start-up), never a silent take-over. So two rooms that want one button agree
on one owner that delegates (``engine.plans.PlanRunner.press_session`` falls back to the
session toggle when no plan runs).

Listeners run in registration order (``first=True`` puts one before the others: the
sessions, so a touch that opens a session is journaled inside it). While ``hold()`` is
in force, events wait and reach the listeners at ``release()``.
"""

from __future__ import annotations

from collections.abc import Callable

from station.core.events import Event

Listener = Callable[[Event], None]
Action = Callable[[int], None]          # fn(now): a button pressed or let go (station ns)


class WiringError(RuntimeError):
    """Two rooms claim the same button or listener name: a bug in the composition."""


class Listeners:
    """The engine's listeners, by owner (see the module docstring)."""

    def __init__(self) -> None:
        self._fns: list[Listener] = []
        self._owners: dict[str, Listener] = {}
        self._held: list[Event] | None = None     # events held back during a batch

    def add(self, owner: str, fn: Listener, *, first: bool = False) -> None:
        if owner in self._owners:
            raise WiringError(f"a listener named '{owner}' is already registered")
        self._owners[owner] = fn
        if first:
            self._fns.insert(0, fn)
        else:
            self._fns.append(fn)

    def remove(self, owner: str) -> None:
        """Remove ``owner``'s listener (nothing if it has none)."""
        fn = self._owners.pop(owner, None)
        if fn is not None:
            self._fns.remove(fn)

    def owners(self) -> list[str]:
        """Owner names in the order their listeners run."""
        by_fn = {id(fn): owner for owner, fn in self._owners.items()}
        return [by_fn[id(fn)] for fn in self._fns]

    def emit(self, event: Event) -> None:
        if self._held is not None:
            self._held.append(event)
            return
        for listener in self._fns:
            listener(event)

    def hold(self) -> None:
        if self._held is None:
            self._held = []

    def release(self, interrupt: Callable[[], object] | None = None) -> bool:
        """Deliver the held events, in order. ``interrupt()`` is asked between events
        (after at least one, so the listeners always progress): when it says True the
        rest stays held and this returns False (the engine sounds a read that came
        meanwhile, then releases again). True when everything was delivered."""
        held, self._held = self._held, None
        for n, event in enumerate(held or ()):
            if n and interrupt is not None and interrupt():
                self._held = held[n:]
                return False
            self.emit(event)
        return True


class Controls:
    """The therapist buttons (by role name, as wired) and the one owner of each."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}
        self._press: dict[str, Action] = {}
        self._release: dict[str, Action] = {}

    def register(self, name: str, owner: str, press: Action,
                 release: Action | None = None) -> None:
        if name in self._owner:
            raise WiringError(f"the '{name}' button is owned by {self._owner[name]}; "
                              f"{owner} cannot take it over")
        self._owner[name] = owner
        self._press[name] = press
        if release is not None:
            self._release[name] = release

    def owner(self, name: str) -> str | None:
        return self._owner.get(name)

    def press(self, name: str, now: int) -> None:
        action = self._press.get(name)
        if action is not None:
            action(now)

    def release(self, name: str, now: int) -> None:
        action = self._release.get(name)
        if action is not None:
            action(now)
