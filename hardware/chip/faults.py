"""Over-current and out-of-range: the two faults the MPR121 reports in its status.

Over-current (data sheet §5.1, the OVCF bit, status bit 15): when the REXT pin draws
too much current (a short, or the wrong resistor) the chip sets OVCF, clears every
other bit of the status registers 0x00..0x03, the output registers 0x04..0x2A and ECR
bits 5:0 (so it stops). While OVCF is set a write of ECR that would enter run mode is
discarded. Writing 1 to OVCF clears it; if the fault is still there, the next attempt
to run sets it again. The change of the status register pulls IRQ low.

Out-of-range (§5.12, §5.13): auto-configuration, when enabled (ACE), runs at every
stop -> run transition. For each enabled electrode it searches the charge current CDC
(1..63 uA) and, unless SCTS is set, the charge time CDT (0.5..32 us) that bring the
upper 8 bits of its data closest to TL (ties: the smaller charge, then the shorter
time), and writes them to the electrode's CDC/CDT registers. An electrode whose best
data is not within LSL..USL has failed: its OOR bit is set (and ACFF, the
auto-configuration fail flag); a later configuration that passes clears it. Settings
that cannot work (FFI differing from CONFIG1's, limits out of order) fail every
electrode. With OORIE or ACFIE set a failure pulls IRQ low. (The data sheet does not
spell out the search order; this one reaches the same kind of result.)
"""

from __future__ import annotations

from .registers import (
    ACFF,
    AUTOCONFIG1,
    CDC0,
    CDT0,
    CONFIG1,
    CONFIG2,
    N,
    OOR_STATUS,
    REF_CDC_UA,
    REF_CDT_US,
    AutoConfig,
    cdt_us,
)

IRQ_ON_FAILURE = 0x05         # OORIE | ACFIE in AUTO-CONFIG control 1


def best_charge(counts_at, ac: AutoConfig, global_cdt: int) -> tuple[int, int, int]:
    """(cdc uA, cdt code, counts) bringing ``counts_at(charge)`` closest to TL.

    ``counts_at(x)``: the electrode's noise-free counts at ``x`` times the reference
    charge (16 uA x 0.5 us). Ties go to the smaller charge (less power, less field)."""
    target = ac.tl * 4                       # TL compares with data >> 2
    unit = counts_at(1.0)
    codes = (global_cdt,) if ac.skip_time_search else range(1, 8)
    best: tuple[float, float, int, int] | None = None
    for code in codes:
        scale = cdt_us(code) / (REF_CDC_UA * REF_CDT_US)
        if not scale:
            continue
        guess = target / (unit * scale) if unit > 0 else 63
        for cdc in {max(1, min(63, int(guess))), max(1, min(63, int(guess) + 1))}:
            counts = counts_at(cdc * scale)
            key = (abs(counts - target), cdc * scale, code, cdc)
            if best is None or key < best:
                best = key
    _, _, code, cdc = best
    return cdc, code, int(counts_at(cdc * cdt_us(code) / (REF_CDC_UA * REF_CDT_US)))


def autoconfigure(regs: bytearray, ac: AutoConfig, enabled: int, counts_of) -> bool:
    """Run auto-configuration on ``regs`` for electrodes 0..enabled-1; ``counts_of(e)``
    returns electrode e's ``counts_at`` function. Writes CDC/CDT and the OOR bits;
    True if an electrode failed and the settings ask for an interrupt on failure."""
    problems = ac.problems(regs[CONFIG1])
    oor = 0
    global_cdt = regs[CONFIG2] >> 5
    for e in range(enabled):
        if problems:
            oor |= 1 << e
            continue
        cdc, code, counts = best_charge(counts_of(e), ac, global_cdt)
        regs[CDC0 + e] = cdc
        shift = 4 * (e % 2)
        regs[CDT0 + e // 2] = (regs[CDT0 + e // 2] & ~(0x07 << shift)) | (code << shift)
        if not ac.lsl <= counts >> 2 <= ac.usl:
            oor |= 1 << e
    keep = (regs[OOR_STATUS + 1] & 0x10) if enabled < N else 0    # ELEPROX: not ours
    regs[OOR_STATUS] = oor & 0xFF
    regs[OOR_STATUS + 1] = ((oor >> 8) & 0x0F) | keep | (ACFF if oor else 0)
    return bool(oor) and bool(regs[AUTOCONFIG1] & IRQ_ON_FAILURE)


def overcurrent_reset(regs: bytearray) -> None:
    """What OVCF does to the registers: status, OOR and outputs cleared, ECR stopped."""
    for reg in range(0x2B):
        regs[reg] = 0
    regs[0x5E] &= 0xC0
