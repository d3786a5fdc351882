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

from bench import (audio, breakdown, clinic_section, e2e, i2c, limiter, noise, pipeline, polling,
                   process, pulse, reference, sections, storm)
from bench.jack import jackd_path
from bench.rig import run_daemon, write_config
from bench.stats import flat, summary_ms
from bench.ratios import ratios
from bench.table import table
from bench.targets import budget, check

FULL = dict(probe=2000, touches=2000, reps=200, scale_touches=500, scale_reps=60,
            separate_touches=1000, polling=2000, idle_i2c_s=2.0, render_s=20.0, storm_s=60.0,
            idle_s=20.0, limiter_s=20.0, e2e_touches=300, e2e_bursts=50, e2e_polling=300,
            e2e_probe=1000, pulse_s=60.0, nbody_steps=200_000)
QUICK = dict(probe=50, touches=30, reps=3, scale_touches=10, scale_reps=2, separate_touches=10,
             polling=30, idle_i2c_s=0.3, render_s=0.5, storm_s=1.0, idle_s=1.0,
             limiter_s=0.5, e2e_touches=8, e2e_bursts=3, e2e_polling=8, e2e_probe=50,
             pulse_s=3.0, nbody_steps=2000)


def say(text: str) -> None:
    print(text, flush=True)


def run_all(sizes: dict, tmp: Path, quick: bool) -> dict:
    """Every section in order, each under ``sections.run``: one that fails is reported
    as not measured, with its reason, and the others still run."""
    r: dict = {"not_measured": {}}
    ctx: dict = {}

    def noise_start() -> dict:
        before = noise.probe(sizes["probe"])
        return {**flat("noise_start", before["probe"]), "noise_start_load_avg": before["load_avg"]}

    def pipeline_section() -> dict:
        out: dict = {}
        cfg = ctx["cfg"] = write_config(tmp / "p4", quick_start=True)
        with noise.GcWatch() as watch:
            p = ctx["p"] = pipeline.measure(cfg, touches=sizes["touches"], reps=sizes["reps"])
        out["pipeline_gc_pause_max_ms"] = watch.worst_ms()
        out["pipeline_gc_gen2_collections"] = watch.count(2)
        out["pipeline_gc_collections"] = len(watch.pauses)
        # the daemon's own full collection at each start (heap.settle): not on the path
        out["pipeline_gc_planned_max_ms"] = max((ms for _, ms in watch.planned), default=0.0)
        out.update(flat("pipeline", p["single"]))
        out.update(flat("pipeline_sinks", p["single_sinks"]))
        out.update(flat("pipeline_inline", p["inline"]))
        out.update(flat("pipeline_48pads", p["burst"]))
        out.update(flat("pipeline_48pads_last", p["burst_last"]))
        for stat in ("p50", "p99", "max", "jitter"):    # the key names
            out[f"pipeline_{stat}_48pads_ms"] = out[f"pipeline_48pads_{stat}_ms"]
        out["pipeline_48pads_per_note_ms"] = p["burst_last"]["median"] / p["burst_pads"]
        say("      ... and with one IRQ line per board")
        sep = write_config(tmp / "sep", irq="separate", quick_start=True)
        s = run_daemon(sep, pipeline.single_touches(sizes["separate_touches"], 5, True))
        out.update(flat("pipeline_separate_irq", summary_ms(s["note"])))
        ctx["tx_sep"] = sorted(s["tx"])[len(s["tx"]) // 2]
        return out

    def polling_section() -> dict:
        q = ctx["q"] = polling.measure(tmp / "p4", sizes["polling"])
        out = {**flat("polling", q["latency"]), **flat("polling_scan", q["scan"])}
        if r.get("pipeline_p99_ms"):
            out["polling_over_pipeline_p99"] = out["polling_p99_ms"] / r["pipeline_p99_ms"]
            out["polling_over_pipeline_p50"] = out["polling_p50_ms"] / r["pipeline_p50_ms"]
            out["polling_over_pipeline_jitter"] = (out["polling_jitter_ms"]
                                                   / r["pipeline_jitter_ms"])
        return out

    def i2c_section() -> dict:
        if "p" not in ctx or "q" not in ctx:
            raise RuntimeError("it needs the pipeline and polling sections, which were not "
                               "measured")
        p, q = ctx["p"], ctx["q"]
        idle_tx, idle_bytes = run_daemon(ctx["cfg"], i2c.idle_driver(sizes["idle_i2c_s"]))
        out = i2c.cost(p["tx_per_edge"], p["bytes_per_edge"], q["tx_per_scan"],
                       q["bytes_per_scan"], q["tx_per_s"], idle_tx, idle_bytes)
        out["i2c_transactions_per_touch_separate_irq"] = ctx["tx_sep"]
        return out

    def audio_section() -> dict:
        a = audio.onsets()
        out = {k: v for k, v in a.items() if k not in ("frames", "audio_onset_slowest")}
        out["_audio_onset_frames"] = a["frames"]
        out["_audio_onset_slowest"] = a["audio_onset_slowest"]
        out["render_x_realtime"] = audio.render_speed(sizes["render_s"])
        out["bare_render_x_realtime"] = breakdown.bare_render_x(sizes["render_s"])
        say("      ... and the output ceiling's limiter: the latency and the CPU it adds")
        out.update(limiter.measure(sizes["limiter_s"]))
        return out

    def scale_section() -> dict:
        if "p" not in ctx or r.get("rss_mb") is None:
            raise RuntimeError("it needs the pipeline and cost sections, which were not "
                               "measured")
        out: dict = {}
        for n in (1, 2, 3, 4):
            if n == 4:
                single, burst, rss = ctx["p"]["single"], ctx["p"]["burst"], r["rss_mb"]
            else:
                c = write_config(tmp / f"scale{n}", players=n, quick_start=True)
                single = summary_ms(run_daemon(c, pipeline.single_touches(
                    sizes["scale_touches"], n, True))["note"])
                burst = summary_ms(run_daemon(c, pipeline.bursts(
                    sizes["scale_reps"], n))["note"])
                rss = process.measure(tmp / f"scale{n}", players=n, idle_s=0,
                                      quick_start=quick)["rss_mb"]
            out[f"scale_{n}p_pipeline_p50_ms"] = single["median"]
            out[f"scale_{n}p_pipeline_p99_ms"] = single["p99"]
            out[f"scale_{n}p_all_pads_p99_ms"] = burst["p99"]
            out[f"scale_{n}p_all_pads_max_ms"] = burst["max"]
            out[f"scale_{n}p_rss_mb"] = rss
        return out

    def storm_section() -> dict:
        out = storm.measure(write_config(tmp / "storm", quick_start=True), sizes["storm_s"])
        out["bare_noteon_us"] = breakdown.bare_noteon_us()
        out.update(reference.measure(sizes["nbody_steps"]))
        out.update(reference.project(out))
        return out

    def needs_jack() -> None:
        if jackd_path() is None:
            raise RuntimeError("jackd is not installed (apt: jackd2; ./run.sh installs it)")

    def e2e_section() -> dict:
        needs_jack()
        return e2e.measure(tmp, touches=sizes["e2e_touches"], bursts=sizes["e2e_bursts"],
                           polling=sizes["e2e_polling"], probe=sizes["e2e_probe"])

    def pulse_section() -> dict:
        needs_jack()
        return pulse.measure(tmp, sizes["pulse_s"])

    steps = [
        ("noise", "[0/9] machine noise probe ...", noise_start),
        ("pipeline", "[1/9] pipeline latency, 4 players x 12 pads, IRQ lines shared (as "
                     "shipped) ...", pipeline_section),
        ("polling", "[2/9] the usual approach: poll every electrode every 10 ms ...",
         polling_section),
        ("i2c", "[3/9] I2C cost ...", i2c_section),
        ("audio", "[4/9] audio path and render speed ...", audio_section),
        ("storm", f"[5/9] tremor storm: 48 electrodes at 20 Hz for {sizes['storm_s']:g} s of "
                  f"virtual time (run at 2x real time) ...",
         lambda: storm_section()),
        ("process", f"[6/9] cost: a real `station run --hardware sim --no-audio`, idle for "
                    f"{sizes['idle_s']:g} s ...",
         lambda: process.measure(tmp / "cost", idle_s=sizes["idle_s"], quick_start=quick)),
        ("scale", "[7/9] scale: 1 to 4 players (12 to 48 pads) ...", scale_section),
        ("e2e", f"[8/9] end to end on JACK: jackd dummy at 64 and 128 frames, the daemon on "
                f"FluidSynth's jack driver, {sizes['e2e_touches']} touches, "
                f"{sizes['e2e_bursts']} 48-pad bursts and {sizes['e2e_polling']} polled "
                f"touches per period ...", e2e_section),
        ("pulse", f"[9/9] the pulse in real time: {sizes['pulse_s']:g} s of beats from the "
                  f"daemon on JACK (dummy, 64 frames) ...", pulse_section),
        ("clinic", "[+] the clinic: 4 rooms replicating to PostgreSQL, partitions and kills, "
                   "lag, the cross-room report, the touch path with replication on/off ...",
         lambda: clinic_section.measure(tmp / "clinic", quick, say)),
    ]
    for name, title, measure in steps:
        say(title)
        sections.run(r, name, measure, say)
    after = noise.probe(sizes["probe"])
    r.update(flat("noise_end", after["probe"]))
    r["noise_end_load_avg"] = after["load_avg"]
    sections.run(r, "budget", lambda: budget(r), say)
    r.update(ratios(r))
    return r


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
    not_measured = results["not_measured"]
    for k, op, lim, m, v, ok in verdicts:
        shown = "n/a" if not isinstance(v, (int, float)) or math.isnan(v) else f"{v:.3g}"
        verdict = "PASS" if ok else ("----" if k in not_measured else "MISS")
        say(f"  {verdict}  {k:<28} {shown:>9} {op} {lim:<6g} {m}"
            + (f" (not measured: {not_measured[k]})" if k in not_measured else ""))
    missed = sum(not ok for *_, ok in verdicts)
    unmeasured = sorted(k[len("section:"):] for k in not_measured if k.startswith("section:"))
    if unmeasured:
        say(f"\n  NOT MEASURED: {', '.join(unmeasured)} (the reasons are above and in "
            f"results.json's not_measured)")
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
