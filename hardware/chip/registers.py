"""The MPR121's register map, reset values and the fields the model decodes.

Addresses, fields and encodings are those of the NXP MPR121 data sheet (Rev. 4,
02/2013; section numbers below refer to it). Only what the model uses is decoded; every
other register is stored as written (a register file of 0x00..0x80).

* 0x00/0x01 touch status (bits 0..11 = ELE0..ELE11, bit 12 = ELEPROX, bit 15 = OVCF
  over-current flag), 0x02/0x03 out-of-range status (bits 0..12, 0x03 bit 6 ARFF,
  bit 7 ACFF) (§5.1, §5.12).
* 0x04..0x1D filtered data, 10 bits little-endian; 0x1E..0x2A baseline >> 2 (§5.3, §5.4).
* 0x2B..0x35 baseline filter: MHD/NHD/NCL/FDL rising, falling; NHD/NCL/FDL touched
  (§5.5; 0x36..0x40 the same for ELEPROX, not modelled).
* 0x41..0x5A touch/release thresholds per electrode (§5.6), 0x5B debounce DR (bits 6:4)
  and DT (bits 2:0) (§5.7).
* 0x5C CONFIG1: FFI (7:6: 6, 10, 18, 34 samples), CDC (5:0: 0..63 uA);
  0x5D CONFIG2: CDT (7:5: 0.5 us * 2^(n-1)), SFI (4:3: 4, 6, 10, 18 samples),
  ESI (2:0: 1, 2, 4 ... 128 ms) (§5.8). Reset: 0x10 (FFI 6, 16 uA), 0x24 (0.5 us,
  SFI 4, ESI 16 ms).
* 0x5E ECR: CL (7:6), ELEPROX_EN (5:4), ELE_EN (3:0) (§5.11).
* 0x5F..0x6B CDC per electrode, 0x6C..0x72 CDT per electrode (two per byte); 0 means
  "use the global value" (§5.9, §5.10).
* 0x7B..0x7F auto-configuration: control 0 (FFI 7:6, RETRY 5:4, BVA 3:2, ARE 1,
  ACE 0), control 1 (SCTS 7, OORIE 2, ARFIE 1, ACFIE 0), USL, LSL, TL (§5.13).
* 0x80 soft reset: writing 0x63 resets every register (§5.14).
"""

from __future__ import annotations

from dataclasses import dataclass

N = 12
TOUCH_STATUS = 0x00
OOR_STATUS = 0x02
FILTERED0 = 0x04
BASELINE0 = 0x1E
FILTER_PARAMS = 0x2B          # 0x2B..0x35: MHDR NHDR NCLR FDLR MHDF NHDF NCLF FDLF NHDT NCLT FDLT
TOUCH_TH0 = 0x41
RELEASE_TH0 = 0x42
DEBOUNCE = 0x5B
CONFIG1 = 0x5C
CONFIG2 = 0x5D
ECR = 0x5E
CDC0 = 0x5F
CDT0 = 0x6C
GPIO_FIRST, GPIO_LAST = 0x73, 0x7A
AUTOCONFIG0 = 0x7B
AUTOCONFIG1 = 0x7C
USL, LSL, TL = 0x7D, 0x7E, 0x7F
SOFT_RESET = 0x80
RESET_KEY = 0x63
RESET_VALUES = {CONFIG1: 0x10, CONFIG2: 0x24}
OUTPUTS_END = 0x2B            # 0x00..0x2A are outputs: read-only (except OVCF, below)
OVCF = 0x8000                 # status word bit 15
ACFF, ARFF = 0x80, 0x40       # register 0x03 bits 7 and 6
# Writable whatever the mode: ECR, GPIO, soft reset, and 0x01 (to clear OVCF) (§5.11).
ALWAYS_WRITABLE = frozenset({ECR, SOFT_RESET, TOUCH_STATUS + 1,
                             *range(GPIO_FIRST, GPIO_LAST + 1)})

FFI_SAMPLES = (6, 10, 18, 34)
SFI_SAMPLES = (4, 6, 10, 18)
REF_CDC_UA = 16               # the charge the simulated pads' counts are stated at:
REF_CDT_US = 0.5              # the driver's CONFIG1 0x10 / CONFIG2 0x20
REF_FILTER = FFI_SAMPLES[0] * SFI_SAMPLES[0]   # 24 raw conversions per data sample


def cdt_us(code: int) -> float:
    """Charge time of a 3-bit CDT code in us: 0.5 * 2**(code-1); 0 = no charge."""
    return 0.0 if code == 0 else 0.5 * (1 << (code - 1))


@dataclass(frozen=True)
class FilterParams:
    """One scenario of the baseline filter: counts (mhd, nhd), samples (ncl, fdl).
    ``mhd`` is None for the touched scenario, which has none (§5.5)."""

    mhd: int | None
    nhd: int
    ncl: int
    fdl: int


@dataclass(frozen=True)
class Config:
    """What the sampling and filters need from the registers, decoded once per write."""

    period_ns: int            # ESI: time between two data samples
    sfi: int                  # second filter: data = mean of the last ``sfi`` samples
    ffi: int                  # first filter: raw conversions averaged per sample
    cl: int                   # ECR calibration lock: 0 keep, 1 no tracking, 2 load 5 bits,
                              # 3 load 10
    enabled: int              # electrodes 0..enabled-1 are measured
    dt: int                   # debounce: a touch needs dt+1 consecutive samples
    dr: int                   # a release needs dr+1
    rising: FilterParams
    falling: FilterParams
    touched: FilterParams
    charge: tuple[float, ...]  # per electrode: CDC(uA) * CDT(us) / the reference charge
    touch_th: tuple[int, ...]
    release_th: tuple[int, ...]


def decode(regs: bytearray) -> Config:
    """The model's view of the register file ``regs`` (256 bytes)."""
    c1, c2, ecr = regs[CONFIG1], regs[CONFIG2], regs[ECR]
    p = [regs[FILTER_PARAMS + i] for i in range(11)]
    glob_cdc, glob_cdt = c1 & 0x3F, c2 >> 5
    charge = []
    for e in range(N):
        cdc = regs[CDC0 + e] & 0x3F or glob_cdc
        code = (regs[CDT0 + e // 2] >> (4 * (e % 2))) & 0x07 or glob_cdt
        charge.append(cdc * cdt_us(code) / (REF_CDC_UA * REF_CDT_US))
    return Config(
        period_ns=(1 << (c2 & 0x07)) * 1_000_000,
        sfi=SFI_SAMPLES[(c2 >> 3) & 0x03], ffi=FFI_SAMPLES[c1 >> 6],
        cl=ecr >> 6, enabled=min(ecr & 0x0F, N),
        dt=regs[DEBOUNCE] & 0x07, dr=(regs[DEBOUNCE] >> 4) & 0x07,
        rising=FilterParams(p[0] & 0x3F, p[1] & 0x3F, p[2], p[3]),
        falling=FilterParams(p[4] & 0x3F, p[5] & 0x3F, p[6], p[7]),
        touched=FilterParams(None, p[8] & 0x3F, p[9], p[10]),
        charge=tuple(charge),
        touch_th=tuple(regs[TOUCH_TH0 + 2 * e] for e in range(N)),
        release_th=tuple(regs[RELEASE_TH0 + 2 * e] for e in range(N)),
    )


def running(ecr: int) -> bool:
    """Run mode: any electrode or the proximity channel enabled (ECR bits 5:0 != 0)."""
    return bool(ecr & 0x3F)


@dataclass(frozen=True)
class AutoConfig:
    """Auto-configuration settings (0x7B..0x7F, §5.13): limits are 8-bit, compared with
    the upper 8 bits of the 10-bit data."""

    enabled: bool             # ACE: run at every stop -> run transition
    reconfigure: bool         # ARE (stored; the model reconfigures only on ACE)
    bva: int                  # baseline value adjust after configuring, coded like ECR's CL
    skip_time_search: bool    # SCTS: keep the global CDT, search only the current
    usl: int
    lsl: int
    tl: int
    ffi: int                  # must equal CONFIG1's FFI

    def problems(self, config1: int) -> list[str]:
        """Why these settings cannot work (an empty list when they can)."""
        out = []
        if self.ffi != config1 >> 6:
            out.append("AUTO-CONFIG FFI differs from CONFIG1's FFI")
        if not self.lsl <= self.tl <= self.usl:
            out.append(f"limits must satisfy LSL <= TL <= USL (got {self.lsl}, {self.tl}, "
                       f"{self.usl})")
        if self.usl == 0:
            out.append("USL is 0")
        return out


def autoconfig(regs: bytearray) -> AutoConfig:
    a0, a1 = regs[AUTOCONFIG0], regs[AUTOCONFIG1]
    return AutoConfig(enabled=bool(a0 & 1), reconfigure=bool(a0 & 2), bva=(a0 >> 2) & 3,
                      skip_time_search=bool(a1 & 0x80), usl=regs[USL], lsl=regs[LSL],
                      tl=regs[TL], ffi=a0 >> 6)


def limits_for_vdd(vdd: float) -> tuple[int, int, int]:
    """(USL, LSL, TL) the data sheet suggests for a supply of ``vdd`` volts (§5.13,
    equations 1-3): USL = (Vdd - 0.7) / Vdd * 256, TL = 0.9 USL, LSL = 0.65 USL."""
    usl = (vdd - 0.7) / vdd * 256
    return int(usl), int(usl * 0.65), int(usl * 0.9)
