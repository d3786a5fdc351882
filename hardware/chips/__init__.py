"""The touch chips the station can drive, one class per chip (``touchchip.TouchChip``).

``CHIPS`` is the one registry: the station config's ``chip:`` word -> the class. Adding
a chip is its class here, its simulator, and one entry in ``CHIPS``
(docs/architecture.md, "The touch-chip seam"). No module here imports a Pi library at
import time: each driver is imported inside ``open``.
"""

from __future__ import annotations

from ..touchchip import TouchChip
from .cap1188 import CAP1188
from .mpr121 import MPR121

CHIPS: dict[str, type[TouchChip]] = {c.name: c for c in (MPR121, CAP1188)}
DEFAULT_CHIP = "mpr121"


def chip_class(name: str) -> type[TouchChip]:
    """The class of chip ``name`` (a key of ``CHIPS``); KeyError naming the choices."""
    try:
        return CHIPS[name]
    except KeyError:
        raise KeyError(f"no touch chip called {name!r}; the station knows: "
                       + ", ".join(CHIPS)) from None


def all_addresses() -> tuple[int, ...]:
    """Every address some chip can have, in order (the config's first check)."""
    return tuple(sorted({a for c in CHIPS.values() for a in c.addresses}))
