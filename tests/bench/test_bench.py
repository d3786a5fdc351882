"""Smoke test of ``python -m bench``: it runs end to end and writes every figure.

No timing is asserted here (speed belongs in the benchmark's own PASS/MISS output):
only that the quick run exits 0 and results.json holds every key the issue asks for,
as finite numbers, and that the counts which are facts rather than timings hold.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

from conftest import ROOT


REQUIRED = (
    "pipeline_p50_ms", "pipeline_p99_ms", "pipeline_p99_48pads_ms", "polling_p50_ms",
    "polling_p99_ms", "i2c_transactions_per_touch", "polling_i2c_transactions_per_s",
    "storm_events_per_s", "storm_lost_events", "idle_cpu_percent", "rss_mb", "startup_s",
    "render_x_realtime",
    # the extras the docs quote
    "pipeline_max_ms", "pipeline_jitter_ms", "pipeline_jitter_48pads_ms",
    "polling_over_pipeline_p99", "storm_queue_high_water", "audio_onset_p50_frames",
    "audio_buffer_latency_ms", "scale_1p_pipeline_p99_ms", "scale_4p_rss_mb",
    "budget_touch_to_sound_worst_ms",
    # the output ceiling (issue 14)
    "limiter_added_latency_ms", "limiter_render_ratio", "limiter_cpu_percent_of_core",
    "budget_limiter_ms",
    # issue 28: the same-run ratios' own figures, the storm's split and GC pauses
    "bare_render_x_realtime", "bare_noteon_us", "storm_us_per_event",
    "storm_sim_us_per_event", "storm_engine_busy_percent", "storm_gc_pause_max_ms",
    "pipeline_gc_pause_max_ms",
)
RATIOS = ("ratio_polling_over_irq_p99", "ratio_polling_over_irq_p50",
          "ratio_pipeline_p99_over_p50", "ratio_48pads_last_over_1pad_p99",
          "ratio_render_over_bare", "ratio_event_over_noteon", "ratio_noise_p99_over_p50")
E2E = tuple(f"{key}{suffix}" for suffix in ("", "_p128") for key in (   # issue 17's keys
    "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms", "e2e_jitter_ms", "e2e_xruns",
    "e2e_polling_p99_ms", "e2e_48pads_last_p99_ms", "e2e_period_frames")) + (
    "e2e_noise_start_p99_ms", "e2e_attack_ms")
PULSE = ("pulse_beats_heard", "pulse_beats_journaled", "pulse_clean_intervals", "pulse_xruns",
         "pulse_deviation_max_frames")

CLINIC = ("clinic_rows_lost", "clinic_rows_duplicated", "clinic_lag_p99_s",    # issue 26
          "clinic_report_total_s", "clinic_touch_p99_on_over_off",
          "clinic_e2e_p99_on_over_off")


def figure_or_reason(results: dict, key: str) -> str | None:
    """None if ``key`` is a finite number, or an explicit null with a reason; else what
    is wrong with it."""
    value = results.get(key, "absent")
    if value is None:
        why = results.get("not_measured", {}).get(key)
        return None if isinstance(why, str) and why.strip() else f"{key}: null without a reason"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"{key}: {value!r}"
    return None


def measured(results: dict, key: str) -> bool:
    return results.get(key) is not None


def test_quick_bench_writes_every_figure_or_says_why_not(tmp_path):
    """Every key is a number or null with a reason: the bench never ends in a traceback,
    whatever the machine's load does to its JACK server or its children."""
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("GPIOZERO_PIN_FACTORY", None)
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr, done.stderr[-2000:]
    assert "TARGETS" in done.stdout
    results = json.loads((tmp_path / "results.json").read_text())
    bad = [b for k in REQUIRED + E2E + PULSE + CLINIC if (b := figure_or_reason(results, k))]
    assert not bad, f"missing, not finite, or null without a reason: {bad}"
    assert results["bench_quick"] == 1
    assert {t["key"] for t in results["targets"]} >= {"pipeline_p99_ms", "storm_lost_events",
                                                      "idle_cpu_percent", "rss_mb"}
    # Facts, not timings (where their section ran): what the shipped wiring costs on the
    # bus, the storm's count, the limiter's exact delay and ceiling.
    # the ratios are the measured figures divided, in the same run (None: not measured)
    from bench.ratios import PAIRS
    for key, top, bottom in PAIRS:
        if measured(results, top) and measured(results, bottom) and results[bottom]:
            assert results[key] == results[top] / results[bottom], key
        else:
            assert results[key] is None, key
    assert set(RATIOS) <= set(results)
    if measured(results, "e2e_clean_n"):
        assert results["e2e_clean_n"] <= results["e2e_n"]
    if measured(results, "i2c_transactions_per_touch"):
        assert results["i2c_transactions_per_touch"] == 4       # 4 boards share one IRQ line
        assert results["i2c_transactions_per_touch_separate_irq"] == 1
        assert results["polling_i2c_transactions_per_scan"] == 48
    if measured(results, "storm_lost_events"):
        assert results["storm_lost_events"] == 0
        assert results["storm_journal_rows"] > 0
    if measured(results, "limiter_added_latency_frames"):
        assert results["limiter_added_latency_frames"] == results["limiter_lookahead_frames"]
        assert results["limiter_mix_peak_dbfs"] <= results["limiter_ceiling_dbfs"]
    if measured(results, "e2e_period_frames"):
        assert results["e2e_period_frames"] == 64 and results["e2e_period_frames_p128"] == 128
        assert results["e2e_n"] + results["e2e_dropped"] == 8     # every quick touch counted
    if measured(results, "clinic_rows_lost"):        # 4 rooms, 20 partitions, 2 kills
        assert results["clinic_rows_lost"] == 0 and results["clinic_rows_duplicated"] == 0
        assert results["clinic_partitions"] == 20 and results["clinic_kills"] == 2
        assert results["clinic_rows_per_room"] > 0
        assert results["clinic_report_metric_rows"] >= results["clinic_report_sessions"]
    if measured(results, "pulse_beats_heard"):
        assert results["pulse_bpm"] == 100 and results["pulse_clean_intervals"] <= \
            results["pulse_intervals"]


def test_a_section_that_fails_is_reported_not_measured_with_its_reason():
    from bench import sections

    results: dict = {"pipeline_p50_ms": 0.3}
    printed: list[str] = []

    def broken() -> dict:
        raise TimeoutError("the listener did not answer within 60 s")
    assert sections.run(results, "pipeline", broken, printed.append) is False
    assert results["pipeline_p50_ms"] == 0.3                 # a figure it had stays
    assert results["pipeline_p99_ms"] is None
    assert "TimeoutError: the listener did not answer within 60 s" in \
        results["not_measured"]["pipeline_p99_ms"]
    assert printed == ["      ... not measured: " + results["not_measured"]["section:pipeline"]]
    rows = sections.lines(results, "pipeline", lambda r: ["never"])
    assert rows[-1].startswith("  PIPELINE: not measured (TimeoutError")
    assert sections.run(results, "storm", lambda: {"storm_lost_events": 0}) is True
    assert sections.lines(results, "storm", lambda r: ["ok"]) == ["ok"]


def test_at_once_lands_many_touches_on_one_irq_edge(mock_pins):
    """The world action the 48-pad benchmark uses: changes made inside ``at_once`` reach
    the station together, when the block ends, through one edge of the shared line."""
    from hardware.sim import SimulatedHardware
    from hardware.spec import BoardSpec, HardwareSpec
    from station.core.clock import VirtualClock

    events = []
    spec = HardwareSpec(boards=(BoardSpec(0x5A, 4), BoardSpec(0x5B, 4)))
    world = SimulatedHardware(spec, events.append, VirtualClock())
    world.start()
    world.run_for(5)                    # the chips' first samples
    before = world.bus.transactions
    with world.at_once():
        for address in (0x5A, 0x5B):
            for e in range(12):
                world.touch(address, e)
        world.run_for(1)                # the chips' next sample sees every hand
        assert events == [], "nothing reaches the station inside the block"
        assert world.line_low(4)
    assert [(ev.kind, ev.board) for ev in events].count(("touch", 0x5A)) == 12
    assert [(ev.kind, ev.board) for ev in events].count(("touch", 0x5B)) == 12
    assert world.bus.transactions - before == 2, "one read per board on the line"
    assert not world.line_low(4)
    world.close()
