"""The per-client accessibility stage (kept as the engine's import point).

The stage lives in ``station.filters``: ``filters.chain.AccessStage`` (disabled pads,
groups, then one ``filters.pad.PadFilter`` per pad: retrigger lockout, dwell, release
grace, hold mode, minimum/maximum note length, long-touch recalibration).
"""

from station.filters.chain import RECALIBRATE_REASONS, AccessStage

__all__ = ["AccessStage", "RECALIBRATE_REASONS"]
