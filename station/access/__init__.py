"""Motor accessibility: what counts as an intended touch.

``rules`` resolves a profile's ``touch:`` settings per pad, ``pad`` is one pad's state
machine (dwell, release grace, retrigger lockout, hold modes, note lengths), ``chain``
the seat's stage (disabled pads, groups, then each pad's filter), ``chip`` what the
filters ask of the touch chip (thresholds, recalibration of a resting hand, touch
strength), ``stuck`` the station-wide stuck-electrode guard, ``tuning`` proposes
``touch:`` settings from a client's raw contacts and ``replay`` runs raw contacts through
the real filters (what a proposal would change). Nothing here holds the engine: the
chip's handle and the guard's ``report``/``release`` are handed in.

May import: core.
"""
