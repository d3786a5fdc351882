"""The bench runs in sections; a section that cannot measure says why and the rest go on.

A benchmark measures the machine it runs on: a JACK server that never gets its
deadlines, a listener that does not answer, a daemon that does not start. None of that
may end ``make bench`` with a traceback or hang it. Each section runs under ``run``:
its figures are merged into the results, or, when it raises (every child process the
bench waits on has a deadline, so a hang becomes a ``TimeoutError``), each of the keys
it declares is set to ``None`` and ``results["not_measured"][key]`` holds the reason in
words. A section that ran but could not give one figure (no interval free of xruns to
measure a deviation on) returns ``_not_measured: {key: reason}``. The printed table shows
"not measured (why)" for that section.

``KEYS`` declares, per section, the figures the issue and ``bench.targets`` rely on; a
section may write more. A section that needs another's intermediate results (the scale
section reuses the pipeline's) fails with the plain reason that the other one was not
measured.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable

E2E_KEYS = tuple(f"{key}{suffix}" for suffix in ("", "_p128") for key in (
    "e2e_p50_ms", "e2e_p99_ms", "e2e_max_ms", "e2e_jitter_ms", "e2e_xruns",
    "e2e_polling_p99_ms", "e2e_48pads_last_p99_ms", "e2e_period_frames", "e2e_n",
    "e2e_dropped", "e2e_clean_p99_ms", "e2e_clean_n")) + (
    "e2e_noise_start_p99_ms", "e2e_attack_ms", "e2e_polling_over_irq_p99")

KEYS: dict[str, tuple[str, ...]] = {
    "noise": ("noise_start_p50_ms", "noise_start_p99_ms", "noise_start_load_avg"),
    "pipeline": ("pipeline_p50_ms", "pipeline_p99_ms", "pipeline_max_ms", "pipeline_jitter_ms",
                 "pipeline_p99_48pads_ms", "pipeline_jitter_48pads_ms",
                 "pipeline_gc_pause_max_ms"),
    "polling": ("polling_p50_ms", "polling_p99_ms", "polling_over_pipeline_p99"),
    "i2c": ("i2c_transactions_per_touch", "polling_i2c_transactions_per_s",
            "i2c_transactions_per_touch_separate_irq", "polling_i2c_transactions_per_scan"),
    "audio": ("audio_onset_p50_frames", "audio_buffer_latency_ms", "render_x_realtime",
              "limiter_added_latency_ms", "limiter_render_ratio",
              "limiter_cpu_percent_of_core", "limiter_added_latency_frames",
              "limiter_lookahead_frames", "limiter_mix_peak_dbfs", "limiter_ceiling_dbfs",
              "bare_render_x_realtime"),
    "storm": ("storm_events_per_s", "storm_lost_events", "storm_queue_high_water",
              "storm_journal_rows", "storm_engine_busy_percent", "storm_us_per_event",
              "storm_sim_us_per_event", "storm_gc_pause_max_ms", "bare_noteon_us",
              "nbody_s_per_million", "pi4_storm_us_per_event", "pi5_storm_us_per_event"),
    "process": ("idle_cpu_percent", "rss_mb", "startup_s"),
    "scale": ("scale_1p_pipeline_p99_ms", "scale_4p_rss_mb"),
    "e2e": E2E_KEYS,
    "pulse": ("pulse_seconds", "pulse_bpm", "pulse_beats_heard", "pulse_beats_journaled",
              "pulse_intervals", "pulse_clean_intervals", "pulse_deviation_max_frames",
              "pulse_deviation_sd_frames", "pulse_xruns", "pulse_jack_realtime"),
    "budget": ("budget_touch_to_sound_worst_ms", "budget_limiter_ms"),
    "clinic": ("clinic_rows_lost", "clinic_rows_duplicated", "clinic_lag_p99_s",
               "clinic_report_total_s", "clinic_touch_p99_on_over_off",
               "clinic_e2e_p99_on_over_off"),
}


def reason_of(exc: BaseException) -> str:
    """One line a reader understands: what failed and where in the bench."""
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if "/bench/" in frame.filename.replace("\\", "/"):
            where = f" (at bench/{frame.filename.rsplit('/bench/', 1)[-1]}:{frame.lineno})"
            break
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:300]}{where}"


def run(results: dict, name: str, measure: Callable[[], dict], say=print) -> bool:
    """Run one section; merge its figures, or mark its keys not measured. True if it ran."""
    try:
        out = measure()
        notes = out.pop("_not_measured", {})     # figures a section could not give
        results.update(out)
        results.setdefault("not_measured", {}).update(notes)
        return True
    except KeyboardInterrupt:
        raise
    except Exception as exc:      # a measurement that failed is a figure, not a crash
        why = reason_of(exc)
        skip(results, name, why)
        say(f"      ... not measured: {why}")
        return False


def skip(results: dict, name: str, why: str) -> None:
    """Mark every declared key of section ``name`` that has no figure as not measured."""
    missing = results.setdefault("not_measured", {})
    for key in KEYS.get(name, ()):
        if results.get(key) is None:
            results[key] = None
            missing[key] = why
    missing.setdefault(f"section:{name}", why)


def lines(results: dict, name: str, make: Callable[[dict], list[str]]) -> list[str]:
    """A section's printed rows, or one row saying why it has none."""
    why = results.get("not_measured", {}).get(f"section:{name}")
    if why is None:
        try:
            return make(results)
        except (KeyError, TypeError, ValueError) as exc:
            why = f"its figures are incomplete ({reason_of(exc)})"
    return ["", f"  {name.upper()}: not measured ({why})"]
