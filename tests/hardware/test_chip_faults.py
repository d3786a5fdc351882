"""Over-current and out-of-range on the simulated MPR121.

Section numbers are those of the NXP MPR121 data sheet (Rev. 4, 02/2013)."""

import adafruit_mpr121
from chip_fixtures import make_rig

from hardware.chip.registers import limits_for_vdd

USL, LSL, TL = 201, 131, 181


def running():
    r = make_rig()
    r.driver()
    r.wait(5)
    return r


def test_over_current_stops_the_chip_and_clears_its_outputs():
    # §5.1 OVCF: "All other bits in status registers 0x00~0x03, output registers
    # 0x04~0x2A, and bits D5~D0 in ECR (0x5E) are cleared", and IRQ falls (the status
    # register changed).
    r = running()
    r.chip.touch(3)
    r.wait(5)
    r.mpr.touched()
    r.chip.set_overcurrent()
    assert r.chip.irq_low and not r.chip.running
    assert r.mpr.touched() == 0x8000       # only OVCF; the touch bit is gone
    assert r.mpr.filtered_data(3) == 0 and r.mpr.baseline_data(3) == 0
    assert r.chip.register(0x5E) == 0x80   # CL kept, D5..D0 cleared
    r.wait(20)
    assert r.mpr.touched() == 0x8000       # no sampling while stopped


def test_run_is_refused_until_ovcf_is_cleared_and_again_while_the_short_lasts():
    # §5.1: while OVCF is set, a write of ECR to enter run mode is discarded; writing 1
    # to OVCF clears it; with the short still there the next run sets it again.
    r = running()
    r.chip.set_overcurrent()
    r.write((0x5E, 0x8F))
    assert not r.chip.running
    r.write((0x01, 0x80))                  # clear OVCF
    assert r.mpr.touched() == 0
    r.write((0x5E, 0x8F))                  # the short is still there
    assert not r.chip.running and r.chip.overcurrent
    r.chip.set_overcurrent(False)          # the short is repaired
    assert r.chip.overcurrent              # the flag stays until cleared
    r.write((0x01, 0x80), (0x5E, 0x8F))
    assert r.chip.running and not r.chip.overcurrent
    mpr = adafruit_mpr121.MPR121(r.bus, 0x5A)     # and the driver can start it again
    r.wait(5)
    assert mpr.touched() == 0 and mpr.filtered_data(0) == 704


def configure(r, a0=0x09, limits=(USL, LSL, TL)):
    """Auto-configuration on (ACE, BVA = 10, FFI as CONFIG1), then run."""
    usl, lsl, tl = limits
    r.write((0x5E, 0), (0x7D, usl), (0x7E, lsl), (0x7F, tl), (0x7B, a0), (0x5E, 0x8F))
    r.wait(5)


def test_the_limits_for_a_3_3_v_supply():
    # §5.13 equations 1-3: USL = (Vdd - 0.7) / Vdd x 256, TL = 0.9 USL, LSL = 0.65 USL.
    assert limits_for_vdd(3.3) == (USL, LSL, TL)


def test_auto_configuration_picks_a_charge_near_the_target_level():
    # §5.13: CDC and CDT are searched to bring data >> 2 closest to TL (181 = 724 counts).
    r = running()
    r.chip.set_rest(1, 352)                # a pad of twice the capacitance
    r.chip.set_rest(2, 100)                # a very big pad or a long wire
    configure(r)
    assert r.chip.register(0x5F + 0) == 16 and r.chip.data(0) == 704   # 176, next 187
    assert r.chip.data(1) >> 2 in range(TL - 6, TL + 7)
    assert r.chip.data(2) >> 2 in range(TL - 6, TL + 7)
    assert r.chip.register(0x02) == 0 and r.chip.register(0x03) == 0   # all in range
    untouched = r.chip.data(1)
    r.chip.touch(1)                        # its touch drop grows with the charge too
    r.wait(5)
    assert untouched - r.chip.data(1) > 1.9 * 96 and r.mpr.touched() == 1 << 1


def test_an_electrode_that_cannot_be_brought_in_range_is_out_of_range():
    # §5.12: OOR bits for electrodes failing the range check, ACFF (0x03 bit 7) set;
    # they clear when a later configuration passes. OORIE (0x7C bit 2) raises IRQ.
    r = running()
    r.chip.short(4)                        # reads 0 whatever the charge
    r.write((0x5E, 0), (0x7C, 0x04))
    configure(r)
    assert r.chip.register(0x02) == 1 << 4 and r.chip.register(0x03) & 0x80
    assert r.chip.irq_low
    r.chip.short(4, on=False)
    configure(r)
    assert r.chip.register(0x02) == 0 and r.chip.register(0x03) == 0


def test_settings_that_cannot_work_fail_every_electrode():
    # §5.13: the FFI bits of AUTO-CONFIG 0 must equal CONFIG1's; LSL <= TL <= USL.
    r = running()
    configure(r, a0=0x49)                  # FFI 01 while CONFIG1 says 00
    assert r.chip.register(0x02) == 0xFF and r.chip.register(0x03) & 0x0F == 0x0F
    configure(r, limits=(USL, TL, LSL))    # LSL above TL
    assert r.chip.register(0x02) == 0xFF
    configure(r)
    assert r.chip.register(0x02) == 0
