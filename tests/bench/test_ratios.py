"""The bench's same-run ratios and its cost split (issue 28): computed from the measured
figures, None when one is missing; no timing is asserted."""

from __future__ import annotations

import numpy as np
import pytest

from bench.breakdown import SimTimer
from bench.listen import Recording
from bench.ratios import PAIRS, ratios, table_lines
from bench.targets import check


def test_each_ratio_is_its_two_figures_divided():
    r = {top: 6.0 for _, top, _ in PAIRS} | {bottom: 2.0 for _, _, bottom in PAIRS}
    r["pipeline_p99_ms"], r["polling_p99_ms"] = 0.5, 10.0
    out = ratios(r)
    assert set(out) == {key for key, _, _ in PAIRS}
    assert out["ratio_polling_over_irq_p99"] == pytest.approx(20.0)
    assert out["ratio_pipeline_p99_over_p50"] == pytest.approx(0.5 / 2.0)
    assert out["ratio_48pads_last_over_1pad_p99"] == pytest.approx(6.0 / 0.5)
    assert out["ratio_event_over_noteon"] == pytest.approx(3.0)


def test_a_ratio_whose_figure_was_not_measured_is_none_and_prints_na():
    out = ratios({"polling_p99_ms": 10.0, "pipeline_p99_ms": None, "pipeline_p50_ms": 0.0,
                  "render_x_realtime": float("nan"), "bare_render_x_realtime": 40.0})
    assert out["ratio_polling_over_irq_p99"] is None
    assert out["ratio_pipeline_p99_over_p50"] is None         # a zero denominator
    assert out["ratio_render_over_bare"] is None              # NaN
    text = "\n".join(table_lines(out))
    assert "RATIOS" in text and "n/a" in text


def test_the_issue_28_targets_are_checked_on_the_ratio_keys():
    verdicts = {k: ok for k, _op, _lim, _m, _v, ok in check({
        "ratio_polling_over_irq_p99": 5.0, "ratio_pipeline_p99_over_p50": 3.5,
        "ratio_48pads_last_over_1pad_p99": 1.2, "storm_engine_busy_percent": 40.0,
        "storm_queue_high_water": 6000})}
    assert verdicts["ratio_polling_over_irq_p99"] and verdicts["ratio_48pads_last_over_1pad_p99"]
    assert verdicts["storm_engine_busy_percent"]
    assert not verdicts["ratio_pipeline_p99_over_p50"]
    assert not verdicts["storm_queue_high_water"]


def test_the_sim_timer_counts_nested_model_calls_once():
    class Chip:
        def _sync(self, n):
            return self._refresh(n) + 1

        def _refresh(self, n):
            return n

    class World:
        _chips = {0x5A: Chip()}
    timer = SimTimer().attach(World())
    chip = World._chips[0x5A]
    assert chip._sync(1) == 2
    assert timer.calls == 1                     # _refresh ran inside _sync: not again
    with timer.inside():
        chip._sync(1)
    assert timer.calls == 1 and timer.seconds >= 0


def test_a_window_with_an_xrun_is_not_xrun_free():
    block = 64
    stamps = np.arange(10, dtype=np.int64) * 1_000_000
    frames = np.arange(10, dtype=np.int64) * block
    frames[6:] += block                         # cycle 6 came a period late: an xrun
    rec = Recording(np.zeros(10 * block, np.float32), stamps, block, 48000, frames)
    assert rec.xrun_free(1_000_000, 4_000_000)
    assert not rec.xrun_free(4_000_000, 8_000_000)
    assert not Recording(rec.audio, stamps, block, 48000).xrun_free(0, 1)   # not recorded


def test_the_pi_projection_scales_the_storm_by_the_reference_workload():
    from bench import reference
    assert reference.nbody(10) == reference.nbody(10)          # deterministic
    here = reference.PI4_S_PER_MILLION / 4.0                     # a machine 4x a Pi 4
    out = reference.project({"nbody_s_per_million": here, "storm_us_per_event": 100.0,
                             "storm_offered_events_per_s": 3800.0})
    assert out["pi4_factor"] == pytest.approx(4.0)
    assert out["pi5_factor"] == pytest.approx(4.0 / reference.PI5_OVER_PI4)
    assert out["pi4_storm_us_per_event"] == pytest.approx(400.0)
    assert out["pi4_storm_core_percent_2x"] == pytest.approx(400.0 * 3800 / 1e4)
    assert reference.project({}) == {}
