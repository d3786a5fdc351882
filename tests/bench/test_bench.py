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

from bench.jack import jackd_path

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
)
E2E = tuple(f"{key}{suffix}" for suffix in ("", "_p128") for key in (   # issue 17's keys
    "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms", "e2e_jitter_ms", "e2e_xruns",
    "e2e_polling_p99_ms", "e2e_48pads_last_p99_ms", "e2e_period_frames"))


def test_quick_bench_writes_every_figure(tmp_path):
    env = dict(os.environ, XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("GPIOZERO_PIN_FACTORY", None)
    done = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "TARGETS" in done.stdout and ("PASS" in done.stdout or "MISS" in done.stdout)
    results = json.loads((tmp_path / "results.json").read_text())
    bad = [k for k in REQUIRED if not isinstance(results.get(k), (int, float))
           or isinstance(results.get(k), bool) or not math.isfinite(results[k])]
    assert not bad, f"missing or not finite: {bad}"
    if jackd_path() is not None:     # the end-to-end section needs a JACK server
        bad = [k for k in E2E + ("e2e_noise_start_p99_ms", "e2e_attack_ms")
               if not isinstance(results.get(k), (int, float)) or not math.isfinite(results[k])]
        assert not bad, f"e2e keys missing or not finite: {bad}"
        assert results["e2e_period_frames"] == 64 and results["e2e_period_frames_p128"] == 128
        assert results["e2e_n"] + results["e2e_dropped"] == 8     # every quick touch counted
        assert {"e2e_p99_ms", "e2e_48pads_last_p99_ms"} <= {t["key"] for t in results["targets"]}
    assert results["bench_quick"] == 1
    assert {t["key"] for t in results["targets"]} >= {"pipeline_p99_ms", "storm_lost_events",
                                                      "idle_cpu_percent", "rss_mb"}
    # Facts, not timings: what the shipped wiring costs on the bus, and the storm's count.
    assert results["i2c_transactions_per_touch"] == 4       # 4 boards share one IRQ line
    assert results["i2c_transactions_per_touch_separate_irq"] == 1
    assert results["polling_i2c_transactions_per_scan"] == 48
    assert results["storm_lost_events"] == 0
    assert results["storm_journal_rows"] > 0
    # the limiter delays by exactly its look-ahead, and its output stays under the ceiling
    assert results["limiter_added_latency_frames"] == results["limiter_lookahead_frames"]
    assert results["limiter_mix_peak_dbfs"] <= results["limiter_ceiling_dbfs"]


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
