"""The therapist's master volume: turns every client down together, never up.

``master`` is a fraction 0..1 of what the profiles and the station's ``max_volume``
allow: 1 plays exactly as configured, 0.5 plays every note at half the velocity (and
half the cap), 0 silences the pads (touches are still journaled, suppressed as
``volume_zero``). The caps stay hard: nothing can raise a note above them. It lives in
memory only; a restart plays as configured again. Set by the ``volume`` control command
(the panel's slider), in the engine thread.
"""

from __future__ import annotations

import math

from station.core.errors import StationError


def volume_command(engine, master: float | None = None) -> dict:
    """``volume`` control command: set (if given) and return the master volume."""
    if master is not None:
        if isinstance(master, bool) or not isinstance(master, (int, float)) \
                or not math.isfinite(master) or not 0.0 <= master <= 1.0:
            raise StationError(f"the master volume is a number from 0 (silent) to 1 (as "
                               f"configured), not {master!r}; it can only turn the station "
                               f"down.")
        engine.master_volume = float(master)
    return {"master_volume": engine.master_volume, "max_volume": engine.config.max_volume}
