"""``python -m bench [--quick] [--out DIR]``: run every benchmark, print, write JSON.

Writes ``DIR/results.json`` (default ``out/bench``): a flat object of numbers (plus a
few labels) and a ``targets`` list of PASS/MISS. The printed table explains each line.
Everything runs in this process except the cost measurement, which starts a real
``station run --hardware sim --no-audio``. Exit code 0 even when a target is missed
(the figures are the product); 1 only if a measurement could not run at all.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from bench import audio, e2e, i2c, limiter, noise, pipeline, polling, process, storm
from bench.jack import jackd_path
from bench.rig import run_daemon, write_config
from bench.stats import flat, fmt_ms, summary_ms
from bench.targets import budget, check

FULL = dict(probe=2000, touches=2000, reps=200, scale_touches=500, scale_reps=60,
            separate_touches=1000, polling=2000, idle_i2c_s=2.0, render_s=20.0, storm_s=60.0,
            idle_s=20.0, limiter_s=20.0, e2e_touches=300, e2e_bursts=50, e2e_polling=300,
            e2e_probe=1000)
QUICK = dict(probe=50, touches=30, reps=3, scale_touches=10, scale_reps=2, separate_touches=10,
             polling=30, idle_i2c_s=0.3, render_s=0.5, storm_s=1.0, idle_s=1.0,
             limiter_s=0.5, e2e_touches=8, e2e_bursts=3, e2e_polling=8, e2e_probe=50)


def say(text: str) -> None:
    print(text, flush=True)


def run_all(sizes: dict, tmp: Path, quick: bool) -> dict:
    r: dict = {}
    say("[0/8] machine noise probe ...")
    before = noise.probe(sizes["probe"])
    r.update(flat("noise_start", before["probe"]))
    r["noise_start_load_avg"] = before["load_avg"]
    say("[1/8] pipeline latency, 4 players x 12 pads, IRQ lines shared (as shipped) ...")
    cfg = write_config(tmp / "p4", quick_start=True)
    with noise.GcWatch() as watch:
        p = pipeline.measure(cfg, touches=sizes["touches"], reps=sizes["reps"])
    r["pipeline_gc_pause_max_ms"] = watch.worst_ms()
    r["pipeline_gc_gen2_collections"] = watch.count(2)
    r.update(flat("pipeline", p["single"]))
    r.update(flat("pipeline_sinks", p["single_sinks"]))
    r.update(flat("pipeline_inline", p["inline"]))
    r.update(flat("pipeline_48pads", p["burst"]))
    r.update(flat("pipeline_48pads_last", p["burst_last"]))
    for stat in ("p50", "p99", "max", "jitter"):    # the key names
        r[f"pipeline_{stat}_48pads_ms"] = r[f"pipeline_48pads_{stat}_ms"]
    r["pipeline_48pads_per_note_ms"] = p["burst_last"]["median"] / p["burst_pads"]
    say("      ... and with one IRQ line per board")
    sep = write_config(tmp / "sep", irq="separate", quick_start=True)
    s = run_daemon(sep, pipeline.single_touches(sizes["separate_touches"], 5, True))
    r.update(flat("pipeline_separate_irq", summary_ms(s["note"])))
    tx_sep = sorted(s["tx"])[len(s["tx"]) // 2]

    say("[2/8] the usual approach: poll every electrode every 10 ms ...")
    q = polling.measure(tmp / "p4", sizes["polling"])
    r.update(flat("polling", q["latency"]))
    r.update(flat("polling_scan", q["scan"]))
    r["polling_over_pipeline_p99"] = r["polling_p99_ms"] / r["pipeline_p99_ms"]
    r["polling_over_pipeline_p50"] = r["polling_p50_ms"] / r["pipeline_p50_ms"]
    r["polling_over_pipeline_jitter"] = r["polling_jitter_ms"] / r["pipeline_jitter_ms"]

    say("[3/8] I2C cost ...")
    idle_tx, idle_bytes = run_daemon(cfg, i2c.idle_driver(sizes["idle_i2c_s"]))
    r.update(i2c.cost(p["tx_per_edge"], p["bytes_per_edge"], q["tx_per_scan"],
                      q["bytes_per_scan"], q["tx_per_s"], idle_tx, idle_bytes))
    r["i2c_transactions_per_touch_separate_irq"] = tx_sep

    say("[4/8] audio path and render speed ...")
    a = audio.onsets()
    frames = a.pop("frames")
    r.update({k: v for k, v in a.items() if k != "audio_onset_slowest"})
    r["render_x_realtime"] = audio.render_speed(sizes["render_s"])
    say("      ... and the output ceiling's limiter: the latency and the CPU it adds")
    r.update(limiter.measure(sizes["limiter_s"]))

    say(f"[5/8] tremor storm: 48 electrodes at 20 Hz for {sizes['storm_s']:g} s of virtual "
        f"time (run at 2x real time) ...")
    r.update(storm.measure(write_config(tmp / "storm", quick_start=True), sizes["storm_s"]))

    say(f"[6/8] cost: a real `station run --hardware sim --no-audio`, idle for "
        f"{sizes['idle_s']:g} s ...")
    r.update(process.measure(tmp / "cost", idle_s=sizes["idle_s"], quick_start=quick))

    say("[7/8] scale: 1 to 4 players (12 to 48 pads) ...")
    for n in (1, 2, 3, 4):
        if n == 4:
            single, burst = p["single"], p["burst"]
            rss = r["rss_mb"]
        else:
            c = write_config(tmp / f"scale{n}", players=n, quick_start=True)
            single = summary_ms(run_daemon(c, pipeline.single_touches(
                sizes["scale_touches"], n, True))["note"])
            burst = summary_ms(run_daemon(c, pipeline.bursts(
                sizes["scale_reps"], n))["note"])
            rss = process.measure(tmp / f"scale{n}", players=n, idle_s=0,
                                  quick_start=quick)["rss_mb"]
        r[f"scale_{n}p_pipeline_p50_ms"] = single["median"]
        r[f"scale_{n}p_pipeline_p99_ms"] = single["p99"]
        r[f"scale_{n}p_all_pads_p99_ms"] = burst["p99"]
        r[f"scale_{n}p_all_pads_max_ms"] = burst["max"]
        r[f"scale_{n}p_rss_mb"] = rss
    if jackd_path() is None:
        say("[8/8] end to end on JACK: SKIPPED, jackd is not installed (apt: jackd2)")
    else:
        say(f"[8/8] end to end on JACK: jackd dummy at 64 and 128 frames, the daemon on "
            f"FluidSynth's jack driver, {sizes['e2e_touches']} touches, "
            f"{sizes['e2e_bursts']} 48-pad bursts and {sizes['e2e_polling']} polled touches "
            f"per period ...")
        r.update(e2e.measure(tmp, touches=sizes["e2e_touches"], bursts=sizes["e2e_bursts"],
                             polling=sizes["e2e_polling"], probe=sizes["e2e_probe"]))
    after = noise.probe(sizes["probe"])
    r.update(flat("noise_end", after["probe"]))
    r["noise_end_load_avg"] = after["load_avg"]
    r.update(budget(r))
    r["_audio_onset_frames"] = frames
    r["_audio_onset_slowest"] = a["audio_onset_slowest"]
    return r


def table(r: dict) -> str:
    def lat(label, prefix):
        return (f"  {label:<44} {fmt_ms(r[prefix + '_p50_ms']):>8}"
                f" {fmt_ms(r[prefix + '_p99_ms']):>8}"
                f" {fmt_ms(r[prefix + '_max_ms']):>8} {fmt_ms(r[prefix + '_jitter_ms']):>8}"
                f"  n={r[prefix + '_n']}")
    lines = [f"  {'LATENCY (ms)':<44} {'median':>8} {'p99':>8} {'max':>8} {'jitter':>8}",
             lat("machine noise: fixed 0.05 ms task, at start", "noise_start"),
             lat("  ... at the end", "noise_end"),
             lat("IRQ edge -> note-on, 1 pad (daemon threads)", "pipeline"),
             lat("  ... -> journal queued and lights set", "pipeline_sinks"),
             lat("  ... same code in one thread (no hand-off)", "pipeline_inline"),
             lat("  ... one IRQ line per board", "pipeline_separate_irq"),
             lat("IRQ edge -> note-on, 48 pads at once", "pipeline_48pads"),
             lat("  ... edge -> the 48th note", "pipeline_48pads_last"),
             lat("polling every 10 ms (usual approach)", "polling"),
             lat("  ... cost of one 48-pad scan", "polling_scan"),
             f"  load average {r['noise_start_load_avg']:.2f} at start, "
             f"{r['noise_end_load_avg']:.2f} at the end; GC during the pipeline runs: "
             f"{r['pipeline_gc_gen2_collections']} full collections, longest pause "
             f"{r['pipeline_gc_pause_max_ms']:.2f} ms. A noise p99 far above its median means"
             f" other processes took the CPU: the tails below then show the machine, not us.",
             f"  polling / ours: p99 x{r['polling_over_pipeline_p99']:.1f}, median "
             f"x{r['polling_over_pipeline_p50']:.1f}, "
             f"jitter x{r['polling_over_pipeline_jitter']:.1f}",
             "", "  I2C (wire time modelled: 9 clocks/byte + start/stop; see bench/i2c.py)",
             f"  IRQ mode: {r['i2c_transactions_per_touch']:g} transactions, "
             f"{r['i2c_bytes_per_touch']:g} bytes per touch (shared IRQ line reads all 4 boards; "
             f"{r['i2c_transactions_per_touch_separate_irq']:g} with one line per board) = "
             f"{r['i2c_wire_ms_per_touch_400k']:.2f} ms at 400 kHz, "
             f"{r['i2c_wire_ms_per_touch_100k']:.2f} ms at 100 kHz",
             f"  IRQ mode idle: {r['irq_idle_i2c_transactions_per_s']:.0f} transactions/s "
             f"(lost-board heartbeat), bus {r['irq_idle_bus_busy_percent_100k']:.1f} % busy "
             "at 100 kHz",
             f"  polling: {r['polling_i2c_transactions_per_scan']:g} transactions per scan, "
             f"{r['polling_i2c_transactions_per_s']:.0f}/s; one scan is "
             f"{r['polling_scan_wire_ms_400k']:.2f} ms on the wire at 400 kHz "
             f"({r['polling_bus_busy_percent_400k']:.0f} % of the bus), "
             f"{r['polling_scan_wire_ms_100k']:.2f} ms at 100 kHz "
             f"({r['polling_bus_busy_percent_100k']:.0f} %: cannot keep 10 ms)",
             "", "  AUDIO",
             f"  note-on -> first sound (offline, {r['audio_timbres']} timbres): median "
             f"{r['audio_onset_p50_frames']:.0f} frames ({r['audio_onset_p50_ms']:.2f} ms), max "
             f"{r['audio_onset_max_frames']:.0f} ({r['audio_onset_max_ms']:.2f} ms, "
             f"{r['_audio_onset_slowest']})",
             f"  configured buffer: {r['audio_periods']} x {r['audio_period_size']} frames at "
             f"{r['audio_sample_rate']} Hz = {r['audio_buffer_latency_ms']:.2f} ms; "
             f"render speed x{r['render_x_realtime']:.0f} real time",
             f"  output ceiling {r['limiter_ceiling_dbfs']:g} dBFS: the limiter adds "
             f"{r['limiter_added_latency_frames']} frames ({r['limiter_added_latency_ms']:.2f} ms"
             f", by onset); {r['limiter_cpu_percent_of_core']:.2f} % of a core "
             f"({r['limiter_us_per_64_frames']:.1f} us per 64-frame block); a busy mix renders "
             f"x{r['limiter_render_x_realtime']:.1f} with it, x"
             f"{r['limiter_bypassed_render_x_realtime']:.1f} without (ratio "
             f"{r['limiter_render_ratio']:.2f}); its peak {r['limiter_mix_peak_dbfs']:.2f} dBFS",
             "", "  LOAD: tremor storm",
             f"  {r['storm_raw_events']} raw events in {r['storm_seconds_virtual']:g} s "
             f"(offered {r['storm_offered_events_per_s']:.0f}/s at x{r['storm_speed']:g}); "
             f"capacity {r['storm_events_per_s']:.0f} events/s of engine time (busy "
             f"{r['storm_engine_busy_percent']:.0f} %); journal queue high-water "
             f"{r['storm_queue_high_water']}; lost {r['storm_lost_events']} "
             f"({r['storm_journal_rows']} rows counted in SQLite)",
             "", "  COST: station run --hardware sim --no-audio",
             f"  start-up to ready {r['startup_s']:.2f} s (socket answers after "
             f"{r['startup_socket_s']:.2f} s; includes the {r['startup_hands_off_s']:g} s "
             f"hands-off cue); RSS "
             f"{r['rss_mb']:.1f} MB; idle CPU {r['idle_cpu_percent']:.2f} % over "
             f"{r['idle_window_s']:.0f} s",
             "", "  SCALE  players  pads  1-pad p50/p99 ms   all-pads p99/max ms   RSS MB"]
    for n in (1, 2, 3, 4):
        lines.append(f"         {n:>7} {12 * n:>5}  {fmt_ms(r[f'scale_{n}p_pipeline_p50_ms']):>7}"
                     f" / {fmt_ms(r[f'scale_{n}p_pipeline_p99_ms']):<7}"
                     f"  {fmt_ms(r[f'scale_{n}p_all_pads_p99_ms']):>8} / "
                     f"{fmt_ms(r[f'scale_{n}p_all_pads_max_ms']):<8}  "
                     f"{r[f'scale_{n}p_rss_mb']:6.1f}")
    if "e2e_p99_ms" in r:
        lines += e2e.table_lines(r)
    lines += ["", "  PI BUDGET (modelled; docs/performance.md): touch -> sound "
              f"{r['budget_touch_to_sound_best_ms']:.1f}..{r['budget_touch_to_sound_worst_ms']:.1f}"
              f" ms + timbre attack (median {r['budget_attack_p50_ms']:.2f} ms); "
              f"jitter peak-to-peak {r['budget_jitter_peak_to_peak_ms']:.2f} ms, "
              f"sd {r['budget_jitter_sd_ms']:.2f} ms"]
    if "budget_touch_to_speaker_p99_ms" in r:
        lines.append(f"  with the measured end to end "
                     f"(p99 {r['budget_measured_e2e_p99_ms']:.2f} ms, "
                     f"attack included) + 1 ms chip sample + the read on the wire + the card's "
                     f"buffer: touch -> speaker p99 {r['budget_touch_to_speaker_p99_ms']:.1f} ms")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny sample counts (a smoke test: the figures mean nothing)")
    parser.add_argument("--out", default="out/bench", help="folder for results.json")
    args = parser.parse_args(argv)
    os.environ.setdefault("STATION_LOG", "WARNING")
    import logging
    logging.basicConfig(level=logging.WARNING, format="station: %(message)s")
    started = time.perf_counter()
    say(f"station benchmarks{' (QUICK: figures mean nothing)' if args.quick else ''} on "
        f"{platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="station-bench-") as tmp:
        results = run_all(QUICK if args.quick else FULL, Path(tmp), args.quick)
    results["bench_quick"] = int(args.quick)
    results["bench_wall_s"] = time.perf_counter() - started
    results["bench_cpus"] = os.cpu_count()
    results["bench_load_avg_1min"] = os.getloadavg()[0]
    verdicts = check(results)
    results["targets"] = [{"key": k, "target": f"{op} {lim:g}", "value": v, "pass": ok,
                           "meaning": m} for k, op, lim, m, v, ok in verdicts]
    say("\n" + table(results) + "\n\n  TARGETS")
    for k, op, lim, m, v, ok in verdicts:
        shown = "n/a" if not isinstance(v, (int, float)) or math.isnan(v) else f"{v:.3g}"
        say(f"  {'PASS' if ok else 'MISS'}  {k:<28} {shown:>9} {op} {lim:<6g} {m}")
    missed = sum(not ok for *_, ok in verdicts)
    say(f"\n  {len(verdicts) - missed} of {len(verdicts)} targets met; load average "
        f"{results['bench_load_avg_1min']:.2f} on {results['bench_cpus']} CPUs (other work "
        f"on the machine adds to the tails). Took {results['bench_wall_s']:.0f} s.")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    path.write_text(json.dumps(results, indent=1, default=float) + "\n")
    say(f"  Results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
