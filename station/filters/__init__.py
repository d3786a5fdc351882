"""Motor-accessibility filters: per-pad state machines and the per-seat chain.

``rules`` resolves a profile's ``touch:`` settings per pad, ``pad`` is one pad's state
machine, ``chain`` the seat's stage (disabled pads, groups, then each pad's filter).
"""

from station.filters.chain import RECALIBRATE_REASONS, AccessStage
from station.filters.rules import NO_FILTER, PadRules, rules_for, thresholds

__all__ = ["AccessStage", "PadRules", "NO_FILTER", "RECALIBRATE_REASONS", "rules_for",
           "thresholds"]
