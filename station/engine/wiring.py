"""From the station config to the hardware layer's spec (names shared by both sides).

Button names: a therapist button is named by its role (``next_turn``), a player's own
switch ``p<N>_switch``; lights are ``p<N>``. The engine uses the same names.
"""

from __future__ import annotations

from hardware.spec import BoardSpec, ButtonSpec, HardwareSpec, LightSpec
from station.config.station import StationConfig


def hardware_spec(config: StationConfig) -> HardwareSpec:
    buttons = [ButtonSpec(role, gpio) for role, gpio in config.buttons.items()]
    buttons += [ButtonSpec(p.switch_name, p.switch_gpio) for p in config.players
                if p.switch_gpio is not None]
    lights = [LightSpec(p.light_name, p.light_gpio) for p in config.players
              if p.light_gpio is not None]
    return HardwareSpec(
        boards=tuple(BoardSpec(b.address, b.irq_gpio, b.chip) for b in config.boards),
        buttons=tuple(buttons), lights=tuple(lights),
        input_mode=config.input["mode"], poll_interval_ms=config.input["poll_interval_ms"],
        i2c_frequency=config.input["i2c_frequency"])
